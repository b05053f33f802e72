"""PyTorch 1.13's Module.zero_grad(set_to_none): with False (1.13's default) every parameter's gradient, a frozen
parameter's too, is zeroed in place (the same tensor object, so the next backward accumulates into it) and a sparse
gradient is kept with no entries; with True every gradient becomes None. ModuleZeroGradTest holds this."""
import torch

torch.manual_seed(0)
model = torch.nn.ModuleDict({
    "emb": torch.nn.Embedding(5, 2, sparse=True),
    "lin": torch.nn.Linear(2, 1),
    "frozen": torch.nn.Linear(2, 1),
})


def backward():
    h = model["emb"](torch.tensor([1, 3]))
    (model["lin"](h).sum() + model["frozen"](h).sum()).backward()


backward()
model["frozen"].weight.requires_grad_(False)  # frozen after it got a gradient
lin_grad = model["lin"].weight.grad
model.zero_grad(set_to_none=False)
print("set_to_none=False:")
print("  lin.weight.grad same object:", model["lin"].weight.grad is lin_grad, "values:", lin_grad.tolist())
print("  frozen.weight.grad:", model["frozen"].weight.grad.tolist())
g = model["emb"].weight.grad
print("  emb.weight.grad is_sparse:", g.is_sparse, "nnz:", g._nnz(), "dense:", g.to_dense().tolist())
model.zero_grad(set_to_none=True)
print("set_to_none=True:", [n for n, p in model.named_parameters() if p.grad is not None], "have gradients")
print("default set_to_none:", torch.nn.Module.zero_grad.__defaults__)
