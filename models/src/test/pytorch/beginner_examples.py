# Prints the deterministic lines of PyTorch's Tensors and Autograd tutorials (1.13) that ExamplesTest (models module)
# checks examples/Tensors.java and examples/Autodiff.java against. Run with /usr/bin/python3.
import torch

x_data = torch.tensor([[1, 2], [3, 4]])
x_ones = torch.ones_like(x_data)
print(f"Ones Tensor: \n {x_ones} \n")
tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
tensor[:, 1] = 0
print(tensor)
t = torch.ones(5)
print(f"t: {t}")

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
