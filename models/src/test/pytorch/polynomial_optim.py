"""PyTorch's "Learning PyTorch with Examples", PyTorch: optim (beginner_source/examples_nn/polynomial_optim.py, with
RMSprop as in PyTorch 1.13's tutorials), with torch.manual_seed(0) before the model is made and its starting
coefficients printed first, as "start: a b c d" (the bias, then the weight's three columns), so that
examples/PolynomialOptim.java can start from them (PolynomialExamplesTest). Run with /usr/bin/python3."""
import math

import torch

torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
print('start:', model[0].bias.item(), *model[0].weight[0].tolist())
loss_fn = torch.nn.MSELoss(reduction='sum')

learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
for t in range(2000):
    y_pred = model(xx)

    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    optimizer.zero_grad()

    loss.backward()

    optimizer.step()


linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
      f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
