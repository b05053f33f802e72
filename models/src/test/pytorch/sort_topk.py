"""Prints SortTopkPyTorchParityTest: torch.sort (stable), argsort, topk, kthvalue and median, values, indices and
the input's gradient, on inputs with ties, NaN, infinities and signed zeros, in F64 and in integers."""
from parity import *

nan, inf = float("nan"), float("inf")

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#sort}, {@link Tensor#argsort}, {@link Tensor#topk}, {@link Tensor#kthvalue} and {@link Tensor#median}
 * against PyTorch 1.13's {@code sort(stable=True)}, {@code argsort}, {@code topk}, {@code kthvalue} and {@code median}
 * (numbers printed by {@code models/src/test/pytorch/sort_topk.py}): values, indices and the input's gradient of a
 * weighted sum of the values (see {@link PyTorchParity}), on rows and columns holding ties, NaN, infinities and both
 * zeros, along each axis of a rank-3 tensor, and in integers. PyTorch leaves the order of tied elements unspecified in
 * topk, kthvalue and median, so their inputs have no ties where they choose.
 */
class SortTopkPyTorchParityTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;
    /** Ties along rows and columns, NaN, infinities and both zeros. */
    private static final double[] TIES = {%s};
    /** TIES' rows holding NaN. */
    private static final double[] NAN_ROWS = {%s};
    /** [2, 3, 4] of eighths: ties along every axis. */
    private static final double[] EIGHTHS = {%s};
    /** Integers with ties. */
    private static final double[] INTEGERS = {%s};

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor leaf(DType dtype, double[] values, int... dims) {
        return Tensor.fromArray(values, dims).to(dtype).requiresGrad(true);
    }
