"""Prints the cases of SearchSortedPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file
from the line "Printed by": torch.searchsorted (left and right) of values holding ties with the sequence's entries,
repeated entries, NaN and infinities, in a 1-D sequence and along the last axis of a 2-D one, and torch.bucketize, in
float64, float32 and int64. Run with /usr/bin/python3 (torch 1.13)."""
import torch

from pointwise_math import NAN, INF, array

SORTED = [-2.0, 0.0, 0.0, 1.5, 3.0, 3.0, 3.0, 7.0]
VALUES = [-3.0, -2.0, 0.0, 0.5, 3.0, 7.0, 8.0, NAN, INF, -INF, 1.5, -0.0]
SORTED_ROWS = [[-1.0, 0.0, 2.0, 2.0, 5.0], [0.5, 0.5, 0.5, 1.0, 4.0], [-INF, -3.0, 0.0, 1.0, INF]]
VALUES_ROWS = [[2.0, -1.5, 5.0, 6.0], [0.5, 0.25, 4.0, 1.0], [-INF, INF, 0.0, -5.0]]
INT_SORTED = [-5, 0, 0, 3, 9]
INT_VALUES = [-6, -5, 0, 1, 9, 10, 3]


def longs(values):
    return "{" + ", ".join("%dL" % v for v in values) + "}"


def case(name, dtype, sorted_values, sorted_dims, values, value_dims, right):
    label = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64"}[dtype]
    s = torch.tensor(sorted_values, dtype=dtype).reshape(sorted_dims)
    v = torch.tensor(values, dtype=dtype).reshape(value_dims)
    dims = lambda d: "new int[] {%s}" % ", ".join(map(str, d))
    return ('"%s %s right=%s", DType.%s,\n                    new double[] %s, %s,\n'
            '                    new double[] %s, %s, %s,\n                    new long[] %s'
            % (name, label, str(right).lower(), label, array(sorted_values), dims(sorted_dims), array(values),
               dims(value_dims), str(right).lower(), longs(torch.searchsorted(s, v, right=right).reshape(-1).tolist())))


def cases():
    rows = []
    for right in (False, True):
        for dtype in (torch.float64, torch.float32):
            rows.append(case("1-D", dtype, SORTED, [len(SORTED)], VALUES, [3, 4], right))
            rows.append(case("2-D", dtype, sum(SORTED_ROWS, []), [3, 5], sum(VALUES_ROWS, []), [3, 4], right))
        rows.append(case("1-D", torch.int64, INT_SORTED, [len(INT_SORTED)], INT_VALUES, [len(INT_VALUES)], right))
    return rows


if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/searchsorted.py (PyTorch %s).\n" % torch.__version__)
    b = torch.tensor(SORTED, dtype=torch.float64)
    x = torch.tensor(VALUES, dtype=torch.float64)
    print("    private static final long[] BUCKETIZE = %s;" % longs(torch.bucketize(x, b).tolist()))
    print("    private static final long[] BUCKETIZE_RIGHT = %s;" % longs(torch.bucketize(x, b, right=True).tolist()))
    print()
    print("    static Stream<Arguments> cases() {")
    print("        return Stream.of(")
    print(",\n".join("                Arguments.of(%s)" % r for r in cases()) + ");")
    print("    }")
