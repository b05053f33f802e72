"""Prints StaticInt8GlobalAvgPoolPyTorchParityTest: PyTorch 1.13's quantized adaptive average pooling to 1 x 1
(F.adaptive_avg_pool2d on a channels-last quint8 tensor, as a quantised ResNet's is, which writes the mean onto its
input's grid: zero point + the mean of q - zero point rounded half to even) then
flattening and a quantized Linear (torch.nn.quantized.Linear, onednn engine, int8 weights per output row), as a
quantised ResNet's head runs, on uint8 inputs of given q values. Kiln's StaticInt8Conv.globalAvgPoolForward must give
the same q values: exactly where the Linear is the identity (one weight of 1 per row, weight scale 1, the output grid
the input's), which shows the pooling's rounding (two and four values per mean give ties), and within one step of the
output grid for other weights (PyTorch's requantisation and oneDNN's round the same sums in other orders).

The q values are (37 * i + 11 * seed) mod 256 (weights: (29 * i + 7 * seed) mod 255 - 127), printed as that formula.
Run it with /usr/bin/python3 and redirect its output into that file.
"""
import torch
import torch.nn.functional as F

torch.backends.quantized.engine = "onednn"


def q_values(n, seed):
    return ((torch.arange(n, dtype=torch.int64) * 37 + 11 * seed) % 256).to(torch.uint8)


def weight_values(n, seed):
    return torch.tensor([(29 * i + 7 * seed) % 255 - 127 for i in range(n)], dtype=torch.int8)


def head(q, in_scale, in_zp, wq, w_scales, bias, out_scale, out_zp, relu):
    # channels_last, as PyTorch's quantized convolutions and add_relu write a ResNet's activations: that kernel
    # rounds the mean of q - zero point half to even (the contiguous one the mean of q: other ties where it is odd).
    x = torch._make_per_tensor_quantized_tensor(q, in_scale, in_zp).contiguous(memory_format=torch.channels_last)
    pooled = F.adaptive_avg_pool2d(x, 1)
    w = torch._make_per_channel_quantized_tensor(wq, w_scales.double(), torch.zeros(wq.shape[0], dtype=torch.long), 0)
    lin = torch.nn.intrinsic.quantized.LinearReLU(wq.shape[1], wq.shape[0]) if relu \
        else torch.nn.quantized.Linear(wq.shape[1], wq.shape[0])
    lin.set_weight_bias(w, bias)
    lin.scale, lin.zero_point = out_scale, out_zp
    return lin(torch.flatten(pooled, 1)).int_repr()


def wrapped(parts):
    """The parts, comma-separated, wrapped at 88 characters (the first line after its declaration)."""
    lines, line = [], ""
    for part in (p + ", " for p in parts):
        if len(line) + len(part) > 88:
            lines.append(line.rstrip())
            line = ""
        line += part
    lines.append(line.rstrip())
    return "\n                ".join(lines).rstrip(",")


def ints(values):
    return wrapped(["%d" % int(v) for v in values])


def java_floats(values):
    return wrapped(["%rf" % float(v) for v in values])


def emit(name, doc, batch, channels, h, w, out, seed, in_scale, in_zp, identity, out_scale, out_zp, relu, exact):
    q = q_values(batch * channels * h * w, seed).reshape(batch, channels, h, w)
    if identity:
        wq = torch.eye(out, channels, dtype=torch.int8)
        w_scales = torch.ones(out)
        bias = torch.zeros(out)
        out_scale, out_zp = in_scale, in_zp
    else:
        wq = weight_values(out * channels, seed).reshape(out, channels)
        w_scales = torch.tensor([0.002 + 0.0005 * o for o in range(out)], dtype=torch.float32)
        bias = torch.tensor([0.25 * ((o % 3) - 1) for o in range(out)], dtype=torch.float32)
    y = head(q, in_scale, in_zp, wq, w_scales, bias, out_scale, out_zp, relu)
    print("\n    /** %s */" % doc)
    print("    @Test\n    void %s() {" % name)
    print("        Tensor x = gridValues(%d, %rf, %d, %d, %d, %d, %d);" % (seed, in_scale, in_zp, batch, channels, h, w))
    if identity:
        print("        StaticInt8Conv.Layer fc = identity(%d, %d, new Uint8Grid(%rf, %d), %s);"
              % (out, channels, in_scale, in_zp, "true" if relu else "false"))
    else:
        print("        float[] scales = {%s};" % java_floats(w_scales))
        print("        float[] bias = {%s};" % java_floats(bias))
        print("        StaticInt8Conv.Layer fc = layer(%d, %d, %d, scales, bias, new Uint8Grid(%rf, %d), %s);"
              % (seed, out, channels, out_scale, out_zp, "true" if relu else "false"))
    print("        int[] expected = {%s};" % ints(y.flatten()))
    print("        Tensor y = StaticInt8Conv.globalAvgPoolForward(x, new Uint8Grid(%rf, %d), fc);" % (in_scale, in_zp))
    print("        assertEquals(Shape.of(%d, %d, 1, 1), y.shape());" % (batch, out))
    print("        %s(y, fc.outputGrid(), expected);" % ("assertSameQ" if exact else "assertWithinOneStep"))
    print("    }")


