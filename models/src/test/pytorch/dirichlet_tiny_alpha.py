"""Reference values for AugmentPoliciesTest's AugMix weights at a tiny alpha: AugMix's (m0, m1) is Dirichlet(alpha,
alpha), so m0 is Beta(alpha, alpha), whose mean is 1/2, mean square (alpha + 1) / (2 (2 alpha + 1)), and
P(0.01 < m0 < 0.99) the integral of its density over (0.01, 0.99) (Simpson's rule here; scipy is not installed: at
alpha 0.01 it gives BetaSamplerTest's 0.044758, scipy.special.betainc's). It then prints what PyTorch 1.13's
torch._sample_dirichlet, which torchvision 0.14's AugMix calls, gives for the same statistics over 10^6 draws: at these
alphas its gamma draws go wrong and its m0 is far too often inside (0.01, 0.99), so Kiln follows Dirichlet(alpha)
rather than 1.13's sampler there.

    cd models/src/test/pytorch && /usr/bin/python3 dirichlet_tiny_alpha.py
"""
import math

import torch


def inside(a, lo=0.01, hi=0.99, n=200_000):
    h = (hi - lo) / n

    def density(x):
        return math.exp((a - 1) * math.log(x) + (a - 1) * math.log(1 - x))

    s = density(lo) + density(hi) + sum((4 if i % 2 else 2) * density(lo + i * h) for i in range(1, n))
    return s * h / 3 / math.exp(2 * math.lgamma(a) - math.lgamma(2 * a))


torch.manual_seed(0)
for a in (1e-4, 1e-3, 0.01):
    print("alpha %g: Beta(alpha, alpha) mean 0.5, mean square %r, P(0.01 < m0 < 0.99) %r"
          % (a, (a + 1) / (2 * (2 * a + 1)), inside(a)))
    m = torch._sample_dirichlet(torch.tensor([a, a]).expand(1_000_000, -1))[:, 0].double()
    print("    torch._sample_dirichlet: mean %.4f, mean square %.4f, P(0.01 < m0 < 0.99) %.4f"
          % (m.mean(), (m * m).mean(), ((m > 0.01) & (m < 0.99)).double().mean()))
