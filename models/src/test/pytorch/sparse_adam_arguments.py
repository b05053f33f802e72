"""Which settings PyTorch 1.13's torch.optim.SparseAdam refuses when made, and with what message:
SparseGradientBehaviourTest.sparseAdamRefusesTheSettingsThatPyTorchRefuses holds the same cases."""
import torch

CASES = [  # (lr, eps, betas)
    (0.0, 1e-8, (0.9, 0.999)),
    (-0.1, 1e-8, (0.9, 0.999)),
    (float("nan"), 1e-8, (0.9, 0.999)),
    (1e-12, 1e-8, (0.9, 0.999)),
    (0.1, 0.0, (0.9, 0.999)),
    (0.1, -1e-8, (0.9, 0.999)),
    (0.1, float("nan"), (0.9, 0.999)),
    (0.1, 1e-300, (0.9, 0.999)),
    (0.1, 1e-8, (1.0, 0.999)),
    (0.1, 1e-8, (-0.1, 0.999)),
    (0.1, 1e-8, (0.9, 1.0)),
    (0.1, 1e-8, (0.0, 0.0)),
]

for lr, eps, betas in CASES:
    try:
        torch.optim.SparseAdam([torch.zeros(2, 2, requires_grad=True)], lr=lr, eps=eps, betas=betas)
        outcome = "accepted"
    except ValueError as e:
        outcome = "ValueError: " + str(e)
    print(f"lr={lr} eps={eps} betas={betas}: {outcome}")