'''

TIES = torch.tensor([[1.5, -0.0, 2.0, 0.0, 1.5, -3.0],
                     [nan, 4.0, -inf, nan, 0.5, 4.0],
                     [0.25, inf, -1.0, 0.25, -0.0, 4.0]])
EIGHTHS = torch.round(pattern(24, 7) * 8).reshape(2, 3, 4) / 8
INTEGERS = torch.tensor([[3, 1, 2, 1, 3, 3, 0], [-5, 7, 7, -5, 0, 2, 7]], dtype=torch.int64)


def java_double(v):
    v = float(v)
    if v != v:
        return "NAN"
    if v in (inf, -inf):
        return "INF" if v > 0 else "-INF"
    return repr(v)


def literal(t):
    return "\n            " + wrap([java_double(v) for v in t.reshape(-1)], "\n            ")


def fmt_values(t):
    return wrap([java_double(v) for v in t.reshape(-1)])


def wrap(parts, indent="\n                ", separator=","):
    lines, line = [], ""
    for p in parts:
        if len(line) + len(p) + 2 > 100:
            lines.append(line)
            line = ""
        line += p + separator + " "
    lines.append(line)
    return indent.join(l.rstrip() for l in lines).rstrip(separator)


def values(label, expr, t):
    print('        assertValues("%s", %s,\n                %s);' % (label, expr, fmt_values(t.detach())))


def indices(label, expr, t):
    print('        assertArrayEquals(new long[] {%s},\n                %s.toLongArray(), "%s");' % (
        wrap([str(int(v)) for v in t.reshape(-1)]), expr, label))


def begin(method, comment, floating=True):
    print()
    print("    @ParameterizedTest")
    if floating:
        print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    else:
        print('    @EnumSource(value = DType.class, names = {"I32", "I64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + wrap(comment.split("; "), "\n        // ", ";") + ", PyTorch 1.13")


def leaf_line(name, source, dims):
    print("        Tensor %s = leaf(dtype, %s, %s);" % (name, source, ", ".join(str(d) for d in dims)))


def sorted_case(method, source_name, source, calls):
    """calls: (java_call, torch_fn) pairs whose outputs are (values, indices); one backward over all values."""
    x = source.clone().requires_grad_(True)
    results = [fn(x) for _, fn in calls]
    backward([r[0] for r in results], list(range(200, 200 + len(results))))
    begin(method, "; ".join(c for c, _ in calls))
    leaf_line("x", source_name, source.shape)
    for i, (call, _) in enumerate(calls):
        print("        IndexedValues r%d = x.%s;" % (i, call))
    print("        backward(200, %s);" % ", ".join("r%d.values()" % i for i in range(len(calls))))
    print()
    for i, (call, _) in enumerate(calls):
        print("        assertArrayEquals(new int[] {%s}, r%d.values().shape().dims());" % (
            ", ".join(str(d) for d in results[i][0].shape), i))
        values("values of %s" % call, "r%d.values()" % i, results[i][0])
        indices("indices of %s" % call, "r%d.indices()" % i, results[i][1])
    values("gradient", "x.grad()", x.grad)
    print("    }")


def pattern_case(method, seed, dims, calls):
    x = tensor(seed, *dims)
    results = [fn(x) for _, fn in calls]
    backward([r[0] for r in results], list(range(200, 200 + len(results))))
    begin(method, "; ".join(c for c, _ in calls))
    print("        Tensor x = tensor(dtype, %d, %s);" % (seed, ", ".join(str(d) for d in dims)))
    for i, (call, _) in enumerate(calls):
        print("        IndexedValues r%d = x.%s;" % (i, call))
    print("        backward(200, %s);" % ", ".join("r%d.values()" % i for i in range(len(calls))))
    print()
    for i, (call, _) in enumerate(calls):
        print("        assertArrayEquals(new int[] {%s}, r%d.values().shape().dims());" % (
            ", ".join(str(d) for d in results[i][0].shape), i))
        values("values of %s" % call, "r%d.values()" % i, results[i][0])
        indices("indices of %s" % call, "r%d.indices()" % i, results[i][1])
    values("gradient", "x.grad()", x.grad)
    print("    }")


def argsort_case(method, calls):
    """calls: (java_call, torch_fn) on TIES [3, 6], indices alone."""
    begin(method, "; ".join(c for c, _ in calls))
    print("        Tensor x = Tensor.fromArray(TIES, 3, 6).to(dtype);")
    for call, fn in calls:
        indices(call, "x.%s" % call, fn(TIES))
    print("    }")


def integer_case(method, calls):
    """calls: (variable, java_call, torch_fn) on INTEGERS [2, 7] in I32 and I64: values and indices."""
    begin(method, "; ".join(c for _, c, _ in calls), floating=False)
    print("        Tensor x = Tensor.fromArray(INTEGERS, 2, 7).to(dtype);")
    for name, call, fn in calls:
        r = fn(INTEGERS)
        print("        IndexedValues %s = x.%s;" % (name, call))
        print('        assertArrayEquals(new long[] {%s},\n                %s.values().toLongArray(), "values of %s");' % (
            wrap([str(int(v)) for v in r[0].reshape(-1)]), name, call))
        indices("indices of %s" % call, "%s.indices()" % name, r[1])
    print("    }")


print(HEADER % (literal(TIES), literal(TIES[1:]), literal(EIGHTHS), literal(INTEGERS)), end="")
sorted_case("sortAlongRowsKeepsTiesInOrderWithNaNAboveEveryNumber", "TIES", TIES, [
    ("sort(1, false)", lambda x: torch.sort(x, dim=1, descending=False, stable=True)),
    ("sort(1, true)", lambda x: torch.sort(x, dim=1, descending=True, stable=True))])
sorted_case("sortAlongColumns", "TIES", TIES, [
    ("sort(0, false)", lambda x: torch.sort(x, dim=0, descending=False, stable=True)),
    ("sort(-2, true)", lambda x: torch.sort(x, dim=-2, descending=True, stable=True))])
sorted_case("sortAlongEachAxisOfARankThreeTensorWithTies", "EIGHTHS", EIGHTHS, [
    ("sort(0, false)", lambda x: torch.sort(x, dim=0, descending=False, stable=True)),
    ("sort(1, true)", lambda x: torch.sort(x, dim=1, descending=True, stable=True)),
    ("sort(2, false)", lambda x: torch.sort(x, dim=2, descending=False, stable=True))])
argsort_case("argsortHoldsTheStableSortsIndices", [
    ("argsort(1, true)", lambda x: torch.argsort(x, dim=1, descending=True, stable=True)),
    ("argsort(0, false)", lambda x: torch.argsort(x, dim=0, descending=False, stable=True))])
pattern_case("topkLargestAndSmallestAlongEachAxis", 100, (4, 9), [
    ("topk(3, 1, true, true)", lambda x: torch.topk(x, 3, 1, largest=True, sorted=True)),
    ("topk(4, 1, false, true)", lambda x: torch.topk(x, 4, 1, largest=False, sorted=True)),
    ("topk(2, 0, true, true)", lambda x: torch.topk(x, 2, 0, largest=True, sorted=True))])
pattern_case("kthvalueAlongEachAxis", 101, (4, 9), [
    ("kthvalue(4, 1, false)", lambda x: torch.kthvalue(x, 4, 1, keepdim=False)),
    ("kthvalue(2, 0, true)", lambda x: torch.kthvalue(x, 2, 0, keepdim=True))])
pattern_case("medianIsTheLowerMiddleOfAnOddOrEvenAxis", 102, (4, 8), [
    ("median(1, false)", lambda x: torch.median(x, 1, keepdim=False)),
    ("median(0, true)", lambda x: torch.median(x, 0, keepdim=True))])
sorted_case("medianIsNaNAtTheFirstNaNAndTopkTakesNaNFirst", "NAN_ROWS", TIES[1:], [
    ("median(1, false)", lambda x: torch.median(x, 1, keepdim=False)),
    ("topk(2, 1, true, true)", lambda x: torch.topk(x, 2, 1, largest=True, sorted=True)),
    ("kthvalue(2, 1, false)", lambda x: torch.kthvalue(x, 2, 1, keepdim=False))])
integer_case("integersSortTopkKthvalueAndMedian", [
    ("ascending", "sort(1, false)", lambda x: torch.sort(x, dim=1, descending=False, stable=True)),
    ("descending", "sort(1, true)", lambda x: torch.sort(x, dim=1, descending=True, stable=True)),
    ("columns", "sort(0, true)", lambda x: torch.sort(x, dim=0, descending=True, stable=True)),
    ("largest", "topk(1, 0, true, true)", lambda x: torch.topk(x, 1, 0, largest=True, sorted=True)),
    ("third", "kthvalue(3, 1, false)", lambda x: torch.kthvalue(x, 3, 1)),
    ("median", "median(1, false)", lambda x: torch.median(x, 1))])
print("}")