HEADER = '''package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StaticInt8Conv#globalAvgPoolForward} (a quantised ResNet's head: {@link QuantizedLinear} with the average
 * pooling fused) against PyTorch 1.13's quantized {@code adaptive_avg_pool2d(x, 1)}, {@code flatten} and quantized
 * {@code Linear} (onednn engine), printed by {@code models/src/test/pytorch/quantize_static_avgpool_linear.py}: the
 * same q values where the Linear is the identity (the pooling's rounding, ties half to even), within one step of the
 * output grid otherwise.
 */
class StaticInt8GlobalAvgPoolPyTorchParityTest {
    private Scope scope;
    private Autograd.Guard noGrad;

    @BeforeEach
    void open() {
        scope = Scope.open();
        noGrad = Autograd.noGrad();
    }

    @AfterEach
    void close() {
        noGrad.close();
        scope.close();
    }

    /** F32 [dims] of the grid values (q - zeroPoint) * scale of q = (37 * i + 11 * seed) mod 256. */
    private static Tensor gridValues(int seed, float scale, int zeroPoint, int... dims) {
        int n = dims[0] * dims[1] * dims[2] * dims[3];
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = ((37 * i + 11 * seed) % 256 - zeroPoint) * scale;
        }
        return Tensor.fromArray(values, dims);
    }

    /** The int8 layer [out, channels, 1, 1] of weights (29 * i + 7 * seed) mod 255 - 127 times their row's scale. */
    private static StaticInt8Conv.Layer layer(int seed, int out, int channels, float[] scales, float[] bias,
                                              Uint8Grid grid, boolean relu) {
        float[] w = new float[out * channels];
        for (int i = 0; i < w.length; i++) {
            w[i] = ((29 * i + 7 * seed) % 255 - 127) * scales[i / channels];
        }
        return packed(w, out, channels, scales, Tensor.fromArray(bias, out), grid, relu);
    }

    /** The int8 layer [out, channels, 1, 1] with weight 1 (scale 1) at (o, o), no bias: it copies the pooled q. */
    private static StaticInt8Conv.Layer identity(int out, int channels, Uint8Grid grid, boolean relu) {
        float[] w = new float[out * channels];
        for (int o = 0; o < out; o++) {
            w[o * channels + o] = 1;
        }
        float[] scales = new float[out];
        Arrays.fill(scales, 1f);
        return packed(w, out, channels, scales, null, grid, relu);
    }

    private static StaticInt8Conv.Layer packed(float[] w, int out, int channels, float[] scales, Tensor bias,
                                               Uint8Grid grid, boolean relu) {
        Tensor weights = Tensor.fromArray(w, out, channels, 1, 1);
        return new StaticInt8Conv.Layer(StaticInt8Conv.pack(weights, Tensor.fromArray(scales, out)), bias,
                new int[] {1}, new int[] {0}, new int[] {1}, grid, relu);
    }

    /** The q values of y's grid values: round(y / scale) + zeroPoint. */
    private static int[] q(Tensor y, Uint8Grid grid) {
        float[] values = y.toFloatArray();
        int[] q = new int[values.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = Math.round(values[i] / grid.scale()) + grid.zeroPoint();
        }
        return q;
    }

    private static void assertSameQ(Tensor y, Uint8Grid grid, int[] expected) {
        assertArrayEquals(expected, q(y, grid), "q values of " + y.shape());
    }

    private static void assertWithinOneStep(Tensor y, Uint8Grid grid, int[] expected) {
        int[] actual = q(y, grid);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(actual[i] - expected[i]) <= 1, "element " + i + ": q " + actual[i] + ", PyTorch "
                    + expected[i]);
        }
    }'''

if __name__ == "__main__":
    print(HEADER)
    emit("meansOfFourRoundHalfToEvenAsPyTorch", "2 x 2 pooling: sums of four q values, a quarter of them ties.",
         3, 16, 2, 2, 16, 1, 0.05, 0, True, None, None, False, True)
    emit("meansOfTwoRoundHalfToEvenAsPyTorch", "1 x 2 pooling with a zero point: every other mean a tie.",
         2, 8, 1, 2, 8, 2, 0.1, 100, True, None, None, False, True)
    emit("meansWithAnOddZeroPointRoundAsPyTorch", "2 x 2 pooling with an odd zero point: q - 3 rounds half to even.",
         2, 16, 2, 2, 16, 6, 0.05, 3, True, None, None, False, True)
    emit("meansOfNineAsPyTorch", "3 x 3 pooling (ResNet-18 at 96 x 96), more rows than channels in the layer.",
         2, 6, 3, 3, 6, 3, 0.02, 7, True, None, None, False, True)
    emit("linearAfterPoolingAsPyTorch", "A Linear 16 -> 5 with bias after 2 x 2 pooling, the head of a ResNet.",
         3, 16, 2, 2, 5, 4, 0.05, 0, False, 0.05, 128, False, False)
    emit("linearReluAfterPoolingAsPyTorch", "As the Linear above with its ReLU fused, on 4 x 4 (16 values a mean).",
         2, 12, 4, 4, 7, 5, 0.03, 3, False, 0.02, 30, True, False)
    emit("meansOfLargePlanesAsPyTorch", "512 x 512 pooling: sums past 2^24, exact as PyTorch's integer sums (F32 "
         "sums drift: 127.5 to 127).",
         1, 2, 512, 512, 2, 7, 0.05, 0, True, None, None, False, True)
    print("}")
