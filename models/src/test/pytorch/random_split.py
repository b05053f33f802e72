"""Prints the split sizes DatasetsTest holds: torch.utils.data.random_split's lengths from fractions, PyTorch 1.13,
then the fractions it refuses: those that add up to a hair over 1 (math.isclose to 1, but above it)."""
import warnings

import torch
from torch.utils.data import random_split

# (dataset size, fractions): exact, a remainder for the first part, remainders round-robin, an empty last part, and
# sums a hair under 1
CASES = [
    (10, [0.3, 0.3, 0.4]),
    (11, [0.3, 0.3, 0.4]),
    (7, [0.5, 0.25, 0.25]),
    (3, [0.25, 0.25, 0.25, 0.25]),
    (100, [0.7, 0.2, 0.1]),
    (10, [0.1, 0.2, 0.7]),
    (10, [0.5, 0.499999999999]),
    (10, [0.1] * 10),
]
# fractions that add up to a hair over 1
REFUSED = [
    (10, [0.5, 0.500000000001]),
    (10, [0.5, 0.5000000000000003]),
]

warnings.simplefilter("ignore")  # PyTorch warns of the empty part
for n, fractions in CASES:
    sizes = [len(s) for s in random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))]
    print("        assertSizes(%d, new double[] {%s}, %s);" % (n, ", ".join(repr(f) for f in fractions),
                                                            ", ".join(str(s) for s in sizes)))
for n, fractions in REFUSED:
    try:
        random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))
        raise AssertionError("PyTorch took %r" % fractions)
    except ValueError:
        print("        assertRefused(%d, new double[] {%s});" % (n, ", ".join(repr(f) for f in fractions)))
