"""Prints the values and indices of PaddingAloneMaxPoolTest: dilated max poolings whose windows' taps all fall in the
padding (they skip over the input). PyTorch 1.13 gives minus infinity and, as index, the flat position of each axis's
first tap at or past 0, which may lie beyond the input; its backward adds the gradient at that index (out of bounds
there), so the test holds Kiln's choice of no gradient instead of printing PyTorch's."""
from parity import *
import torch.nn.functional as Fn

CASES = [
    ("maxPool1d", (1, 2, 2), lambda x: Fn.max_pool1d(x, 2, 1, 1, 3, return_indices=True)),
    ("maxPool1d ceil", (2, 1, 1), lambda x: Fn.max_pool1d(x, 2, 3, 1, 3, ceil_mode=True, return_indices=True)),
    ("maxPool2d", (1, 1, 3, 2), lambda x: Fn.max_pool2d(x, (1, 2), (1, 2), (0, 1), (1, 3), return_indices=True)),
    ("maxPool3d", (1, 1, 2, 2, 1), lambda x: Fn.max_pool3d(x, (1, 1, 2), 1, (0, 0, 1), (1, 1, 2),
                                                           return_indices=True)),
]

for i, (label, dims, pool) in enumerate(CASES):
    out, indices = pool(tensor(i + 1, *dims, grad=False))
    print('        // %s of %s: output %s' % (label, list(dims), list(out.shape)))
    print('        values %s; indices {%s}' % (fmt(out.reshape(-1)), ", ".join(str(int(v)) for v in indices.reshape(-1))))
