"""Prints the expected maps of GradCamTest's PyTorch case: Grad-CAM (Selvaraju et al.) of a small CNN in F64.

The CNN: Conv2d(1, 2, 3), ReLU, MaxPool2d(2), Flatten, Linear(18, 3), parameters from parity.py's pattern (seeds 1-4
in named_parameters order) with 0.2, -0.1 and 0.05 added to the dense weights of classes 0, 1 and 2, input
[2, 1, 8, 8] of pattern seed 11 plus 0.5. The map is taken at the ReLU's output for each
image's predicted class: ReLU(sum_k mean(dScore/dA_k) A_k), F.interpolate to 8 x 8 (bilinear, align_corners=False),
divided by its maximum. Run: /usr/bin/python3 gradcam.py
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from parity import fmt, load, tensor

model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(18, 3))
load(model)
with torch.no_grad():
    # The pattern's rows sum to almost nothing over a pooled window: a per-class offset gives the classes evidence.
    model[4].weight += torch.tensor([[0.2], [-0.1], [0.05]])
x = tensor(11, 2, 1, 8, 8, grad=False) + 0.5
captured = []
model[1].register_forward_hook(lambda m, i, o: captured.append(o) or o.retain_grad())
logits = model(x)
predicted = logits.argmax(1)
logits.gather(1, predicted[:, None]).sum().backward()
a = captured[0]
weights = a.grad.mean((2, 3))
cam = F.relu((weights[:, :, None, None] * a).sum(1))
up = F.interpolate(cam[:, None], size=(8, 8), mode="bilinear", align_corners=False)[:, 0]
up = up / up.flatten(1).max(1).values[:, None, None]
print("predicted:", predicted.tolist())
print("        double[] expected = {")
print("                " + fmt(up.flatten().detach()) + "};")
