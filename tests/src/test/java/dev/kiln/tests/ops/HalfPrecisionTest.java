package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autocast;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Half autocast ({@link Precision#F16}): {@link Precision#roundToHalf} against PyTorch's
 * {@code torch.tensor(x).half().float()} bit for bit ({@link HalfRoundingValues}), the backend's rounding, and
 * matrix products, dense layers and convolutions on F32 taking operands rounded to half with F32 accumulation in the
 * forward and the backward pass; the references run in FP32 on operands rounded by {@link Precision#roundToHalf}.
 */
class HalfPrecisionTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(43);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertSameBits(int expected, float actual, String what) {
        assertEquals(expected, Float.floatToRawIntBits(actual), what + ": expected " + Float.intBitsToFloat(expected)
                + " (0x" + Integer.toHexString(expected) + "), got " + actual + " (0x"
                + Integer.toHexString(Float.floatToRawIntBits(actual)) + ")");
    }

    private static float[] pytorchInputs() {
        int[] bits = HalfRoundingValues.INPUT_BITS;
        float[] v = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            v[i] = Float.intBitsToFloat(bits[i]);
        }
        return v;
    }

    @Test
    void roundingMatchesPyTorchsHalfBitForBit() {
        float[] inputs = pytorchInputs();
        for (int i = 0; i < inputs.length; i++) {
            assertSameBits(HalfRoundingValues.ROUNDED_BITS[i], Precision.roundToHalf(inputs[i]),
                    "half(" + inputs[i] + ", 0x" + Integer.toHexString(HalfRoundingValues.INPUT_BITS[i]) + ")");
        }
    }

    @Test
    void roundingKeepsHalfsRangeSubnormalsAndSignedZero() {
        assertEquals(65504f, Precision.roundToHalf(65504f), "largest finite half");
        assertEquals(65504f, Precision.roundToHalf(65519.996f), "just below the midpoint to 2^16");
        assertEquals(Float.POSITIVE_INFINITY, Precision.roundToHalf(65520f), "the midpoint ties to even: infinity");
        assertEquals(Float.NEGATIVE_INFINITY, Precision.roundToHalf(-1e6f), "overflow keeps the sign");
        assertEquals(0x1p-24f, Precision.roundToHalf(6e-8f), "6e-8 rounds to the smallest subnormal");
        assertEquals(0f, Precision.roundToHalf(0x1p-25f), "half the smallest subnormal ties to even: zero");
        assertEquals(0x1p-23f, Precision.roundToHalf(0x1p-24f + 0x1p-25f), "1.5 subnormal steps tie to even: 2");
        assertSameBits(0x8000_0000, Precision.roundToHalf(-1e-9f), "a negative underflow is -0");
        assertTrue(Float.isNaN(Precision.roundToHalf(Float.intBitsToFloat(0x7F80_0001))),
                "a NaN whose payload sits in the dropped bits stays NaN");
    }

    @Test
    void backendRoundsBitForBitLikeTheRuleAtAnOffsetAndInPlace() {
        float[] values = pytorchInputs();
        Tensor source = Tensor.fromArray(values, values.length);
        Tensor view = source.narrow(0, 3, values.length - 3);
        Tensor out = Tensor.empty(view.shape(), DType.F32, source.backend());
        source.backend().roundToHalf(view, out);
        float[] rounded = out.toFloatArray();
        for (int i = 0; i < rounded.length; i++) {
            assertSameBits(HalfRoundingValues.ROUNDED_BITS[i + 3], rounded[i], "element " + i + " of the view");
        }
        source.backend().roundToHalf(source, source);
        float[] inPlace = source.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            assertSameBits(HalfRoundingValues.ROUNDED_BITS[i], inPlace[i], "element " + i + " in place");
        }
    }

    private static float[] rounded(Tensor t) {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Precision.roundToHalf(v[i]);
        }
        return v;
    }

    private static Tensor roundedCopy(Tensor t) {
        return Tensor.fromArray(rounded(t), t.shape().dims());
    }

    private static double maxDifference(float[] expected, float[] actual) {
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs((double) expected[i] - actual[i]));
        }
        return max;
    }

    @Test
    void matmulAndBatchedMatmulUnderF16MultiplyRoundedOperands() {
        Tensor a = Tensor.uniform(-1, 1, DType.F32, 17, 300);
        Tensor b = Tensor.uniform(-1, 1, DType.F32, 300, 13);
        Tensor batched = Tensor.uniform(-1, 1, DType.F32, 3, 5, 300);
        Tensor mixed;
        Tensor mixedBatched;
        try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
            mixed = a.matmul(b);
            mixedBatched = batched.matmul(b);
        }
        assertArrayEquals(roundedCopy(a).matmul(roundedCopy(b)).toFloatArray(), mixed.toFloatArray(), 1e-5f, "2-D");
        assertArrayEquals(roundedCopy(batched).matmul(roundedCopy(b)).toFloatArray(), mixedBatched.toFloatArray(),
                1e-5f, "batched");
        assertTrue(maxDifference(a.matmul(b).toFloatArray(), mixed.toFloatArray()) > 1e-4,
                "the FP32 matmul should differ from the half product");
    }

    @Test
    void denseLayerGradientsUnderF16RoundTheOutputGradientAndTheOtherOperand() {
        Tensor x = Tensor.uniform(-1, 1, DType.F32, 9, 200).requiresGrad(true);
        Tensor w = Tensor.uniform(-1, 1, DType.F32, 11, 200).requiresGrad(true);
        Tensor gradY = Tensor.uniform(-1, 1, DType.F32, 9, 11);
        Tensor y;
        try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
            y = F.linear(x, w, null);
        }
        y.backward(gradY);
        Tensor rx = roundedCopy(x).requiresGrad(true);
        Tensor rw = roundedCopy(w).requiresGrad(true);
        Tensor reference = F.linear(rx, rw, null);
        reference.backward(roundedCopy(gradY));
        assertArrayEquals(reference.toFloatArray(), y.toFloatArray(), 1e-5f, "forward");
        assertArrayEquals(rx.grad().toFloatArray(), x.grad().toFloatArray(), 1e-5f,
                "input gradient = half(gradY) half(w), though backward ran outside the autocast block");
        assertArrayEquals(rw.grad().toFloatArray(), w.grad().toFloatArray(), 1e-5f, "weight gradient");
    }

    /** Why F16 training wants a loss scale: an output gradient below half's subnormals reaches no weight. */
    @Test
    void tinyOutputGradientsUnderflowInHalfButNotInBfloat16() {
        Tensor x = Tensor.uniform(-1, 1, DType.F32, 4, 8);
        Tensor w = Tensor.uniform(-1, 1, DType.F32, 3, 8).requiresGrad(true);
        Tensor gradY = Tensor.full(1e-8, DType.F32, 4, 3);
        for (Precision p : new Precision[] {Precision.F16, Precision.BF16}) {
            w.clearGrad();
            try (Autocast.Guard guard = Autocast.enable(p)) {
                F.linear(x, w, null).backward(gradY);
            }
            float largest = 0;
            for (float g : w.grad().toFloatArray()) {
                largest = Math.max(largest, Math.abs(g));
            }
            if (p == Precision.F16) {
                assertEquals(0f, largest, "1e-8 is below half's smallest subnormal (6e-8): every gradient is 0");
            } else {
                assertTrue(largest > 0, "bfloat16 keeps F32's exponent range");
            }
        }
    }

    @Test
    void f64OperandsIgnoreF16Autocast() {
        Tensor a = Tensor.uniform(-1, 1, DType.F64, 6, 40);
        Tensor b = Tensor.uniform(-1, 1, DType.F64, 40, 5);
        double[] full = a.matmul(b).toDoubleArray();
        try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
            assertArrayEquals(full, a.matmul(b).toDoubleArray(), 0.0);
        }
    }

    /** Plain, grouped (2 and depthwise 4) and transposed convolutions, forward and backward, on rounded operands. */
    @Test
    void convolutionsUnderF16ConvolveRoundedOperandsForwardAndBackward() {
        for (int groups : new int[] {1, 2, 4}) {
            Tensor input = Tensor.uniform(-1, 1, DType.F32, 2, 4, 7, 7).requiresGrad(true);
            Tensor weight = Tensor.uniform(-1, 1, DType.F32, 8, 4 / groups, 3, 3).requiresGrad(true);
            Tensor bias = Tensor.uniform(-1, 1, DType.F32, 8).requiresGrad(true);
            Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, 2, 8, 7, 7);
            int[] one = {1};
            Tensor mixed;
            try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
                mixed = F.conv2d(input, weight, bias, null, one, null, groups);
            }
            mixed.backward(gradOut);
            Tensor ri = roundedCopy(input).requiresGrad(true);
            Tensor rw = roundedCopy(weight).requiresGrad(true);
            Tensor rb = Tensor.fromArray(bias.toFloatArray(), 8).requiresGrad(true);
            Tensor reference = F.conv2d(ri, rw, rb, null, one, null, groups);
            reference.backward(roundedCopy(gradOut));
            assertConvolutionsAgree("groups " + groups, reference, mixed, ri, rw, rb, input, weight, bias);
        }
        Tensor input = Tensor.uniform(-1, 1, DType.F32, 2, 4, 5, 5).requiresGrad(true);
        Tensor weight = Tensor.uniform(-1, 1, DType.F32, 4, 3, 3, 3).requiresGrad(true);
        Tensor bias = Tensor.uniform(-1, 1, DType.F32, 3).requiresGrad(true);
        Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, 2, 3, 10, 10);
        Tensor mixed;
        try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
            mixed = F.convTranspose2d(input, weight, bias, 2, 1, 1);
        }
        mixed.backward(gradOut);
        Tensor ri = roundedCopy(input).requiresGrad(true);
        Tensor rw = roundedCopy(weight).requiresGrad(true);
        Tensor rb = Tensor.fromArray(bias.toFloatArray(), 3).requiresGrad(true);
        Tensor reference = F.convTranspose2d(ri, rw, rb, 2, 1, 1);
        reference.backward(roundedCopy(gradOut));
        assertConvolutionsAgree("transposed", reference, mixed, ri, rw, rb, input, weight, bias);
    }

    private static void assertConvolutionsAgree(String what, Tensor reference, Tensor mixed, Tensor ri, Tensor rw,
                                                Tensor rb, Tensor input, Tensor weight, Tensor bias) {
        assertArrayEquals(reference.toFloatArray(), mixed.toFloatArray(), 1e-5f, what + ": forward");
        assertArrayEquals(ri.grad().toFloatArray(), input.grad().toFloatArray(), 1e-5f, what + ": input gradient");
        assertArrayEquals(rw.grad().toFloatArray(), weight.grad().toFloatArray(), 1e-5f, what + ": weight gradient");
        assertArrayEquals(rb.grad().toFloatArray(), bias.grad().toFloatArray(), 1e-5f,
                what + ": bias gradient, the sums of the rounded output gradient");
    }

    @Test
    void fusedConvolutionAndActivationUnderF16EqualConvolutionThenActivation() {
        Tensor input = Tensor.uniform(-1, 1, DType.F32, 2, 3, 8, 8).requiresGrad(true);
        Tensor weight = Tensor.uniform(-1, 1, DType.F32, 4, 3, 3, 3).requiresGrad(true);
        Tensor bias = Tensor.uniform(-1, 1, DType.F32, 4).requiresGrad(true);
        Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, 2, 4, 8, 8);
        int[] one = {1};
        Tensor fused;
        try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
            fused = F.conv2d(input, weight, bias, one, one, one, UnaryOp.RELU, 0);
            fused.backward(gradOut);
        }
        float[][] fusedGrads = {input.grad().toFloatArray(), weight.grad().toFloatArray(), bias.grad().toFloatArray()};
        input.clearGrad();
        weight.clearGrad();
        bias.clearGrad();
        Tensor composed;
        try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
            composed = F.conv2d(input, weight, bias, one, one, one).relu();
            composed.backward(gradOut);
        }
        assertArrayEquals(composed.toFloatArray(), fused.toFloatArray(), 0f, "values");
        assertArrayEquals(input.grad().toFloatArray(), fusedGrads[0], 0f, "input gradient");
        assertArrayEquals(weight.grad().toFloatArray(), fusedGrads[1], 0f, "weight gradient");
        assertArrayEquals(bias.grad().toFloatArray(), fusedGrads[2], 0f, "bias gradient");
    }
}
