"""Values of the PyTorch idioms that the beginner tutorials (pytorch.org/tutorials/beginner/basics) use, for
BeginnerTutorialIdiomsTest: argmax(1)/argmin(1), ones_like/zeros_like/rand_like, eye, matmul of vectors, DataLoader(data, batch_size=64)'s
batches, dataset[i], load_state_dict's default strictness. Run with /usr/bin/python3 (PyTorch 1.13)."""
import torch
from torch.utils.data import DataLoader

print("torch", torch.__version__)

x = torch.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
print("argmax(1)", x.argmax(1).tolist(), x.argmax(1).shape, x.argmax(1).dtype)
y = torch.tensor([[1.0, 3.0, 1.0], [2.0, 0.0, 0.0]])
print("argmin(1)", y.argmin(1).tolist(), y.argmin(1).shape)

data = torch.tensor([[1, 2], [3, 4]])
print("ones_like", torch.ones_like(data).tolist(), torch.ones_like(data).dtype)
print("zeros_like", torch.zeros_like(data.double()).tolist(), torch.zeros_like(data.double()).dtype)
try:
    torch.rand_like(data)
except RuntimeError as e:
    print("rand_like(int64) raises:", e)
r = torch.rand_like(data, dtype=torch.float)
print("rand_like(float)", r.shape, r.dtype, bool(((r >= 0) & (r < 1)).all()))

loader = DataLoader(list(range(130)), batch_size=64)
batches = list(loader)
print("DataLoader(130 examples, batch_size=64): batches", [len(b) for b in batches], "first", batches[0][:3].tolist(),
      "last", batches[-1].tolist(), "len", len(loader))

dataset = [(torch.arange(4.0).reshape(1, 2, 2) + 4 * i, i % 2) for i in range(3)]
print("dataset[1][0]", dataset[1][0].tolist(), dataset[1][0].shape)

lin = torch.nn.Linear(2, 3)
try:
    lin.load_state_dict({"weight": torch.zeros(3, 2)})
except RuntimeError as e:
    print("load_state_dict default strict:", str(e).replace("\n", " | "))

print("eye(2, 3)", torch.eye(2, 3).tolist(), torch.eye(2, 3).dtype)

a = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
m = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=torch.float64, requires_grad=True)
v = torch.matmul(a, m)
v.sum().backward()
print("matmul([3], [3, 2])", v.tolist(), "grad a", a.grad.tolist(), "grad m", m.grad.tolist())
mt = m.detach().t()
print("matmul([2, 3], [3])", torch.matmul(mt, a.detach()).tolist())
print("matmul([3], [3])", torch.matmul(a.detach(), a.detach()).tolist(), torch.matmul(a.detach(), a.detach()).shape)
batch = torch.arange(12.0, dtype=torch.float64).reshape(2, 3, 2)
print("matmul([3], [2, 3, 2])", torch.matmul(a.detach(), batch).tolist())
print("matmul([2, 3, 2]^T, [3])", torch.matmul(batch.transpose(1, 2), a.detach()).tolist())
for left, right in [((3,), (4,)), ((2, 3), (4,)), ((3,), (4, 2)), ((5, 2, 3), (4,))]:
    try:
        torch.matmul(torch.ones(left), torch.ones(right))
    except RuntimeError as e:
        print("matmul", list(left), "x", list(right), "refused:", e)


class Pairs(torch.utils.data.Dataset):
    """A custom Dataset: example i is ([i, 2i], i % 3)."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return torch.tensor([float(i), 2.0 * i]), i % 3


batches = [(x.tolist(), y.tolist()) for x, y in DataLoader(Pairs(), batch_size=2)]
print("custom Dataset in DataLoader(batch_size=2)", batches)
