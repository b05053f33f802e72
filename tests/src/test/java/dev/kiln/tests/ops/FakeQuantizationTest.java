package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.FakeQuantization;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FakeQuantization}'s straight-through gradient against finite differences in F64, its F64 values, and its
 * refusals. PyTorch's values and gradients are {@link FakeQuantizationPyTorchParityTest}'s.
 */
class FakeQuantizationTest {
    private static final float SCALE = 0.25f;
    private static final int ZERO = 3;

    /**
     * The finite differences of a fake quantisation are 0 between the rounding steps; its straight-through gradient
     * is the slope of the same map without the rounding, {@code (clamp(x / scale + zp, qmin, qmax) - zp) * scale}. So
     * the check runs on {@code fakeQuant(x) + (unrounded(x) - fakeQuant(x))} with the bracket computed without a graph:
     * the analytic gradient is the fake quantisation's alone, the finite differences are the unrounded map's. Inputs
     * lie a tenth of a step or more from the rounding points and the range's ends, inside and beyond the range.
     */
    @Test
    void perTensorGradientIsTheUnroundedMapsSlope() {
        double[] x = {-3.1, -0.74, -0.2, 0.11, 0.6, 1.37, 2.9, 8.4, 40.3, -12.6};
        try (Scope s = Scope.open()) {
            Tensor in = Tensor.fromArray(x, x.length).requiresGrad(true);
            GradCheck.check("fakeQuantizePerTensorAffine", t -> straightThrough(t[0],
                    v -> FakeQuantization.perTensorAffine(v, SCALE, ZERO, 0, 15),
                    v -> v.mul(1.0 / SCALE).add(ZERO).clamp(0, 15).sub(ZERO).mul(SCALE)), in);
        }
    }

    @Test
    void perChannelGradientIsTheUnroundedMapsSlope() {
        double[] x = {-3.1, -0.74, -0.2, 0.11, 0.6, 1.37, 2.9, 8.4, 40.3, -12.6, 0.93, -1.61};
        float[] scales = {0.25f, 0.5f, 0.125f};
        int[] zeros = {0, -2, 1};
        try (Scope s = Scope.open()) {
            Tensor in = Tensor.fromArray(x, 2, 3, 2).requiresGrad(true);
            Tensor scale = Tensor.fromArray(new double[] {0.25, 0.5, 0.125}, 1, 3, 1);
            Tensor zero = Tensor.fromArray(new double[] {0, -2, 1}, 1, 3, 1);
            GradCheck.check("fakeQuantizePerChannelAffine", t -> straightThrough(t[0],
                    v -> FakeQuantization.perChannelAffine(v, scales, zeros, 1, -8, 7),
                    v -> v.div(scale).add(zero).clamp(-8, 7).sub(zero).mul(scale)), in);
        }
    }

    /** {@code fakeQuant(x) + (unrounded(x) - fakeQuant(x))}, the bracket without a graph. */
    private static Tensor straightThrough(Tensor x, UnaryOperator<Tensor> fakeQuant, UnaryOperator<Tensor> unrounded) {
        Tensor correction;
        try (Autograd.Guard g = Autograd.noGrad()) {
            correction = unrounded.apply(x).sub(fakeQuant.apply(x));
        }
        return fakeQuant.apply(x).add(correction);
    }

    @Test
    void f64ValuesAreOnTheGridAndClampedToTheRange() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {-3.1, 0.37, 0.375, 0.625, 2.9, 40.3}, 6);
            double[] y = FakeQuantization.perTensorAffine(x, SCALE, ZERO, 0, 15).toDoubleArray();
            // q = round(x * 4) + 3 clamped to [0, 15]: 0 (clamped), 4, 5 (1.5 rounds to 2), 6 (2.5 to 2), 15, 15.
            assertArrayEquals(new double[] {-0.75, 0.25, 0.5, 0.5, 3.0, 3.0}, y, 0.0);
            assertEquals(DType.F64, FakeQuantization.perTensorAffine(x, SCALE, ZERO, 0, 15).dtype());
        }
    }

    @Test
    void gradientPassesAtTheRangesEnds() {
        try (Scope s = Scope.open()) {
            // q = 0 and q = 15 exactly: inside the mask, as PyTorch's quant_min <= q <= quant_max.
            Tensor x = Tensor.fromArray(new double[] {-0.75, 3.0}, 2).requiresGrad(true);
            FakeQuantization.perTensorAffine(x, SCALE, ZERO, 0, 15).sum().backward();
            assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray(), 0.0);
        }
    }

    @Test
    void refusesBadScalesZeroPointsRangesAndAxes() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(DType.F32, 2, 3);
            assertRefused("scale must be positive and finite, got 0.0",
                    () -> FakeQuantization.perTensorAffine(x, 0f, 0, 0, 255));
            assertRefused("scale must be positive and finite, got NaN",
                    () -> FakeQuantization.perTensorAffine(x, Float.NaN, 0, 0, 255));
            assertRefused("quantMin 10 must not exceed quantMax 5",
                    () -> FakeQuantization.perTensorAffine(x, 1f, 5, 10, 5));
            assertRefused("zero point 256 must lie in [quantMin, quantMax] = [0, 255]",
                    () -> FakeQuantization.perTensorAffine(x, 1f, 256, 0, 255));
            assertRefused("axis 2 is out of range for input [2, 3]",
                    () -> FakeQuantization.perChannelAffine(x, new float[] {1, 1}, new int[] {0, 0}, 2, -128, 127));
            assertRefused("has 3 channels on axis 1 but got 2 scales and 2 zero points",
                    () -> FakeQuantization.perChannelAffine(x, new float[] {1, 1}, new int[] {0, 0}, 1, -128, 127));
            assertRefused("scale 1 must be positive and finite, got -1.0",
                    () -> FakeQuantization.perChannelAffine(x, new float[] {1, -1}, new int[] {0, 0}, 0, -128, 127));
            assertRefused("zero point 0 -129 must lie in [quantMin, quantMax] = [-128, 127]",
                    () -> FakeQuantization.perChannelAffine(x, new float[] {1, 1}, new int[] {-129, 0}, 0, -128,
                            127));
            assertRefused("fakeQuantizePerTensorAffine",
                    () -> FakeQuantization.perTensorAffine(Tensor.zeros(DType.I32, 2), 1f, 0, 0, 255));
        }
    }

    private static void assertRefused(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /**
     * Runs {@code op} on an F32 tensor of {@code x} shaped {@code dims} and back-propagates the output weighted by
     * 1, 2, 3, ...: the output's values and x's gradient.
     */
    static float[][] runWeighted(float[] x, int[] dims, UnaryOperator<Tensor> op) {
        try (Scope s = Scope.open()) {
            Tensor in = Tensor.fromArray(x, dims).requiresGrad(true);
            Tensor y = op.apply(in);
            float[] weights = new float[x.length];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = i + 1;
            }
            y.backward(Tensor.fromArray(weights, dims));
            return new float[][] {y.toFloatArray(), in.grad().toFloatArray()};
        }
    }
}
