"""Prints the data of StatisticsPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file from
the line "Printed by": torch.cdist (p = 2 by rows and, above 25 rows, by PyTorch's matrix product; p = 0, 0.5, 1, 3,
infinity; broadcast batches; rows equal to each other, where the gradient is 0), torch.pdist, torch.cov (correction,
fweights, aweights), torch.corrcoef, torch.var_mean, torch.std_mean, torch.aminmax, torch.nanmedian (along an axis,
with indices, and of all elements, whose gradient is shared by ties) and torch.mode (values and indices, ties of
frequency), in F64 and F32, with the gradient of (y * w).sum(), w = 1 + 0.5 (k mod 4), as pointwise_math.py. Pairs of
results are printed as one vector (first, then second); indices as numbers. Run with /usr/bin/python3 (torch 1.13)."""
import torch

from pointwise_math import NAN, INF, print_cases

X1 = [0.5, -1.0, 2.0, 0.25, 1.5, 0.75, -0.5, 2.5, 0.5, -1.0, 2.0, 0.25,
      -2.0, 1.0, 0.0, 1.25, 3.0, -1.5, 0.5, 0.75, 1.0, 1.0, -0.25, -3.0]
X2 = [0.5, -1.0, 2.0, 0.25, 1.0, 2.0, -1.5, 0.5, -0.75, 0.25, 1.5, 2.0, 2.5, -2.0, 0.0, 1.0, 0.0, 0.5, 0.5, -1.25,
      3.0, -1.5, 0.5, 0.75, -1.0, 0.0, 2.0, 1.5, 0.25, 0.5, -2.5, 1.0, 1.75, -0.5, 0.0, 0.25, 1.0, 1.0, -0.25, -3.0]
# Integer rows (exact products), many of them equal: above 25 rows PyTorch takes p = 2 by a matrix product.
BIG1 = [float((7 * i) % 5 - 2) for i in range(90)]
BIG2 = [float((3 * i + 1) % 5 - 2) for i in range(81)]
ROWS = [1.0, 2.0, -1.0, 0.5, 1.0, 2.0, -1.0, 0.5, -0.5, 3.0, 0.25, 1.0, 2.0, -2.0, 1.5, 0.0, 0.75, 1.0, -1.0, 2.5]
OBS = [1.0, 2.5, -0.5, 3.0, 0.0, 1.5, 2.0, -1.0, 0.5, 0.25, 4.0, 1.0, -2.0, 0.5, 1.0, 1.5, -0.75, 3.0]
FW = [1, 2, 0, 3, 1, 2]
AW = [0.5, 1.0, 2.0, 0.25, 1.5, 1.0]
MEDIAN = [3.0, NAN, -1.0, 2.5, 0.5, 7.0, NAN, -4.0, 1.0, NAN, 5.0, -2.0, 0.25, 3.5,
          NAN, NAN, NAN, 4.0, NAN, NAN, NAN, 6.0, 1.5, -3.0, 2.0, 0.75, NAN, -0.5]
MEDIAN_TIES = [2.0, 1.0, NAN, 2.0, 3.0, 1.0, 2.0, -1.0, NAN, 4.0, 2.0, 0.5]
MODE = [3.0, 1.0, 3.0, 1.0, 2.0, 2.0, 0.5, 0.5, 0.5, 4.0, -1.0, 4.0, -1.0, 4.0, -1.0, 4.0, 0.0, 7.0, 7.0, 0.0,
        5.0, 6.0, 8.0, 9.0, -2.0, 1.0, 1.0, 1.0, 1.0, 1.0]


def pair(r):
    return torch.cat([r[0].reshape(-1), r[1].reshape(-1)])


CASES = []
for p, java in ((2.0, "2"), (1.0, "1"), (3.0, "3"), (0.5, "0.5"), (INF, "Double.POSITIVE_INFINITY"), (0.0, "0")):
    CASES.append(("cdist p=%s" % java, "in -> F.cdist(in[0], in[1], %s)" % java,
                  lambda a, b, p=p: torch.cdist(a, b, p=p), [(X1, [2, 3, 4]), (X2, [2, 5, 4])], True))
