"""Prints the split sizes DatasetsTest holds: torch.utils.data.random_split's lengths from fractions, PyTorch 1.13."""
import warnings

import torch
from torch.utils.data import random_split

# (dataset size, fractions): exact, a remainder for the first part, remainders round-robin, an empty last part
CASES = [
    (10, [0.3, 0.3, 0.4]),
    (11, [0.3, 0.3, 0.4]),
    (7, [0.5, 0.25, 0.25]),
    (3, [0.25, 0.25, 0.25, 0.25]),
    (100, [0.7, 0.2, 0.1]),
    (10, [0.1, 0.2, 0.7]),
]

warnings.simplefilter("ignore")  # PyTorch warns of the empty part
for n, fractions in CASES:
    sizes = [len(s) for s in random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))]
    print("        assertSizes(%d, new double[] {%s}, %s);" % (n, ", ".join(repr(f) for f in fractions),
                                                            ", ".join(str(s) for s in sizes)))
