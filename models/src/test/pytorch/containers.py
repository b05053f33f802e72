"""Prints the PyTorch 1.13 numbers of ContainersPyTorchParityTest: ModuleList (with insert), ParameterList, ModuleDict
and ParameterDict inside one module, their state-dict names and shapes, its output and every gradient in float64
(Debian's /usr/bin/python3):

    /usr/bin/python3 containers.py
"""
from parity import *
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(3, 4), nn.Linear(4, 2)])
        self.layers.insert(1, nn.Linear(4, 4))
        self.scales = nn.ParameterList([nn.Parameter(torch.zeros(4)), nn.Parameter(torch.zeros(4))])
        self.scales.append(nn.Parameter(torch.zeros(2)))
        self.heads = nn.ModuleDict({"mean": nn.Linear(2, 2), "scale": nn.Linear(2, 1)})
        self.offsets = nn.ParameterDict({"shift": nn.Parameter(torch.zeros(3))})

    def forward(self, x):
        h = x
        for layer, s in zip(self.layers, self.scales):
            h = torch.tanh(layer(h)) * s
        return torch.cat([self.heads["mean"](h), self.heads["scale"](h)], -1) + self.offsets["shift"]


net = Net()
keys = load(net)
print("// state dict: " + ", ".join("%s %s" % (k, list(v.shape)) for k, v in net.state_dict().items()))
emit_load("net", keys)
x = tensor(100, 5, 3)
y = net(x)
backward([y], [200])
emit_values("output", "y", y)
emit_values("input gradient", "x.grad()", x.grad)
emit_grads("net", net)
