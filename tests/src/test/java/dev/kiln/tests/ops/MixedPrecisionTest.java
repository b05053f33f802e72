package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autocast;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bf16 autocast ({@link Autocast}, {@link Precision#BF16}): matrix products, dense layers, convolutions and the
 * recurrent GEMMs on F32 take operands rounded to bfloat16 and accumulate in F32, in the forward and the backward
 * pass; F64 is left alone. References are computed on the host from operands rounded by
 * {@link Precision#roundToBfloat16}, whose own reference is nearest-even rounding of the significand in double.
 */
class MixedPrecisionTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(41);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Nearest bfloat16, ties to even, by arithmetic: a significand of 8 bits, F32's exponent range. */
    private static float nearestBfloat16(float x) {
        if (Float.isNaN(x) || Float.isInfinite(x) || x == 0) {
            return x;
        }
        int exponent = Math.max(Math.getExponent(x), Float.MIN_EXPONENT);
        double step = Math.scalb(1.0, exponent - 7);
        return (float) (Math.rint(x / step) * step);
    }

    private static float[] edgeCases() {
        return new float[] {0f, -0f, 1f, -1f, 1f + 0x1p-8f, 1f + 0x1p-7f + 0x1p-8f, 1f + 0x1p-8f + 0x1p-20f,
                1f + 0x1p-9f, 3.14159265f, -2.7182817f, 1e-3f, 65504f, Float.MAX_VALUE, -Float.MAX_VALUE,
                3.3895314e38f, 3.3961775e38f, Float.MIN_VALUE, Float.MIN_NORMAL, 0x1p-130f + 0x1p-140f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7F800001),
                Float.intBitsToFloat(0xFFC00001)};
    }

    private static float[] randomFloats(int n, long seed) {
        Random random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 2 == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) (random.nextGaussian() * 10);
        }
        return v;
    }

    private static void assertSameFloat(float expected, float actual, String what) {
        if (Float.isNaN(expected)) {
            assertTrue(Float.isNaN(actual), what + ": expected NaN, got " + actual);
        } else {
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                    what + ": expected " + expected + ", got " + actual);
        }
    }

    @Test
    void roundingIsToTheNearestBfloat16WithTiesToEven() {
        float[] values = randomFloats(200_000, 1);
        for (float x : values) {
            assertSameFloat(nearestBfloat16(x), Precision.roundToBfloat16(x), "round(" + x + ")");
        }
        for (float x : edgeCases()) {
            assertSameFloat(nearestBfloat16(x), Precision.roundToBfloat16(x), "round(" + x + ")");
        }
        assertSameFloat(1f, Precision.roundToBfloat16(1f + 0x1p-8f), "a tie rounds to the even 1");
        assertSameFloat(1f + 0x1p-6f, Precision.roundToBfloat16(1f + 0x1p-7f + 0x1p-8f), "a tie rounds to even");
        assertSameFloat(Float.POSITIVE_INFINITY, Precision.roundToBfloat16(Float.MAX_VALUE), "beyond bf16's range");
        assertTrue(Float.isNaN(Precision.roundToBfloat16(Float.intBitsToFloat(0x7F800001))),
                "a NaN whose payload sits in the dropped bits stays NaN");
    }

    @Test
    void backendRoundsBitForBitLikeTheRuleAtAnOffsetAndInPlace() {
        float[] edges = edgeCases();
        float[] random = randomFloats(10_000, 2);
        float[] values = new float[edges.length + random.length];
        System.arraycopy(edges, 0, values, 0, edges.length);
        System.arraycopy(random, 0, values, edges.length, random.length);
        Tensor source = Tensor.fromArray(values, values.length);
        Tensor view = source.narrow(0, 3, values.length - 3);
        Tensor out = Tensor.empty(view.shape(), DType.F32, source.backend());
        source.backend().roundToBfloat16(view, out);
        float[] rounded = out.toFloatArray();
        float[] viewed = view.toFloatArray();
        for (int i = 0; i < rounded.length; i++) {
            assertSameFloat(Precision.roundToBfloat16(viewed[i]), rounded[i], "element " + i + " of the view");
        }
        source.backend().roundToBfloat16(source, source);
        float[] inPlace = source.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            assertSameFloat(Precision.roundToBfloat16(values[i]), inPlace[i], "element " + i + " in place");
        }
    }

    private static float[] rounded(Tensor t) {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Precision.roundToBfloat16(v[i]);
        }
        return v;
    }

    /** a [m, k] times b [k, n] (or b^T when {@code transB}, b [n, k]) in double. */
    private static double[] product(float[] a, float[] b, int m, int k, int n, boolean transB) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[i * k + p] * (transB ? b[j * k + p] : b[p * n + j]);
                }
                c[i * n + j] = sum;
            }
        }
        return c;
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    private static double maxDifference(double[] expected, float[] actual) {
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }

    @Test
    void matmulUnderBf16MultipliesRoundedOperandsInF32() {
        int m = 17;
        int k = 300;
        int n = 13;
        Tensor a = Tensor.uniform(-1, 1, DType.F32, m, k);
        Tensor b = Tensor.uniform(-1, 1, DType.F32, k, n);
        Tensor mixed;
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            mixed = a.matmul(b);
        }
        float[] full = a.matmul(b).toFloatArray();
        double[] reference = product(rounded(a), rounded(b), m, k, n, false);
        double error = maxDifference(reference, mixed.toFloatArray());
        double fullError = maxDifference(reference, full);
        assertTrue(error < 2e-5, "bf16 matmul differs from the rounded operands' product by " + error);
        assertTrue(fullError > 1e-3, "the FP32 matmul should differ from the rounded product at bf16's scale, got "
                + fullError);
    }

    @Test
    void batchedMatmulUnderBf16MultipliesRoundedOperands() {
        Tensor a = Tensor.uniform(-1, 1, DType.F32, 3, 5, 64);
        Tensor b = Tensor.uniform(-1, 1, DType.F32, 64, 7);
        Tensor mixed;
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            mixed = a.matmul(b);
        }
        float[] ra = rounded(a);
        float[] rb = rounded(b);
        float[] actual = mixed.toFloatArray();
        for (int batch = 0; batch < 3; batch++) {
            float[] slice = java.util.Arrays.copyOfRange(ra, batch * 5 * 64, (batch + 1) * 5 * 64);
            double[] reference = product(slice, rb, 5, 64, 7, false);
            float[] got = java.util.Arrays.copyOfRange(actual, batch * 35, (batch + 1) * 35);
            assertTrue(maxDifference(reference, got) < 1e-5, "batch entry " + batch);
        }
    }

    @Test
    void denseLayerGradientsUnderBf16RoundTheOutputGradientAndTheOtherOperand() {
        int n = 9;
        int in = 200;
        int out = 11;
        Tensor x = Tensor.uniform(-1, 1, DType.F32, n, in).requiresGrad(true);
        Tensor w = Tensor.uniform(-1, 1, DType.F32, out, in).requiresGrad(true);
        Tensor gradY = Tensor.uniform(-1, 1, DType.F32, n, out);
        Tensor y;
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            y = F.linear(x, w, null);
        }
        y.backward(gradY);
        float[] rx = rounded(x);
        float[] rw = rounded(w);
        float[] rg = rounded(gradY);
        assertTrue(maxDifference(product(rx, rw, n, in, out, true), y.toFloatArray()) < 1e-5, "forward");
        assertTrue(maxDifference(product(rg, rw, n, out, in, false), x.grad().toFloatArray()) < 1e-5,
                "input gradient = round(gradY) round(w), though backward ran outside the autocast block");
        assertTrue(maxDifference(product(transpose(rg, n, out), rx, out, n, in, false), w.grad().toFloatArray()) < 1e-5,
                "weight gradient = round(gradY)^T round(x)");
    }

    @Test
    void f64OperandsIgnoreAutocast() {
        Tensor a = Tensor.uniform(-1, 1, DType.F64, 6, 40);
        Tensor b = Tensor.uniform(-1, 1, DType.F64, 40, 5);
        double[] full = a.matmul(b).toDoubleArray();
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            assertArrayEquals(full, a.matmul(b).toDoubleArray(), 0.0);
        }
    }

    @Test
    void convolutionUnderBf16ConvolvesRoundedOperandsForwardAndBackward() {
        Tensor input = Tensor.uniform(-1, 1, DType.F32, 2, 3, 9, 9).requiresGrad(true);
        Tensor weight = Tensor.uniform(-1, 1, DType.F32, 4, 3, 3, 3).requiresGrad(true);
        Tensor bias = Tensor.uniform(-1, 1, DType.F32, 4).requiresGrad(true);
        Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, 2, 4, 9, 9);
        Tensor mixed;
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            mixed = F.conv2d(input, weight, bias, 1, 1);
        }
        mixed.backward(gradOut);

        Tensor roundedInput = Tensor.fromArray(rounded(input), 2, 3, 9, 9).requiresGrad(true);
        Tensor roundedWeight = Tensor.fromArray(rounded(weight), 4, 3, 3, 3).requiresGrad(true);
        Tensor referenceBias = Tensor.fromArray(bias.toFloatArray(), 4).requiresGrad(true);
        Tensor reference = F.conv2d(roundedInput, roundedWeight, referenceBias, 1, 1);
        reference.backward(Tensor.fromArray(rounded(gradOut), 2, 4, 9, 9));

        assertArrayEquals(reference.toFloatArray(), mixed.toFloatArray(), 1e-5f, "forward");
        assertArrayEquals(roundedInput.grad().toFloatArray(), input.grad().toFloatArray(), 1e-5f, "input gradient");
        assertArrayEquals(roundedWeight.grad().toFloatArray(), weight.grad().toFloatArray(), 1e-5f, "weight gradient");
        assertArrayEquals(referenceBias.grad().toFloatArray(), bias.grad().toFloatArray(), 1e-5f,
                "bias gradient: the sums of the rounded output gradient");
        float[] full = F.conv2d(input, weight, bias, 1, 1).toFloatArray();
        assertTrue(maxDifference(toDouble(full), mixed.toFloatArray()) > 1e-3, "FP32 and bf16 convolutions should differ");
    }

    /** Groups 2 runs group by group, groups 4 on the CPU's depthwise kernel: both on rounded operands. */
    @Test
    void groupedConvolutionUnderBf16ConvolvesRoundedOperandsForwardAndBackward() {
        for (int groups : new int[] {2, 4}) {
            Tensor input = Tensor.uniform(-1, 1, DType.F32, 2, 4, 7, 7).requiresGrad(true);
            Tensor weight = Tensor.uniform(-1, 1, DType.F32, 8, 4 / groups, 3, 3).requiresGrad(true);
            Tensor bias = Tensor.uniform(-1, 1, DType.F32, 8).requiresGrad(true);
            Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, 2, 8, 7, 7);
            int[] one = {1};
            Tensor mixed;
            try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
                mixed = F.conv2d(input, weight, bias, null, one, null, groups);
            }
            mixed.backward(gradOut);

            Tensor roundedInput = Tensor.fromArray(rounded(input), 2, 4, 7, 7).requiresGrad(true);
            Tensor roundedWeight = Tensor.fromArray(rounded(weight), weight.shape().dims()).requiresGrad(true);
            Tensor referenceBias = Tensor.fromArray(bias.toFloatArray(), 8).requiresGrad(true);
            Tensor reference = F.conv2d(roundedInput, roundedWeight, referenceBias, null, one, null, groups);
            reference.backward(Tensor.fromArray(rounded(gradOut), 2, 8, 7, 7));

            String what = "groups " + groups + ": ";
            assertArrayEquals(reference.toFloatArray(), mixed.toFloatArray(), 1e-5f, what + "forward");
            assertArrayEquals(roundedInput.grad().toFloatArray(), input.grad().toFloatArray(), 1e-5f,
                    what + "input gradient");
            assertArrayEquals(roundedWeight.grad().toFloatArray(), weight.grad().toFloatArray(), 1e-5f,
                    what + "weight gradient");
            assertArrayEquals(referenceBias.grad().toFloatArray(), bias.grad().toFloatArray(), 1e-5f,
                    what + "bias gradient: the sums of the rounded output gradient");
            float[] full = F.conv2d(input, weight, bias, null, one, null, groups).toFloatArray();
            assertTrue(maxDifference(toDouble(full), mixed.toFloatArray()) > 1e-3,
                    what + "FP32 and bf16 convolutions should differ");
        }
    }

    @Test
    void transposedConvolutionUnderBf16ConvolvesRoundedOperandsForwardAndBackward() {
        Tensor input = Tensor.uniform(-1, 1, DType.F32, 2, 4, 5, 5).requiresGrad(true);
        Tensor weight = Tensor.uniform(-1, 1, DType.F32, 4, 3, 3, 3).requiresGrad(true);
        Tensor bias = Tensor.uniform(-1, 1, DType.F32, 3).requiresGrad(true);
        Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, 2, 3, 10, 10);
        Tensor mixed;
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            mixed = F.convTranspose2d(input, weight, bias, 2, 1, 1);
        }
        mixed.backward(gradOut);

        Tensor roundedInput = Tensor.fromArray(rounded(input), 2, 4, 5, 5).requiresGrad(true);
        Tensor roundedWeight = Tensor.fromArray(rounded(weight), 4, 3, 3, 3).requiresGrad(true);
        Tensor referenceBias = Tensor.fromArray(bias.toFloatArray(), 3).requiresGrad(true);
        Tensor reference = F.convTranspose2d(roundedInput, roundedWeight, referenceBias, 2, 1, 1);
        reference.backward(Tensor.fromArray(rounded(gradOut), 2, 3, 10, 10));

        assertArrayEquals(reference.toFloatArray(), mixed.toFloatArray(), 1e-5f, "forward");
        assertArrayEquals(roundedInput.grad().toFloatArray(), input.grad().toFloatArray(), 1e-5f, "input gradient");
        assertArrayEquals(roundedWeight.grad().toFloatArray(), weight.grad().toFloatArray(), 1e-5f, "weight gradient");
        assertArrayEquals(referenceBias.grad().toFloatArray(), bias.grad().toFloatArray(), 1e-5f,
                "bias gradient: the sums of the rounded output gradient");
        float[] full = F.convTranspose2d(input, weight, bias, 2, 1, 1).toFloatArray();
        assertTrue(maxDifference(toDouble(full), mixed.toFloatArray()) > 1e-3,
                "FP32 and bf16 transposed convolutions should differ");
    }

    /**
     * conv3d runs a 2-D convolution of depth slices, whose backward pass it runs itself: both under the precision of
     * the forward pass, on rounded operands, with groups 1 and 2.
     */
    @Test
    void convolution3dUnderBf16ConvolvesRoundedOperandsForwardAndBackward() {
        for (int groups : new int[] {1, 2}) {
            int[] inDims = {2, 4, 4, 5, 5};
            int[] outDims = {2, 6, 4, 5, 5};
            Tensor input = Tensor.uniform(-1, 1, DType.F32, inDims).requiresGrad(true);
            Tensor weight = Tensor.uniform(-1, 1, DType.F32, 6, 4 / groups, 3, 3, 3).requiresGrad(true);
            Tensor bias = Tensor.uniform(-1, 1, DType.F32, 6).requiresGrad(true);
            Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, outDims);
            int[] one = {1};
            Tensor mixed;
            try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
                mixed = F.conv3d(input, weight, bias, null, one, null, groups);
            }
            mixed.backward(gradOut);

            Tensor roundedInput = Tensor.fromArray(rounded(input), inDims).requiresGrad(true);
            Tensor roundedWeight = Tensor.fromArray(rounded(weight), weight.shape().dims()).requiresGrad(true);
            Tensor referenceBias = Tensor.fromArray(bias.toFloatArray(), 6).requiresGrad(true);
            Tensor reference = F.conv3d(roundedInput, roundedWeight, referenceBias, null, one, null, groups);
            reference.backward(Tensor.fromArray(rounded(gradOut), outDims));

            String what = "groups " + groups + ": ";
            assertArrayEquals(reference.toFloatArray(), mixed.toFloatArray(), 1e-5f, what + "forward");
            assertArrayEquals(roundedInput.grad().toFloatArray(), input.grad().toFloatArray(), 1e-5f,
                    what + "input gradient");
            assertArrayEquals(roundedWeight.grad().toFloatArray(), weight.grad().toFloatArray(), 1e-5f,
                    what + "weight gradient");
            assertArrayEquals(referenceBias.grad().toFloatArray(), bias.grad().toFloatArray(), 1e-5f,
                    what + "bias gradient: the sums of the rounded output gradient");
            float[] full = F.conv3d(input, weight, bias, null, one, null, groups).toFloatArray();
            assertTrue(maxDifference(toDouble(full), mixed.toFloatArray()) > 1e-3,
                    what + "FP32 and bf16 convolutions should differ");
        }
    }

    @Test
    void transposedConvolution3dUnderBf16ConvolvesRoundedOperandsForwardAndBackward() {
        int[] inDims = {2, 4, 3, 4, 4};
        int[] outDims = {2, 3, 6, 8, 8};
        int[] two = {2};
        int[] one = {1};
        Tensor input = Tensor.uniform(-1, 1, DType.F32, inDims).requiresGrad(true);
        Tensor weight = Tensor.uniform(-1, 1, DType.F32, 4, 3, 3, 3, 3).requiresGrad(true);
        Tensor bias = Tensor.uniform(-1, 1, DType.F32, 3).requiresGrad(true);
        Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, outDims);
        Tensor mixed;
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            mixed = F.convTranspose3d(input, weight, bias, two, one, one, null);
        }
        mixed.backward(gradOut);

        Tensor roundedInput = Tensor.fromArray(rounded(input), inDims).requiresGrad(true);
        Tensor roundedWeight = Tensor.fromArray(rounded(weight), weight.shape().dims()).requiresGrad(true);
        Tensor referenceBias = Tensor.fromArray(bias.toFloatArray(), 3).requiresGrad(true);
        Tensor reference = F.convTranspose3d(roundedInput, roundedWeight, referenceBias, two, one, one, null);
        reference.backward(Tensor.fromArray(rounded(gradOut), outDims));

        assertArrayEquals(reference.toFloatArray(), mixed.toFloatArray(), 1e-5f, "forward");
        assertArrayEquals(roundedInput.grad().toFloatArray(), input.grad().toFloatArray(), 1e-5f, "input gradient");
        assertArrayEquals(roundedWeight.grad().toFloatArray(), weight.grad().toFloatArray(), 1e-5f, "weight gradient");
        assertArrayEquals(referenceBias.grad().toFloatArray(), bias.grad().toFloatArray(), 1e-5f,
                "bias gradient: the sums of the rounded output gradient");
        float[] full = F.convTranspose3d(input, weight, bias, two, one, one, null).toFloatArray();
        assertTrue(maxDifference(toDouble(full), mixed.toFloatArray()) > 1e-3,
                "FP32 and bf16 transposed convolutions should differ");
    }

    @Test
    void fusedConvolutionAndActivationUnderBf16EqualConvolutionThenActivation() {
        Tensor input = Tensor.uniform(-1, 1, DType.F32, 2, 3, 8, 8).requiresGrad(true);
        Tensor weight = Tensor.uniform(-1, 1, DType.F32, 4, 3, 3, 3).requiresGrad(true);
        Tensor bias = Tensor.uniform(-1, 1, DType.F32, 4).requiresGrad(true);
        Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, 2, 4, 8, 8);
        int[] one = {1};
        Tensor fused;
        Tensor composed;
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            fused = F.conv2d(input, weight, bias, one, one, one, UnaryOp.RELU, 0);
            fused.backward(gradOut);
        }
        float[][] fusedGrads = {input.grad().toFloatArray(), weight.grad().toFloatArray(), bias.grad().toFloatArray()};
        input.clearGrad();
        weight.clearGrad();
        bias.clearGrad();
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            composed = F.conv2d(input, weight, bias, one, one, one).relu();
            composed.backward(gradOut);
        }
        assertArrayEquals(composed.toFloatArray(), fused.toFloatArray(), 0f, "values");
        assertArrayEquals(input.grad().toFloatArray(), fusedGrads[0], 0f, "input gradient");
        assertArrayEquals(weight.grad().toFloatArray(), fusedGrads[1], 0f, "weight gradient");
        assertArrayEquals(bias.grad().toFloatArray(), fusedGrads[2], 0f, "bias gradient");
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    @Test
    void lstmRecurrenceUnderBf16SeesItsWeightRounded() {
        int steps = 5;
        int batch = 3;
        int hidden = 8;
        Tensor gates = Tensor.uniform(-1, 1, DType.F32, steps, batch, 4 * hidden);
        Tensor h0 = Tensor.uniform(-1, 1, DType.F32, batch, hidden);
        Tensor c0 = Tensor.uniform(-1, 1, DType.F32, batch, hidden);
        Tensor weight = Tensor.uniform(-1, 1, DType.F32, 4 * hidden, hidden).requiresGrad(true);
        Tensor preRounded = Tensor.fromArray(rounded(weight), 4 * hidden, hidden).requiresGrad(true);
        Tensor gradOut = Tensor.uniform(-1, 1, DType.F32, steps, batch, hidden);
        float[] mixed;
        float[] mixedOnRounded;
        try (Autocast.Guard bf16 = Autocast.enable(Precision.BF16)) {
            Tensor out = F.lstmSequence(gates, h0, c0, weight, null, false).output();
            out.backward(gradOut);
            mixed = out.toFloatArray();
            Tensor onRounded = F.lstmSequence(gates, h0, c0, preRounded, null, false).output();
            onRounded.backward(gradOut);
            mixedOnRounded = onRounded.toFloatArray();
        }
        float[] full = F.lstmSequence(gates, h0, c0, weight.detach(), null, false).output().toFloatArray();
        assertArrayEquals(mixedOnRounded, mixed, 0f, "rounding is idempotent: a pre-rounded weight changes nothing");
        assertArrayEquals(preRounded.grad().toFloatArray(), weight.grad().toFloatArray(), 0f, "weight gradients");
        assertTrue(maxDifference(toDouble(full), mixed) > 1e-4, "FP32 and bf16 recurrences should differ");
    }

    @Test
    void autocastRestoresThePreviousPrecisionAndRejectsNull() {
        assertEquals(Precision.FP32, Autocast.current());
        try (Autocast.Guard outer = Autocast.enable(Precision.BF16)) {
            try (Autocast.Guard inner = Autocast.enable(Precision.FP32)) {
                assertEquals(Precision.FP32, Autocast.current());
            }
            assertEquals(Precision.BF16, Autocast.current());
        }
        assertEquals(Precision.FP32, Autocast.current());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autocast.enable(null));
        assertTrue(e.getMessage().contains("precision"), e.getMessage());
    }
}
