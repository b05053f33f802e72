"""Prints the expected arrays of engine-cpu's CpuLayerNormPyTorchParityTest.

Rows of 1024 features far from 0 (means 1000, -3e4, 1e-3, 7, 0), their values given by integer patterns so that Java
and Python round the same doubles to float32: torch.nn.functional.layer_norm in F64 on those float32 values, eps
1e-5, then a backward pass of a patterned gradient; the outputs and input gradients at a few features of each row, and
the weight's and bias's gradients at those features.
"""
import torch

FEATURES = 1024
ROWS = [(1000.0, 0.1), (-3e4, 5.0), (1e-3, 1e-4), (7.0, 0.3), (0.0, 2.0)]
PICKS = [0, 1, 2, 511, 512, 1021, 1022, 1023]


def x_value(r, i):
    mean, spread = ROWS[r]
    return mean + spread * (((i * 37 + r * 11) % 101) - 50) / 50.0


x = torch.tensor([[x_value(r, i) for i in range(FEATURES)] for r in range(len(ROWS))], dtype=torch.float32)
w = torch.tensor([1 + (((i * 7) % 13) - 6) / 10.0 for i in range(FEATURES)], dtype=torch.float32)
b = torch.tensor([(((i * 5) % 11) - 5) / 20.0 for i in range(FEATURES)], dtype=torch.float32)
g = torch.tensor([[(((i * 13 + r * 3) % 17) - 8) / 8.0 for i in range(FEATURES)] for r in range(len(ROWS))],
                 dtype=torch.float32)
x64 = x.double().requires_grad_()
w64 = w.double().requires_grad_()
b64 = b.double().requires_grad_()
y = torch.nn.functional.layer_norm(x64, (FEATURES,), w64, b64, 1e-5)
y.backward(g.double())


def java(name, t):
    print("    private static final double[] %s = {" % name)
    values = ["%.17g" % v for v in t.reshape(-1).tolist()]
    for k in range(0, len(values), 4):
        print("        " + ", ".join(values[k:k + 4]) + ",")
    print("    };")


java("OUTPUTS", y.detach()[:, PICKS])
java("INPUT_GRADIENTS", x64.grad[:, PICKS])
java("WEIGHT_GRADIENTS", w64.grad[PICKS])
java("BIAS_GRADIENTS", b64.grad[PICKS])
# The scale each row's input gradients are compared at: their largest magnitude.
java("INPUT_GRADIENT_SCALES", x64.grad.abs().max(dim=1).values)
