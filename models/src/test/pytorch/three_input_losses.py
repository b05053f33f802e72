"""The three-input loss modules of ThreeInputLossModulesPyTorchTest (PyTorch 1.13, F64): nn.TripletMarginLoss,
nn.TripletMarginWithDistanceLoss, nn.MarginRankingLoss, nn.CosineEmbeddingLoss and nn.GaussianNLLLoss called as
module(a, b, c) with options and each reduction, on pattern inputs (parity.py; seeds 1, 2, 3); prints each loss and
the gradients of the first two inputs (and var's) of the sum of the loss, as Java rows."""
import torch
import torch.nn as nn
from parity import tensor


def literal(t):
    return ', '.join(repr(float(v)) for v in t.reshape(-1).tolist())


def show(label, module, inputs, grads):
    out = module(*inputs)
    out.sum().backward()
    print('        // %s: %s' % (label, module))
    print('        {%s},' % literal(out.detach()))
    for i in grads:
        print('        {%s},' % literal(inputs[i].grad))


targets_pm = torch.tensor([1.0, -1.0, -1.0, 1.0])
for reduction in ['mean', 'sum', 'none']:
    a, p, n = tensor(1, 4, 3), tensor(2, 4, 3), tensor(3, 4, 3)
    show('triplet ' + reduction, nn.TripletMarginLoss(margin=0.7, p=1.5, swap=True, reduction=reduction),
         [a, p, n], [0, 1, 2])
for reduction in ['mean', 'sum', 'none']:
    a, p, n = tensor(1, 4, 3), tensor(2, 4, 3), tensor(3, 4, 3)
    cosine = lambda x, y: 1 - nn.functional.cosine_similarity(x, y)
    show('triplet with distance ' + reduction, nn.TripletMarginWithDistanceLoss(distance_function=cosine, margin=0.5,
                                                                                swap=True, reduction=reduction),
         [a, p, n], [0, 1, 2])
for reduction in ['mean', 'sum', 'none']:
    x1, x2 = tensor(1, 4), tensor(2, 4)
    show('margin ranking ' + reduction, nn.MarginRankingLoss(margin=0.2, reduction=reduction), [x1, x2, targets_pm],
         [0, 1])
for reduction in ['mean', 'sum', 'none']:
    x1, x2 = tensor(1, 4, 3), tensor(2, 4, 3)
    show('cosine embedding ' + reduction, nn.CosineEmbeddingLoss(margin=0.1, reduction=reduction),
         [x1, x2, targets_pm], [0, 1])
for reduction in ['mean', 'sum', 'none']:
    mean, target, var = tensor(1, 4, 3), tensor(2, 4, 3, grad=False), tensor(3, 4, 1).abs().detach().requires_grad_()
    show('gaussian nll ' + reduction, nn.GaussianNLLLoss(full=True, eps=1e-3, reduction=reduction),
         [mean, target, var], [0, 2])
