"""PyTorch's "Learning PyTorch with Examples", PyTorch: Control Flow + Weight Sharing
(beginner_source/examples_nn/dynamic_net.py), with torch.manual_seed(0) before the model is made and its starting
values printed first, as "start: a b c d e", and the number of orders of each forward pass drawn as
examples/DynamicNet.java draws it, 4 + java.util.Random(seed).nextInt(3) for random.randint(4, 6), that Java
generator restated below, so that the example can repeat this run (PolynomialExamplesTest). The gradients are
zeroed with set_to_none=True, PyTorch 2's default and Kiln's Optimizer.zeroGrad(): with 1.13's default, False, e
gets a zero gradient at the passes that leave it out, and momentum moves it there, where with None SGD skips it.

    /usr/bin/python3 polynomial_dynamic_net.py [STEPS [SEED]]    # the tutorial's 30000 steps; seed 1
"""
import math
import sys

import torch


class JavaRandom:
    """java.util.Random: its 48-bit linear congruential generator and nextInt(bound)."""

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        return self.seed >> (48 - bits)

    def next_int(self, bound):
        r = self.next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        r = u % bound
        # Java's loop condition u - r + m < 0 is an int overflow past 2^31 - 1.
        while u - r + m > 0x7FFFFFFF:
            u = self.next(31)
            r = u % bound
        return r


steps = int(sys.argv[1]) if len(sys.argv) > 1 else 30000
random = JavaRandom(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
torch.manual_seed(0)


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, 4 + random.next_int(3)):
            y = y + self.e * x ** exp
        return y

    def string(self):
        return (f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3 + '
                f'{self.e.item()} x^4 ? + {self.e.item()} x^5 ?')


x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

model = DynamicNet()
print('start:', model.a.item(), model.b.item(), model.c.item(), model.d.item(), model.e.item())

criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
for t in range(steps):
    y_pred = model(x)

    loss = criterion(y_pred, y)
    if t % 2000 == 1999:
        print(t, loss.item())

    # PyTorch 2's default, and Kiln's Optimizer.zeroGrad(); see above.
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()

print(f'Result: {model.string()}')