CASES += [
    ("cdist broadcast batch", "in -> F.cdist(in[0], in[1], 2)", lambda a, b: torch.cdist(a, b),
     [(X1, [2, 3, 4]), (X2[:20], [1, 5, 4])], True),
    ("cdist p=2 by matrix product", "in -> F.cdist(in[0], in[1])", lambda a, b: torch.cdist(a, b),
     [(BIG1, [30, 3]), (BIG2, [27, 3])], True),
    ("cdist p=3 of many rows", "in -> F.cdist(in[0], in[1], 3)", lambda a, b: torch.cdist(a, b, p=3),
     [(BIG1, [30, 3]), (BIG2, [27, 3])], True),
    ("pdist p=2", "in -> F.pdist(in[0])", torch.pdist, [(ROWS, [5, 4])], True),
    ("pdist p=1", "in -> F.pdist(in[0], 1)", lambda x: torch.pdist(x, 1), [(ROWS, [5, 4])], True),
    ("pdist p=0.5", "in -> F.pdist(in[0], 0.5)", lambda x: torch.pdist(x, 0.5), [(ROWS, [5, 4])], True),
    ("pdist p=inf", "in -> F.pdist(in[0], Double.POSITIVE_INFINITY)", lambda x: torch.pdist(x, INF),
     [(ROWS, [5, 4])], True),
    ("cov", "in -> in[0].cov()", torch.cov, [(OBS, [3, 6])], True),
    ("cov correction 0", "in -> in[0].cov(0, null, null)", lambda x: torch.cov(x, correction=0), [(OBS, [3, 6])],
     True),
    ("cov of one variable", "in -> in[0].cov()", torch.cov, [(OBS[:6], [6])], True),
    ("cov fweights", "in -> in[0].cov(1, Tensor.fromArray(new long[] {1, 2, 0, 3, 1, 2}, 6), null)",
     lambda x: torch.cov(x, fweights=torch.tensor(FW)), [(OBS, [3, 6])], True),
    ("cov aweights correction 2", "in -> in[0].cov(2, null, weights(in[0], 0.5, 1.0, 2.0, 0.25, 1.5, 1.0))",
     lambda x: torch.cov(x, correction=2, aweights=torch.tensor(AW, dtype=x.dtype)), [(OBS, [3, 6])], True),
    ("cov fweights and aweights", "in -> in[0].cov(1, Tensor.fromArray(new int[] {1, 2, 0, 3, 1, 2}, 6), "
     "weights(in[0], 0.5, 1.0, 2.0, 0.25, 1.5, 1.0))",
     lambda x: torch.cov(x, fweights=torch.tensor(FW, dtype=torch.int32), aweights=torch.tensor(AW, dtype=x.dtype)),
     [(OBS, [3, 6])], True),
    ("corrcoef", "in -> in[0].corrcoef()", torch.corrcoef, [(OBS, [3, 6])], True),
    ("corrcoef of one variable", "in -> in[0].corrcoef()", torch.corrcoef, [(OBS[:6], [6])], True),
    ("varMean axis 1", "in -> joined(in[0].varMean(new int[] {1}, 1, false))",
     lambda x: pair(torch.var_mean(x, 1)), [(OBS, [3, 6])], True),
    ("varMean axes 0 2 correction 0 kept", "in -> joined(in[0].varMean(new int[] {0, 2}, 0, true))",
     lambda x: pair(torch.var_mean(x, (0, 2), correction=0, keepdim=True)), [(OBS, [3, 2, 3])], True),
    ("varMean of all", "in -> joined(in[0].varMean())", lambda x: pair(torch.var_mean(x)), [(OBS, [3, 6])], True),
    ("stdMean axis 0", "in -> joined(in[0].stdMean(new int[] {0}, 1, false))",
     lambda x: pair(torch.std_mean(x, 0)), [(OBS, [3, 6])], True),
    ("stdMean of all", "in -> joined(in[0].stdMean())", lambda x: pair(torch.std_mean(x)), [(OBS, [3, 6])], True),
    ("aminmax axis 1", "in -> joined(in[0].aminmax(1, false))",
     lambda x: pair(torch.aminmax(x, dim=1)), [(MEDIAN, [4, 7])], False),
    ("aminmax of all", "in -> joined(in[0].aminmax())", lambda x: pair(torch.aminmax(x)), [(OBS, [3, 6])], False),
    ("nanmedian axis 1", "in -> in[0].nanmedian(1, false).values()",
     lambda x: torch.nanmedian(x, 1).values, [(MEDIAN, [4, 7])], True),
    ("nanmedian axis 1 indices", "in -> in[0].nanmedian(1, true).indices().to(in[0].dtype())",
     lambda x: torch.nanmedian(x, 1, keepdim=True).indices.to(x.dtype), [(MEDIAN, [4, 7])], False),
    ("nanmedian axis 0", "in -> in[0].nanmedian(0, true).values()",
     lambda x: torch.nanmedian(x, 0, keepdim=True).values, [(MEDIAN, [4, 7])], True),
    ("nanmedian axis 0 indices", "in -> in[0].nanmedian(0, false).indices().to(in[0].dtype())",
     lambda x: torch.nanmedian(x, 0).indices.to(x.dtype), [(MEDIAN, [4, 7])], False),
    ("nanmedian of all with ties", "in -> in[0].nanmedian()", torch.nanmedian, [(MEDIAN_TIES, [3, 4])], True),
    ("nanmedian of all NaN", "in -> in[0].nanmedian()", torch.nanmedian, [([NAN, NAN, 1.0], [3])], True),
    ("mode axis 1", "in -> in[0].mode(1, false).values()", lambda x: torch.mode(x, 1).values,
     [(MODE, [5, 6])], True),
    ("mode axis 1 indices", "in -> in[0].mode(1, true).indices().to(in[0].dtype())",
     lambda x: torch.mode(x, 1, keepdim=True).indices.to(x.dtype), [(MODE, [5, 6])], False),
    ("mode axis 0", "in -> in[0].mode(0, true).values()", lambda x: torch.mode(x, 0, keepdim=True).values,
     [(MODE, [5, 6])], True),
    ("mode axis 0 indices", "in -> in[0].mode(0, false).indices().to(in[0].dtype())",
     lambda x: torch.mode(x, 0).indices.to(x.dtype), [(MODE, [5, 6])], False),
]

if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/statistics.py (PyTorch %s).\n" % torch.__version__)
    print_cases(CASES)
