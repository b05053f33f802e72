"""Prints MoreLossesPyTorchParityTest: SoftMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss,
MultiLabelMarginLoss and TripletMarginWithDistanceLoss, and CrossEntropyLoss's, NLLLoss's and BCEWithLogitsLoss's
K-dimensional inputs, unbatched inputs and class-probability targets; each loss and its inputs' gradients of a
weighted sum of the loss, in F64 (run with /usr/bin/python3, which has torch 1.13, and redirect into the test's file).
"""
import torch.nn as nn
import torch.nn.functional as F
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The margin and multi-label losses, and the K-dimensional, unbatched and class-probability forms of the
 * class losses, against PyTorch 1.13 (numbers printed by {@code models/src/test/pytorch/more_losses.py}): each
 * reduction's loss, its shape, and the gradient of each input that requires one, of a weighted sum of the loss
 * (see {@link PyTorchParity}). Inputs are parity.py's patterns; targets are literals, or a softmax of a pattern.
 */
class MoreLossesPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A tensor of {@code values} in {@code dtype}, shaped {@code dims}. */
    private static Tensor constant(DType dtype, double[] values, int... dims) {
        return Tensor.fromArray(values, dims).to(dtype);
    }

    /** I64 class indices shaped {@code dims}. */
    private static Tensor classes(long[] values, int... dims) {
        return Tensor.fromArray(values, dims);
    }

    /** I32 class indices shaped {@code dims}. */
    private static Tensor classesI32(int[] values, int... dims) {
        return Tensor.fromArray(values, dims);
    }

    /** Positive weights [n]: {@code pattern(n, seed) + 1}. */
    private static Tensor positive(DType dtype, int seed, int n) {
        return values(seed, n).add(1).to(dtype);
    }

    /** Values in [0, 1]: {@code pattern + 0.5}, shaped {@code dims}. */
    private static Tensor unitInterval(DType dtype, int seed, int... dims) {
        return values(seed, dims).add(0.5).to(dtype);
    }

    /** Class probabilities: the softmax over {@code axis} of the pattern shaped {@code dims}. */
    private static Tensor probabilities(DType dtype, int seed, int axis, int... dims) {
        return F.softmax(values(seed, dims), axis).to(dtype);
    }

    /** {@code 1 - cos(x, y)} over the last axis, PyTorch's {@code 1 - F.cosine_similarity(x, y, dim=-1)}. */
    private static Tensor cosineDistance(Tensor x, Tensor y) {
        int axis = x.rank() - 1;
        Tensor norms = x.norm(2, new int[] {axis}, false).mul(y.norm(2, new int[] {axis}, false));
        return x.mul(y).sum(axis, false).div(norms).neg().add(1);
    }
