"""Prints UnpoolBagPyTorchParityTest: max pooling's indices and unpooling (1-D, 2-D and 3-D), ConvTranspose1d,
EmbeddingBag, the 1-D adaptive poolings and LPPool1d/LPPool2d."""
from parity import *
import torch.nn.functional as Fn

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.pattern;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Max pooling's indices and {@link MaxUnpool3d}/{@link MaxUnpool2d}/{@link MaxUnpool1d}, {@link ConvTranspose1d},
 * {@link EmbeddingBag}, {@link AdaptiveAvgPool1d}/{@link AdaptiveMaxPool1d} and {@link LPPool1d}/{@link LPPool2d}
 * against PyTorch's own numbers (printed by {@code models/src/test/pytorch/unpool_bag.py}): outputs, indices, and the
 * gradients of the inputs and of every parameter for a weighted sum of the outputs (see {@link PyTorchParity}). The
 * unpoolings include overlapping windows whose indices repeat (PyTorch's CPU keeps the last value), inputs with tied
 * maxima (the first wins), and power pools with windows of zeros (no gradient, not NaN); the 3-D max poolings include
 * dilated windows.
 */
class UnpoolBagPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** {@code round(3 * pattern(seed))}: values in {-2, ..., 2}, so that many windows hold tied maxima. */
    private static Tensor ties(DType dtype, int seed, int... dims) {
        int n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        double[] v = pattern(n, seed);
        for (int i = 0; i < n; i++) {
            v[i] = Math.rint(3 * v[i]);
        }
        return Tensor.fromArray(v, dims).to(dtype).requiresGrad(true);
    }

    /** An F64 mask of {@code dims}, 1 at the flat positions given, 0 elsewhere. */
    private static Tensor mask(DType dtype, int[] ones, int... dims) {
        double[] v = new double[Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
        for (int i : ones) {
            v[i] = 1;
        }
        return Tensor.fromArray(v, dims).to(dtype);
    }

    private static void assertIndices(long[] expected, Tensor indices) {
        assertArrayEquals(expected, indices.toLongArray(), "indices " + indices.shape());
    }
'''


def java_longs(values):
    return "new long[] {" + ", ".join(str(int(v)) for v in values) + "}"


def dims_text(dims):
    return ", ".join(map(str, dims))


def start(method, title):
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")


def repeats(indices, spatial):
    """How many indices repeat one already seen in their plane (or volume: the last `spatial` axes), which PyTorch's
    CPU unpooling overwrites with the last."""
    planes = indices.reshape(-1, int(torch.tensor(indices.shape[-spatial:]).prod()))
    return sum(len(p) - len(set(p.tolist())) for p in planes)


def roundtrip(method, title, java_pool, java_unpool, pool, unpool_args, dims, ties=False, other=False,
              output_size=None, spatial=None):
    """pool(x) with indices, then unpool (of the pooled values, or of another tensor z): both outputs, the
    indices, and the gradients of x (and z) for a weighted sum of the unpooled and the pooled output. `spatial`
    (default: all axes after batch and channels) counts the pooled axes."""
    start(method, title)
    maker = "ties" if ties else "tensor"
    print("        Tensor x = %s(dtype, 100, %s);" % (maker, dims_text(dims)))
    print("        F.MaxPoolOutput pooled = %s.forwardWithIndices(x);" % java_pool)
    x = torch.round(3 * tensor(100, *dims, grad=False)).requires_grad_(True) if ties else tensor(100, *dims)
    out, idx = pool(x)
    source = "pooled.output()"
    z = out
    if other:
        print("        Tensor z = tensor(dtype, 300, %s);" % dims_text(list(out.shape)))
        source = "z"
        z = tensor(300, *out.shape)
    size_java = "" if output_size is None else ", " + output_size[0]
    print("        Tensor y = %s.forward(%s, pooled.indices()%s);" % (java_unpool, source, size_java))
    print("        backward(200, y, pooled.output());")
    kwargs = {} if output_size is None else {"output_size": output_size[1]}
    y = unpool_args(z, idx, **kwargs)
    backward([y, out], [200, 201])
    spatial = len(dims) - 2 if spatial is None else spatial
    print("        // %d of the %d indices repeat one before them in their plane"
          % (repeats(idx, spatial), idx.numel()))
    print()
    emit_values("pooled", "pooled.output()", out)
    print("        assertIndices(%s, pooled.indices());" % java_longs(idx.reshape(-1)))
    emit_values("unpooled", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    if other:
        emit_values("unpooled input gradient", "z.grad()", z.grad)
    print("    }")


def pooled_indices(method, title, java_pool, pool, dims):
    """pool(x) with indices of an input of tied values: the output, the indices and the input gradient for a
    weighted sum of the output."""
    start(method, title)
    print("        Tensor x = ties(dtype, 100, %s);" % dims_text(dims))
    print("        F.MaxPoolOutput pooled = %s.forwardWithIndices(x);" % java_pool)
    print("        backward(200, pooled.output());")
    x = torch.round(3 * tensor(100, *dims, grad=False)).requires_grad_(True)
    out, idx = pool(x)
    backward([out], [200])
    print()
    emit_values("pooled", "pooled.output()", out)
    print("        assertIndices(%s, pooled.indices());" % java_longs(idx.reshape(-1)))
    emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


def simple(method, title, java_build, fn, dims, java_input="x", input_fn=lambda x: x):
    """fn(input_fn(x)) for x = tensor(100, *dims): output and input gradient."""
    start(method, title)
    print("        Tensor x = tensor(dtype, 100, %s);" % dims_text(dims))
    print("        Tensor y = %s.forward(%s);" % (java_build, java_input))
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = fn(input_fn(x))
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


def with_parameters(method, title, java_type, java_build, m, dims):
    """m(x) with every parameter loaded from pattern(): output, input and parameter gradients."""
    start(method, title)
    print("        %s layer = (%s) %s.to(dtype);" % (java_type, java_type, java_build))
    emit_load("layer", load(m))
    print("        Tensor x = tensor(dtype, 100, %s);" % dims_text(dims))
    print("        Tensor y = layer.forward(x);")
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = m(x)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    print("    }")


def bag(method, title, java_build, m, indices, offsets=None, weights_dims=None, used=None):
    """An EmbeddingBag with its weight from pattern() on fixed indices (and offsets, and per-sample weights from
    pattern seed 300): output and the gradients of the weight (and the per-sample weights). With `used` (n, offsets),
    PyTorch runs on the first n indices and weights with those offsets instead."""
    start(method, title)
    print("        EmbeddingBag layer = (EmbeddingBag) %s.to(dtype);" % java_build)
    emit_load("layer", load(m))
    idx = torch.tensor(indices)
    print("        Tensor indices = Tensor.fromArray(%s, %s);" % (java_longs(idx.reshape(-1)), dims_text(list(idx.shape))))
    args = ["indices"]
    kwargs = {}
    if offsets is not None:
        print("        Tensor offsets = Tensor.fromArray(%s, %d);" % (java_longs(offsets), len(offsets)))
        args.append("offsets")
        kwargs["offsets"] = torch.tensor(offsets)
    psw = None
    if weights_dims is not None:
        print("        Tensor weights = tensor(dtype, 300, %s);" % dims_text(weights_dims))
        if offsets is None:
            args.append("null")
        args.append("weights")
        psw = tensor(300, *weights_dims)
        kwargs["per_sample_weights"] = psw
    print("        Tensor y = layer.forward(%s);" % ", ".join(args))
    print("        backward(200, y);")
    if used is not None:
        kwargs = {"offsets": torch.tensor(used[1]), "per_sample_weights": psw[:used[0]]}
        idx = idx[:used[0]]
    y = m(idx, **kwargs)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_grads("layer", m)
    if psw is not None:
        emit_values("per-sample weight gradient", "weights.grad()", psw.grad)
    print("    }")


def masked_lp(method, title, java_build, fn, dims, ones):
    """fn(x * mask) with mask 1 at `ones` (flat) and 0 elsewhere, so that some windows are all zeros."""
    start(method, title)
    print("        Tensor x = tensor(dtype, 100, %s);" % dims_text(dims))
    print("        Tensor y = %s.forward(x.mul(mask(dtype, new int[] {%s}, %s)));"
          % (java_build, ", ".join(map(str, ones)), dims_text(dims)))
    print("        backward(200, y);")
    x = tensor(100, *dims)
    m = torch.zeros(x.numel())
    m[ones] = 1
    y = fn(x * m.reshape(dims))
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


print(HEADER, end="")

print()
print("    // ---- MaxPool2d and MaxPool1d with indices, MaxUnpool2d and MaxUnpool1d ----")
roundtrip("maxPool2dIndicesAndUnpoolingPutTheMaximaBack",
             "torch.nn.MaxPool2d(2, return_indices=True) then torch.nn.MaxUnpool2d(2)",
             "new MaxPool2d(2)", "new MaxUnpool2d(2)",
             lambda x: Fn.max_pool2d(x, 2, return_indices=True),
             lambda z, i: Fn.max_unpool2d(z, i, 2), [2, 3, 6, 6])
roundtrip("overlappingWindowsRepeatIndicesAndTheLastValueStands",
             "torch.nn.MaxPool2d(3, stride=2, padding=1, return_indices=True), then torch.nn.MaxUnpool2d(3, 2, 1) of z",
             "new MaxPool2d(3, 2, 1)", "new MaxUnpool2d(3, 2, 1)",
             lambda x: Fn.max_pool2d(x, 3, 2, 1, return_indices=True),
             lambda z, i: Fn.max_unpool2d(z, i, 3, 2, 1), [2, 2, 7, 7], other=True)
roundtrip("tiedMaximaGiveTheFirstIndexAndUnpoolToItsSize",
             "torch.nn.MaxPool2d(3, stride=2, ceil_mode=True, return_indices=True) of round(3 x), then "
             "torch.nn.MaxUnpool2d(3, 2) to output_size (8, 8)",
             "new MaxPool2d(3, 2, 0, true)", "new MaxUnpool2d(3, 2)",
             lambda x: Fn.max_pool2d(x, 3, 2, 0, ceil_mode=True, return_indices=True),
             lambda z, i, output_size: Fn.max_unpool2d(z, i, 3, 2, output_size=output_size), [1, 2, 8, 8],
             ties=True, output_size=("new int[] {8, 8}", [8, 8]))
roundtrip("maxPool1dIndicesAndUnpoolingToTheInputLength",
             "torch.nn.MaxPool1d(3, stride=2, return_indices=True), then torch.nn.MaxUnpool1d(3, 2) of z to "
             "output_size [10]",
             "new MaxPool1d(3, 2)", "new MaxUnpool1d(3, 2)",
             lambda x: Fn.max_pool1d(x, 3, 2, return_indices=True),
             lambda z, i, output_size: Fn.max_unpool1d(z, i, 3, 2, output_size=output_size), [2, 3, 10],
             other=True, output_size=("10", [10]))
roundtrip("maxPool1dWithTiesAndPadding",
             "torch.nn.MaxPool1d(4, stride=2, padding=2, return_indices=True) of round(3 x), then "
             "torch.nn.MaxUnpool1d(4, 2, 2)",
             "new MaxPool1d(4, 2, 2)", "new MaxUnpool1d(4, 2, 2)",
             lambda x: Fn.max_pool1d(x, 4, 2, 2, return_indices=True),
             lambda z, i: Fn.max_unpool1d(z, i, 4, 2, 2), [2, 2, 8], ties=True)

print()
print("    // ---- MaxPool3d with indices and MaxUnpool3d ----")
roundtrip("maxPool3dIndicesAndUnpoolingPutTheMaximaBack",
          "torch.nn.MaxPool3d(2, return_indices=True) then torch.nn.MaxUnpool3d(2)",
          "new MaxPool3d(2)", "new MaxUnpool3d(2)",
          lambda x: Fn.max_pool3d(x, 2, return_indices=True),
          lambda z, i: Fn.max_unpool3d(z, i, 2), [2, 2, 4, 4, 6])
roundtrip("overlapping3dWindowsOfTiesRepeatIndicesAndTheLastValueStands",
          "torch.nn.MaxPool3d(3, stride=2, padding=1, return_indices=True) of round(3 x), then "
          "torch.nn.MaxUnpool3d(3, 2, 1) of z",
          "new MaxPool3d(3, 2, 1)", "new MaxUnpool3d(3, 2, 1)",
          lambda x: Fn.max_pool3d(x, 3, 2, 1, return_indices=True),
          lambda z, i: Fn.max_unpool3d(z, i, 3, 2, 1), [1, 2, 5, 5, 5], ties=True, other=True)
roundtrip("tiedMaxima3dInCeilModeGiveTheFirstIndexAndUnpoolToTheInputSize",
          "torch.nn.MaxPool3d((2, 3, 3), stride=(1, 2, 2), ceil_mode=True, return_indices=True) of round(3 x), then "
          "torch.nn.MaxUnpool3d((2, 3, 3), (1, 2, 2)) to output_size (4, 8, 8)",
          "new MaxPool3d(new int[] {2, 3, 3}, new int[] {1, 2, 2}, new int[] {0}, true)",
          "new MaxUnpool3d(new int[] {2, 3, 3}, new int[] {1, 2, 2}, new int[] {0})",
          lambda x: Fn.max_pool3d(x, (2, 3, 3), (1, 2, 2), ceil_mode=True, return_indices=True),
          lambda z, i, output_size: Fn.max_unpool3d(z, i, (2, 3, 3), (1, 2, 2), output_size=output_size),
          [1, 2, 4, 8, 8], ties=True, output_size=("new int[] {4, 8, 8}", [4, 8, 8]))
roundtrip("maxPool3dIndicesAndUnpoolingOfAnUnbatchedInput",
          "torch.nn.MaxPool3d((2, 3, 2), return_indices=True) then torch.nn.MaxUnpool3d((2, 3, 2)) of z, "
          "unbatched [2, 4, 6, 4]",
          "new MaxPool3d(new int[] {2, 3, 2}, null, new int[] {0}, false)",
          "new MaxUnpool3d(new int[] {2, 3, 2}, null, new int[] {0})",
          lambda x: Fn.max_pool3d(x, (2, 3, 2), return_indices=True),
          lambda z, i: Fn.max_unpool3d(z, i, (2, 3, 2)), [2, 4, 6, 4], other=True, spatial=3)
pooled_indices("dilatedMaxPool3dIndicesNameTheFirstMaximumOfEachWindow",
               "torch.nn.MaxPool3d((2, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1), dilation=(2, 3, 2), "
               "return_indices=True) of round(3 x)",
               "new MaxPool3d(new int[] {2, 2, 3}, new int[] {2, 1, 2}, new int[] {1, 0, 1}, new int[] {2, 3, 2}, "
               "false)",
               lambda x: Fn.max_pool3d(x, (2, 2, 3), (2, 1, 2), (1, 0, 1), (2, 3, 2), return_indices=True),
               [2, 2, 5, 6, 7])
pooled_indices("dilatedMaxPool3dInCeilModeIndices",
               "torch.nn.MaxPool3d(3, stride=2, padding=1, dilation=2, ceil_mode=True, return_indices=True) of "
               "round(3 x)",
               "new MaxPool3d(new int[] {3}, new int[] {2}, new int[] {1}, new int[] {2}, true)",
               lambda x: Fn.max_pool3d(x, 3, 2, 1, 2, ceil_mode=True, return_indices=True), [1, 2, 6, 8, 8])

print()
print("    // ---- ConvTranspose1d ----")
with_parameters("convTranspose1dWithStridePaddingOutputPaddingAndDilation",
                "torch.nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1, dilation=2)(x)",
                "ConvTranspose1d",
                "ConvTranspose1d.builder(3, 4, 3).stride(2).padding(1).outputPadding(1).dilation(2).build()",
                torch.nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1, dilation=2), [2, 3, 5])
with_parameters("convTranspose1dWithoutBias", "torch.nn.ConvTranspose1d(2, 3, 4, bias=False)(x)",
                "ConvTranspose1d", "ConvTranspose1d.builder(2, 3, 4).bias(false).build()",
                torch.nn.ConvTranspose1d(2, 3, 4, bias=False), [1, 2, 6])
with_parameters("convTranspose1dDoublesTheLength", "torch.nn.ConvTranspose1d(2, 2, 4, stride=2, padding=1)(x)",
                "ConvTranspose1d", "new ConvTranspose1d(2, 2, 4, 2, 1, 0, 1, true)",
                torch.nn.ConvTranspose1d(2, 2, 4, stride=2, padding=1), [2, 2, 5])

print()
print("    // ---- EmbeddingBag ----")
BAGS_2D = [[1, 4, 4, 0], [7, 2, 9, 2], [3, 3, 3, 3]]
BAGS_1D = [2, 5, 0, 0, 9, 1, 4, 8, 0, 6, 3]
bag("sumBagsOfOneLengthWithPerSampleWeights",
    "torch.nn.EmbeddingBag(10, 3, mode='sum')(indices [3, 4], per_sample_weights=w)",
    "new EmbeddingBag(10, 3, EmbeddingBag.Mode.SUM)", torch.nn.EmbeddingBag(10, 3, mode='sum'), BAGS_2D,
    weights_dims=[3, 4])
bag("meanBagsOfOneLengthLeaveThePaddingOut",
    "torch.nn.EmbeddingBag(10, 3, mode='mean', padding_idx=3)(indices [3, 4])",
    "EmbeddingBag.builder(10, 3).paddingIdx(3).build()", torch.nn.EmbeddingBag(10, 3, mode='mean', padding_idx=3),
    BAGS_2D)
bag("maxBagsOfOneLengthTakeTheFirstMaximum",
    "torch.nn.EmbeddingBag(10, 3, mode='max', padding_idx=4)(indices [3, 4])",
    "EmbeddingBag.builder(10, 3).mode(EmbeddingBag.Mode.MAX).paddingIdx(4).build()",
    torch.nn.EmbeddingBag(10, 3, mode='max', padding_idx=4), BAGS_2D)
bag("sumBagsByOffsetsWithAnEmptyBagAndPerSampleWeights",
    "torch.nn.EmbeddingBag(10, 3, mode='sum', padding_idx=0)(indices [11], offsets [0, 3, 3, 7], "
    "per_sample_weights=w)",
    "EmbeddingBag.builder(10, 3).mode(EmbeddingBag.Mode.SUM).paddingIdx(0).build()",
    torch.nn.EmbeddingBag(10, 3, mode='sum', padding_idx=0), BAGS_1D, offsets=[0, 3, 3, 7], weights_dims=[11])
bag("meanBagsByOffsetsWithAnEmptyBagAndOneOfPaddingAlone",
    "torch.nn.EmbeddingBag(10, 3, padding_idx=0)(indices [11], offsets [0, 2, 2, 3, 4, 8])",
    "EmbeddingBag.builder(10, 3).paddingIdx(0).build()", torch.nn.EmbeddingBag(10, 3, padding_idx=0), BAGS_1D,
    offsets=[0, 2, 2, 3, 4, 8])
# PyTorch 1.13 mishandles entries after the last offset with include_last_offset (its max mode corrupts the heap,
# its per-sample weights' gradient there is uninitialised), so its numbers for them come from the bags without them.
bag("maxBagsByOffsetsWithTheLastOffsetIncluded",
    "torch.nn.EmbeddingBag(10, 3, mode='max', include_last_offset=True)(indices [11], offsets [0, 4, 4, 5, 11])",
    "EmbeddingBag.builder(10, 3).mode(EmbeddingBag.Mode.MAX).includeLastOffset(true).build()",
    torch.nn.EmbeddingBag(10, 3, mode='max', include_last_offset=True), BAGS_1D, offsets=[0, 4, 4, 5, 11])
bag("sumBagsLeaveOutWhatFollowsTheLastOffsetIncluded",
    "offsets [0, 4, 4, 5, 9] with include_last_offset=True in Kiln; torch.nn.EmbeddingBag(10, 3, mode='sum')"
    "(indices[:9], offsets [0, 4, 4, 5], per_sample_weights=w[:9])",
    "EmbeddingBag.builder(10, 3).mode(EmbeddingBag.Mode.SUM).includeLastOffset(true).build()",
    torch.nn.EmbeddingBag(10, 3, mode='sum'), BAGS_1D, offsets=[0, 4, 4, 5, 9], weights_dims=[11],
    used=(9, [0, 4, 4, 5]))

print()
print("    // ---- AdaptiveAvgPool1d and AdaptiveMaxPool1d ----")
simple("adaptiveAvgPool1dToUnevenWindows", "torch.nn.AdaptiveAvgPool1d(3)(x)", "new AdaptiveAvgPool1d(3)",
       torch.nn.AdaptiveAvgPool1d(3), [2, 3, 7])
simple("adaptiveAvgPool1dToEvenWindows", "torch.nn.AdaptiveAvgPool1d(4)(x)", "new AdaptiveAvgPool1d(4)",
       torch.nn.AdaptiveAvgPool1d(4), [2, 2, 8])
simple("adaptiveMaxPool1dToUnevenWindows", "torch.nn.AdaptiveMaxPool1d(3)(x)", "new AdaptiveMaxPool1d(3)",
       torch.nn.AdaptiveMaxPool1d(3), [2, 3, 7])
simple("adaptiveMaxPool1dToEvenWindows", "torch.nn.AdaptiveMaxPool1d(4)(x)", "new AdaptiveMaxPool1d(4)",
       torch.nn.AdaptiveMaxPool1d(4), [2, 2, 8])
simple("adaptiveMaxPool1dOfAnUnbatchedInputLongerThanItsOutput", "torch.nn.AdaptiveMaxPool1d(5)(x)",
       "new AdaptiveMaxPool1d(5)", torch.nn.AdaptiveMaxPool1d(5), [3, 12])

print()
print("    // ---- LPPool1d and LPPool2d ----")
simple("lpPool2dOfNormTwo", "torch.nn.LPPool2d(2, 2)(3 x)", "new LPPool2d(2, 2)", torch.nn.LPPool2d(2, 2),
       [2, 2, 4, 5], "x.mul(3)", lambda x: 3 * x)
simple("lpPool2dOfNormThreeInCeilModeWithStride", "torch.nn.LPPool2d(3, 3, stride=2, ceil_mode=True)(3 x + 2)",
       "new LPPool2d(3, 3, 2, true)", torch.nn.LPPool2d(3, 3, stride=2, ceil_mode=True), [1, 2, 6, 6],
       "x.mul(3).add(2)", lambda x: 3 * x + 2)
simple("lpPool1dOfNormOneSumsBothSigns", "torch.nn.LPPool1d(1, 2)(3 x)", "new LPPool1d(1, 2)",
       torch.nn.LPPool1d(1, 2), [2, 2, 8], "x.mul(3)", lambda x: 3 * x)
simple("lpPool1dOfAFractionalNormInCeilMode", "torch.nn.LPPool1d(1.5, 3, stride=2, ceil_mode=True)(3 x + 2)",
       "new LPPool1d(1.5, 3, 2, true)", torch.nn.LPPool1d(1.5, 3, stride=2, ceil_mode=True), [2, 2, 8],
       "x.mul(3).add(2)", lambda x: 3 * x + 2)
masked_lp("lpPool2dPassesNoGradientThroughWindowsOfZeros", "torch.nn.LPPool2d(2, 2)(x * mask), two windows of zeros",
          "new LPPool2d(2, 2)", torch.nn.LPPool2d(2, 2), [1, 2, 4, 4], [0, 1, 4, 5, 10, 11, 14, 15, 16, 17, 20, 21])
masked_lp("lpPool1dPassesNoGradientThroughWindowsOfZeros",
          "torch.nn.LPPool1d(2, 3, stride=2)(x * mask), a window of zeros", "new LPPool1d(2, 3, 2)",
          torch.nn.LPPool1d(2, 3, stride=2), [1, 2, 6], [0, 1, 4, 5, 6])
print("}")