'''


def longs(values):
    return "new long[] {%s}" % ", ".join(str(v) for v in values)


def ints(values):
    return "new int[] {%s}" % ", ".join(str(v) for v in values)


def doubles(values):
    return "new double[] {%s}" % ", ".join(repr(float(v)) for v in values)


def dims(shape):
    return "".join(", %d" % d for d in shape)


class Input:
    """A tensor both sides build alike: its Python value and the Java expression that makes it."""

    def __init__(self, value, java, grad=False):
        self.value, self.java, self.grad = value, java, grad


def leaf(seed, *shape):
    return Input(tensor(seed, *shape), "tensor(dtype, %d%s)" % (seed, dims(shape)), grad=True)


def literal_leaf(values, *shape):
    return Input(torch.tensor(values).reshape(shape).requires_grad_(True),
                 "constant(dtype, %s%s).requiresGrad(true)" % (doubles(values), dims(shape)), grad=True)


def constant(values, *shape):
    return Input(torch.tensor(values, dtype=torch.float64).reshape(shape),
                 "constant(dtype, %s%s)" % (doubles(values), dims(shape)))


def classes(values, *shape):
    return Input(torch.tensor(values).reshape(shape), "classes(%s%s)" % (longs(values), dims(shape)))


def classes_i32(values, *shape):
    return Input(torch.tensor(values).reshape(shape), "classesI32(%s%s)" % (ints(values), dims(shape)))


def positive(seed, n):
    return Input(pattern(n, seed) + 1, "positive(dtype, %d, %d)" % (seed, n))


def unit_interval(seed, *shape):
    n = 1
    for d in shape:
        n *= d
    return Input(pattern(n, seed).reshape(shape) + 0.5, "unitInterval(dtype, %d%s)" % (seed, dims(shape)))


def probabilities(seed, axis, *shape, grad=False):
    n = 1
    for d in shape:
        n *= d
    value = torch.softmax(pattern(n, seed).reshape(shape), axis).requires_grad_(grad)
    java = "probabilities(dtype, %d, %d%s)" % (seed, axis, dims(shape))
    return Input(value, java + (".requiresGrad(true)" if grad else ""), grad=grad)


def case(method, comment, inputs, java_loss, torch_loss):
    """One test: inputs (a dict of name to Input, in order), the Java loss expression over their names, and the same
    loss in torch over their values."""
    out = torch_loss(**{name: i.value for name, i in inputs.items()})
    backward([out], [200])
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // %s, PyTorch 1.13" % comment)
    for name, i in inputs.items():
        print("        Tensor %s = %s;" % (name, i.java))
    print("        Tensor loss = %s;" % java_loss)
    print("        backward(200, loss);")
    print()
    print("        assertArrayEquals(new int[] {%s}, loss.shape().dims());" % ", ".join(map(str, out.shape)))
    emit_values("loss", "loss", out)
    for name, i in inputs.items():
        if i.grad:
            emit_values("gradient of %s" % name, "%s.grad()" % name, i.value.grad)
    print("    }")


REDUCTIONS = [("Mean", "mean", "MEAN"), ("Sum", "sum", "SUM"), ("None", "none", "NONE")]

print(HEADER, end="")

# ---- SoftMarginLoss: targets 1 and -1 ----
SIGNS = [1, -1, -1, 1, -1, 1, 1, -1, 1, 1, -1, -1]
for title, r, java_r in REDUCTIONS:
    case("softMargin" + title, "torch.nn.SoftMarginLoss(reduction='%s')(x, y)" % r,
         {"x": leaf(100, 3, 4), "y": constant(SIGNS, 3, 4)},
         "new SoftMarginLoss(Reduction.%s).compute(x, y)" % java_r,
         lambda x, y: nn.SoftMarginLoss(reduction=r)(x, y))
case("softMarginOfRankThree", "torch.nn.SoftMarginLoss(reduction='none')(x, y) on [2, 3, 2]",
     {"x": leaf(100, 2, 3, 2), "y": constant(SIGNS, 2, 3, 2)},
     "new SoftMarginLoss(Reduction.NONE).compute(x, y)", lambda x, y: nn.SoftMarginLoss(reduction='none')(x, y))
case("softMarginOfLargeMargins", "torch.nn.SoftMarginLoss()(x, y), |x| up to 40",
     {"x": literal_leaf([40.0, -40.0, 3.0, -3.0, 0.0, 12.5], 6), "y": constant([1, 1, -1, -1, 1, -1], 6)},
     "new SoftMarginLoss().compute(x, y)", lambda x, y: nn.SoftMarginLoss()(x, y))

# ---- MultiLabelSoftMarginLoss: 0/1 targets and two fractional ones ----
LABELS = [1, 0, 0, 1, 0, 1, 1, 0, 0.25, 1, 0, 0.75]
for title, r, java_r in REDUCTIONS:
    case("multiLabelSoftMargin" + title, "torch.nn.MultiLabelSoftMarginLoss(reduction='%s')(x, y)" % r,
         {"x": leaf(100, 3, 4), "y": constant(LABELS, 3, 4)},
         "new MultiLabelSoftMarginLoss(Reduction.%s).compute(x, y)" % java_r,
         lambda x, y: nn.MultiLabelSoftMarginLoss(reduction=r)(x, y))
for title, r, java_r in [("Mean", "mean", "MEAN"), ("None", "none", "NONE")]:
    case("multiLabelSoftMarginWeighted" + title,
         "torch.nn.MultiLabelSoftMarginLoss(weight=w, reduction='%s')(x, y), w = pattern(4, 101) + 1" % r,
         {"x": leaf(100, 3, 4), "y": constant(LABELS, 3, 4), "w": positive(101, 4)},
         "new MultiLabelSoftMarginLoss(w, Reduction.%s).compute(x, y)" % java_r,
         lambda x, y, w: nn.MultiLabelSoftMarginLoss(weight=w, reduction=r)(x, y))
case("multiLabelSoftMarginUnbatched", "torch.nn.MultiLabelSoftMarginLoss(reduction='none')(x, y) on [4]",
     {"x": leaf(100, 4), "y": constant(LABELS[:4], 4)},
     "new MultiLabelSoftMarginLoss(Reduction.NONE).compute(x, y)",
     lambda x, y: nn.MultiLabelSoftMarginLoss(reduction='none')(x, y))
case("multiLabelSoftMarginOfRankThree", "torch.nn.MultiLabelSoftMarginLoss(reduction='none')(x, y) on [2, 3, 4]",
     {"x": leaf(100, 2, 3, 4), "y": constant(LABELS + LABELS[::-1], 2, 3, 4)},
     "new MultiLabelSoftMarginLoss(Reduction.NONE).compute(x, y)",
     lambda x, y: nn.MultiLabelSoftMarginLoss(reduction='none')(x, y))

# ---- MultiMarginLoss ----
for p in (1, 2):
    for title, r, java_r in REDUCTIONS:
        case("multiMarginP%d%s" % (p, title), "torch.nn.MultiMarginLoss(p=%d, reduction='%s')(x, y)" % (p, r),
             {"x": leaf(100, 3, 5), "y": classes([4, 0, 2], 3)},
             "new MultiMarginLoss(%d, 1, null, Reduction.%s).compute(x, y)" % (p, java_r),
             lambda x, y: nn.MultiMarginLoss(p=p, reduction=r)(x, y))
case("multiMarginP2WithMarginAndWeightMean",
     "torch.nn.MultiMarginLoss(p=2, margin=0.3, weight=w)(x, y), w = pattern(5, 101) + 1",
     {"x": leaf(100, 3, 5), "y": classes([4, 0, 2], 3), "w": positive(101, 5)},
     "new MultiMarginLoss(2, 0.3, w, Reduction.MEAN).compute(x, y)",
     lambda x, y, w: nn.MultiMarginLoss(p=2, margin=0.3, weight=w)(x, y))
case("multiMarginP1WeightedNone", "torch.nn.MultiMarginLoss(weight=w, reduction='none')(x, y), w = pattern(5, 101) + 1",
     {"x": leaf(100, 3, 5), "y": classes([4, 0, 2], 3), "w": positive(101, 5)},
     "new MultiMarginLoss(1, 1, w, Reduction.NONE).compute(x, y)",
     lambda x, y, w: nn.MultiMarginLoss(weight=w, reduction='none')(x, y))
case("multiMarginUnbatched", "torch.nn.MultiMarginLoss(p=2, reduction='none')(x, y) on [5] with a scalar target",
     {"x": leaf(100, 5), "y": classes([3])},
     "new MultiMarginLoss(2, 1, null, Reduction.NONE).compute(x, y)",
     lambda x, y: nn.MultiMarginLoss(p=2, reduction='none')(x, y))
case("multiMarginOfI32Targets", "torch.nn.MultiMarginLoss()(x, y) with y as int64 (PyTorch takes no int32)",
     {"x": leaf(100, 3, 5), "y": classes_i32([4, 0, 2], 3)},
     "new MultiMarginLoss().compute(x, y)", lambda x, y: nn.MultiMarginLoss()(x, y))

# ---- MultiLabelMarginLoss: row 0's targets {3, 0} end at -1 (the 1 and 2 after it do not count), row 1 lists
# class 1 twice, row 2 lists every class (loss 0) ----
TARGET_LISTS = [3, 0, -1, 1, 2, 1, 1, 4, -1, -1, 0, 1, 2, 3, 4]
for title, r, java_r in REDUCTIONS:
    case("multiLabelMargin" + title, "torch.nn.MultiLabelMarginLoss(reduction='%s')(x, y)" % r,
         {"x": leaf(100, 3, 5), "y": classes(TARGET_LISTS, 3, 5)},
         "new MultiLabelMarginLoss(Reduction.%s).compute(x, y)" % java_r,
         lambda x, y: nn.MultiLabelMarginLoss(reduction=r)(x, y))
case("multiLabelMarginWithTermsUnderTheMargin", "torch.nn.MultiLabelMarginLoss(reduction='none')(x, y), |x| up to 2",
     {"x": literal_leaf([2.0, -1.5, 0.25, 1.0, -0.5, 0.0, 1.75, -2.0, 0.5, 1.25], 2, 5),
      "y": classes([0, 3, -1, 0, 0, 1, -1, 2, 2, 2], 2, 5)},
     "new MultiLabelMarginLoss(Reduction.NONE).compute(x, y)",
     lambda x, y: nn.MultiLabelMarginLoss(reduction='none')(x, y))
case("multiLabelMarginUnbatched", "torch.nn.MultiLabelMarginLoss(reduction='none')(x, y) on [5]",
     {"x": leaf(101, 5), "y": classes([2, 4, -1, 0, 0], 5)},
     "new MultiLabelMarginLoss(Reduction.NONE).compute(x, y)",
     lambda x, y: nn.MultiLabelMarginLoss(reduction='none')(x, y))
case("multiLabelMarginOfI32Targets", "torch.nn.MultiLabelMarginLoss()(x, y) with y as int64 (PyTorch takes no int32)",
     {"x": leaf(100, 3, 5), "y": classes_i32(TARGET_LISTS, 3, 5)},
     "new MultiLabelMarginLoss().compute(x, y)", lambda x, y: nn.MultiLabelMarginLoss()(x, y))

# ---- TripletMarginWithDistanceLoss ----
def triplet(*shape):
    return {"a": leaf(100, *shape), "p": leaf(101, *shape), "n": leaf(102, *shape)}


for title, r, java_r in REDUCTIONS:
    case("tripletWithDistance" + title,
         "torch.nn.TripletMarginWithDistanceLoss(margin=2.0, reduction='%s')(a, p, n)" % r, triplet(3, 4),
         "new TripletMarginWithDistanceLoss(null, 2, false, Reduction.%s).compute(a, p, n)" % java_r,
         lambda a, p, n: nn.TripletMarginWithDistanceLoss(margin=2.0, reduction=r)(a, p, n))
case("tripletWithDistanceDefaults", "torch.nn.TripletMarginWithDistanceLoss()(a, p, n)", triplet(3, 4),
     "new TripletMarginWithDistanceLoss().compute(a, p, n)",
     lambda a, p, n: nn.TripletMarginWithDistanceLoss()(a, p, n))
case("tripletWithDistanceSwap",
     "torch.nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True, reduction='none')(a, p, n); every row swaps",
     triplet(3, 4), "new TripletMarginWithDistanceLoss(null, 2, true, Reduction.NONE).compute(a, p, n)",
     lambda a, p, n: nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True, reduction='none')(a, p, n))
case("tripletWithCosineDistance",
     "torch.nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1 - F.cosine_similarity(x, y),"
     " margin=0.5, reduction='none')(a, p, n)", triplet(3, 4),
     "new TripletMarginWithDistanceLoss(MoreLossesPyTorchParityTest::cosineDistance, 0.5, false, Reduction.NONE)"
     ".compute(a, p, n)",
     lambda a, p, n: nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1 - F.cosine_similarity(x, y),
                                                      margin=0.5, reduction='none')(a, p, n))
case("tripletWithL1PairwiseDistanceAndSwap",
     "torch.nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1, eps=0.01), margin=2.0,"
     " swap=True, reduction='sum')(a, p, n)", triplet(3, 4),
     "new TripletMarginWithDistanceLoss(new PairwiseDistance(1, 0.01, false), 2, true, Reduction.SUM).compute(a, p, n)",
     lambda a, p, n: nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1, eps=0.01),
                                                      margin=2.0, swap=True, reduction='sum')(a, p, n))
case("tripletWithDistanceUnbatched",
     "torch.nn.TripletMarginWithDistanceLoss(margin=2.0, reduction='none')(a, p, n) on [4]", triplet(4),
     "new TripletMarginWithDistanceLoss(null, 2, false, Reduction.NONE).compute(a, p, n)",
     lambda a, p, n: nn.TripletMarginWithDistanceLoss(margin=2.0, reduction='none')(a, p, n))

# ---- CrossEntropyLoss on [2, 3, 2, 2]: one position ignored (-100); with ignore_index=1, three ----
POSITIONS = [0, 2, 1, -100, 2, 2, 0, 1]
POSITIONS_1 = [0, 2, 1, 1, 2, 1, 0, 1]
for title, r, java_r in REDUCTIONS:
    case("crossEntropyFourDimensional" + title,
         "torch.nn.CrossEntropyLoss(reduction='%s')(x, y) on [2, 3, 2, 2] and [2, 2, 2]" % r,
         {"x": leaf(100, 2, 3, 2, 2), "y": classes(POSITIONS, 2, 2, 2)},
         "new CrossEntropyLoss(Reduction.%s).compute(x, y)" % java_r,
         lambda x, y: nn.CrossEntropyLoss(reduction=r)(x, y))
case("crossEntropyFourDimensionalWeighted",
     "torch.nn.CrossEntropyLoss(weight=w)(x, y) on [2, 3, 2, 2], w = pattern(3, 101) + 1",
     {"x": leaf(100, 2, 3, 2, 2), "y": classes(POSITIONS, 2, 2, 2), "w": positive(101, 3)},
     "new CrossEntropyLoss(w).compute(x, y)", lambda x, y, w: nn.CrossEntropyLoss(weight=w)(x, y))
case("crossEntropyFourDimensionalWeightedSmoothedMean",
     "torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.2)(x, y) on [2, 3, 2, 2]",
     {"x": leaf(100, 2, 3, 2, 2), "y": classes(POSITIONS, 2, 2, 2), "w": positive(101, 3)},
     "new CrossEntropyLoss(w, 0.2, -100, Reduction.MEAN).compute(x, y)",
     lambda x, y, w: nn.CrossEntropyLoss(weight=w, label_smoothing=0.2)(x, y))
case("crossEntropyFourDimensionalWeightedSmoothedIgnoringClass1None",
     "torch.nn.CrossEntropyLoss(weight=w, ignore_index=1, label_smoothing=0.1, reduction='none')(x, y)",
     {"x": leaf(100, 2, 3, 2, 2), "y": classes(POSITIONS_1, 2, 2, 2), "w": positive(101, 3)},
     "new CrossEntropyLoss(w, 0.1, 1, Reduction.NONE).compute(x, y)",
     lambda x, y, w: nn.CrossEntropyLoss(weight=w, ignore_index=1, label_smoothing=0.1, reduction='none')(x, y))
case("crossEntropyFourDimensionalSmoothedIgnoringClass1Mean",
     "torch.nn.CrossEntropyLoss(ignore_index=1, label_smoothing=0.3)(x, y) on [2, 3, 2, 2]",
     {"x": leaf(100, 2, 3, 2, 2), "y": classes(POSITIONS_1, 2, 2, 2)},
     "new CrossEntropyLoss(0.3, 1, Reduction.MEAN).compute(x, y)",
     lambda x, y: nn.CrossEntropyLoss(ignore_index=1, label_smoothing=0.3)(x, y))
case("crossEntropyFourDimensionalSmoothedSum",
     "torch.nn.CrossEntropyLoss(label_smoothing=0.3, reduction='sum')(x, y) on [2, 3, 2, 2]",
     {"x": leaf(100, 2, 3, 2, 2), "y": classes(POSITIONS, 2, 2, 2)},
     "new CrossEntropyLoss(0.3, Reduction.SUM).compute(x, y)",
     lambda x, y: nn.CrossEntropyLoss(label_smoothing=0.3, reduction='sum')(x, y))
case("crossEntropyThreeDimensionalOfI32Targets",
     "torch.nn.CrossEntropyLoss(label_smoothing=0.1)(x, y) on [2, 3, 4] and [2, 4] (y int64 there)",
     {"x": leaf(100, 2, 3, 4), "y": classes_i32([0, 1, 2, 1, 2, 2, 0, 1], 2, 4)},
     "new CrossEntropyLoss(0.1).compute(x, y)", lambda x, y: nn.CrossEntropyLoss(label_smoothing=0.1)(x, y))
case("crossEntropyUnbatched", "torch.nn.CrossEntropyLoss(reduction='none')(x, y) on [4] with a scalar target",
     {"x": leaf(100, 4), "y": classes([2])},
     "new CrossEntropyLoss(Reduction.NONE).compute(x, y)",
     lambda x, y: nn.CrossEntropyLoss(reduction='none')(x, y))
case("crossEntropyUnbatchedWeightedSmoothed",
     "torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.2)(x, y) on [4] with a scalar target",
     {"x": leaf(100, 4), "y": classes([2]), "w": positive(101, 4)},
     "new CrossEntropyLoss(w, 0.2, -100, Reduction.MEAN).compute(x, y)",
     lambda x, y, w: nn.CrossEntropyLoss(weight=w, label_smoothing=0.2)(x, y))
case("crossEntropyWithLabelSmoothingOne", "torch.nn.CrossEntropyLoss(label_smoothing=1.0)(x, y)",
     {"x": leaf(100, 3, 4), "y": classes([2, 0, 3], 3)},
     "new CrossEntropyLoss(1.0).compute(x, y)", lambda x, y: nn.CrossEntropyLoss(label_smoothing=1.0)(x, y))

# ---- CrossEntropyLoss with class probabilities (a target of the input's shape) ----
for title, r, java_r in REDUCTIONS:
    case("crossEntropyOfProbabilities" + title,
         "torch.nn.CrossEntropyLoss(reduction='%s')(x, t), t = softmax(pattern(12, 103).reshape(3, 4), 1)" % r,
         {"x": leaf(100, 3, 4), "t": probabilities(103, 1, 3, 4, grad=True)},
         "new CrossEntropyLoss(Reduction.%s).compute(x, t)" % java_r,
         lambda x, t: nn.CrossEntropyLoss(reduction=r)(x, t))
for title, r, java_r in [("Mean", "mean", "MEAN"), ("None", "none", "NONE")]:
    case("crossEntropyOfProbabilitiesWeighted" + title,
         "torch.nn.CrossEntropyLoss(weight=w, reduction='%s')(x, t), w = pattern(4, 101) + 1" % r,
         {"x": leaf(100, 3, 4), "t": probabilities(103, 1, 3, 4), "w": positive(101, 4)},
         "new CrossEntropyLoss(w, 0, -100, Reduction.%s).compute(x, t)" % java_r,
         lambda x, t, w: nn.CrossEntropyLoss(weight=w, reduction=r)(x, t))
case("crossEntropyOfProbabilitiesSmoothed", "torch.nn.CrossEntropyLoss(label_smoothing=0.2)(x, t)",
     {"x": leaf(100, 3, 4), "t": probabilities(103, 1, 3, 4, grad=True)},
     "new CrossEntropyLoss(0.2).compute(x, t)", lambda x, t: nn.CrossEntropyLoss(label_smoothing=0.2)(x, t))
case("crossEntropyOfProbabilitiesWeightedSmoothedSum",
     "torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.1, reduction='sum')(x, t)",
     {"x": leaf(100, 3, 4), "t": probabilities(103, 1, 3, 4), "w": positive(101, 4)},
     "new CrossEntropyLoss(w, 0.1, -100, Reduction.SUM).compute(x, t)",
     lambda x, t, w: nn.CrossEntropyLoss(weight=w, label_smoothing=0.1, reduction='sum')(x, t))
for title, r, java_r in [("Mean", "mean", "MEAN"), ("None", "none", "NONE")]:
    case("crossEntropyOfProbabilitiesFourDimensionalWeighted" + title,
         "torch.nn.CrossEntropyLoss(weight=w, reduction='%s')(x, t) on [2, 3, 2, 2], t a softmax over axis 1" % r,
         {"x": leaf(100, 2, 3, 2, 2), "t": probabilities(103, 1, 2, 3, 2, 2, grad=True), "w": positive(101, 3)},
         "new CrossEntropyLoss(w, 0, -100, Reduction.%s).compute(x, t)" % java_r,
         lambda x, t, w: nn.CrossEntropyLoss(weight=w, reduction=r)(x, t))
case("crossEntropyOfProbabilitiesUnbatched", "torch.nn.CrossEntropyLoss(reduction='none')(x, t) on [4]",
     {"x": leaf(100, 4), "t": probabilities(103, 0, 4)},
     "new CrossEntropyLoss(Reduction.NONE).compute(x, t)",
     lambda x, t: nn.CrossEntropyLoss(reduction='none')(x, t))

# ---- NLLLoss on [2, 3, 4] scores (any values: NLLLoss does not need log-probabilities) ----
NLL_TARGETS = [0, 2, -100, 1, 2, 1, 1, 0]
for title, r, java_r in REDUCTIONS:
    case("nllThreeDimensionalWeighted" + title,
         "torch.nn.NLLLoss(weight=w, reduction='%s')(x, y) on [2, 3, 4] and [2, 4]" % r,
         {"x": leaf(100, 2, 3, 4), "y": classes(NLL_TARGETS, 2, 4), "w": positive(101, 3)},
         "new NLLLoss(w, -100, Reduction.%s).compute(x, y)" % java_r,
         lambda x, y, w: nn.NLLLoss(weight=w, reduction=r)(x, y))
case("nllFourDimensionalWeightedIgnoringClass1",
     "torch.nn.NLLLoss(weight=w, ignore_index=1)(x, y) on [2, 3, 2, 2]",
     {"x": leaf(100, 2, 3, 2, 2), "y": classes(POSITIONS_1, 2, 2, 2), "w": positive(101, 3)},
     "new NLLLoss(w, 1, Reduction.MEAN).compute(x, y)",
     lambda x, y, w: nn.NLLLoss(weight=w, ignore_index=1)(x, y))

# ---- BCEWithLogitsLoss's pos_weight over the last axis of a rank-3 input ----
for title, r, java_r in [("Mean", "mean", "MEAN"), ("None", "none", "NONE")]:
    case("bceWithLogitsPosWeightOfRankThree" + title,
         "torch.nn.BCEWithLogitsLoss(pos_weight=w, reduction='%s')(x, y) on [2, 2, 3], w = pattern(3, 101) + 1" % r,
         {"x": leaf(100, 2, 2, 3), "y": unit_interval(103, 2, 2, 3), "w": positive(101, 3)},
         "new BCEWithLogitsLoss(w, Reduction.%s).compute(x, y)" % java_r,
         lambda x, y, w: nn.BCEWithLogitsLoss(pos_weight=w, reduction=r)(x, y))
print("}")
