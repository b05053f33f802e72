package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.nio.DoubleBuffer;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inference-mode batch norm ({@link CpuBatchNormInference}) value for value against the formula written out per
 * element: in F32 {@code fma(x - meanHigh, scale, shift - (mean - meanHigh) * scale)} with meanHigh the running mean
 * rounded to float, in F64 {@code (x - mean) * scale + shift}, then the residual and the activation. The shapes put
 * chunk boundaries inside planes (a 7x7 or 37x29 plane does not divide a chunk), split rows of more channels than
 * a chunk holds ([N, 2100]) and run on both threads.
 */
class CpuBatchNormInferenceTest {
    private static final double EPS = 1e-5;
    private static final int[][] SHAPES = {{4, 6}, {3, 2100}, {40, 2100}, {9, 13, 7, 7}, {2, 3, 37, 29},
            {4, 16, 30, 30}};

    private CpuBackend backend;
    private Scope scope;

    @BeforeEach
    void open() {
        backend = new CpuBackend(2);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        backend.close();
    }

    @Test
    void f32IsTheFmaAboutTheMeanRoundedToFloat() {
        for (int[] dims : SHAPES) {
            Case k = new Case(dims, true, 21);
            assertArrayEquals(k.expectedF32(null, (y, r) -> y), k.run(DType.F32, false, null).toFloatArray(),
                    Shape.of(dims).toString());
        }
    }

    @Test
    void f32AddsTheResidualToTheRoundedValueThenAppliesTheActivation() {
        for (int[] dims : SHAPES) {
            Case k = new Case(dims, true, 22);
            float[] expected = k.expectedF32(k.residual, (y, r) -> Math.max((float) y + (float) r, 0f));
            assertArrayEquals(expected, k.run(DType.F32, true, UnaryOp.RELU).toFloatArray(), Shape.of(dims).toString());
        }
    }

    @Test
    void f32WithoutAffineNormalisesOnly() {
        for (int[] dims : SHAPES) {
            Case k = new Case(dims, false, 23);
            assertArrayEquals(k.expectedF32(null, (y, r) -> y), k.run(DType.F32, false, null).toFloatArray(),
                    Shape.of(dims).toString());
        }
    }

    @Test
    void f64IsTheAffineMapInDoubleWithResidualAndActivation() {
        for (int[] dims : SHAPES) {
            Case k = new Case(dims, true, 24);
            double[] expected = k.expectedF64(k.residual, (y, r) -> Math.tanh(y + r));
            assertArrayEquals(expected, k.run(DType.F64, true, UnaryOp.TANH).toDoubleArray(), Shape.of(dims).toString());
        }
    }

    @Test
    void savesTheRunningMeanAndTheInverseStandardDeviation() {
        Case k = new Case(new int[] {2, 5, 3, 3}, true, 25);
        Tensor mean = Tensor.empty(Shape.of(5), DType.F64, backend);
        Tensor invStd = Tensor.empty(Shape.of(5), DType.F64, backend);
        k.forward(DType.F64, null, null, mean, invStd);
        double[] expectedInvStd = new double[5];
        for (int c = 0; c < 5; c++) {
            expectedInvStd[c] = 1 / Math.sqrt(k.runningVar[c] + EPS);
        }
        assertArrayEquals(k.runningMean, mean.toDoubleArray());
        assertArrayEquals(expectedInvStd, invStd.toDoubleArray());
    }

    /** One shape's values (each a float, so that both dtypes hold them exactly) and the reference per element. */
    private final class Case {
        final int[] dims;
        final int channels;
        final int spatial;
        final double[] x;
        final double[] residual;
        final double[] weight;
        final double[] bias;
        final double[] runningMean;
        final double[] runningVar;

        Case(int[] dims, boolean affine, long seed) {
            this.dims = dims;
            channels = dims[1];
            int size = Math.toIntExact(Shape.of(dims).size());
            spatial = size / (dims[0] * channels);
            SplittableRandom random = new SplittableRandom(seed);
            x = floats(random, size, 3, 4);
            residual = floats(random, size, 0, 1);
            weight = affine ? floats(random, channels, 1, 0.5) : null;
            bias = affine ? floats(random, channels, 0, 0.5) : null;
            runningMean = floats(random, channels, 3, 1);
            runningVar = floats(random, channels, 16, 5);
            for (int c = 0; c < channels; c++) {
                runningVar[c] = Math.abs(runningVar[c]);
            }
        }

        Tensor run(DType dtype, boolean withResidual, UnaryOp activation) {
            return forward(dtype, withResidual ? tensor(residual, dtype, dims) : null, activation, null, null);
        }

        Tensor forward(DType dtype, Tensor residualTensor, UnaryOp activation, Tensor saveMean, Tensor saveInvStd) {
            Tensor out = Tensor.empty(Shape.of(dims), dtype, backend);
            Tensor w = weight == null ? null : tensor(weight, dtype, channels);
            Tensor b = bias == null ? null : tensor(bias, dtype, channels);
            backend.batchNormAddActivationForward(tensor(x, dtype, dims), residualTensor, w, b,
                    tensor(runningMean, dtype, channels), tensor(runningVar, dtype, channels), false, 0.1, EPS,
                    activation, 0, out, saveMean, saveInvStd);
            return out;
        }

        /** epilogue(normalised value, residual value) per element, the normalised value in F32. */
        float[] expectedF32(double[] res, DoubleBinaryOperator epilogue) {
            float[] e = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                int c = (i / spatial) % channels;
                double mean = (float) runningMean[c];
                double scale = 1 / Math.sqrt((float) runningVar[c] + EPS) * (weight == null ? 1 : (float) weight[c]);
                double shift = bias == null ? 0 : (float) bias[c];
                float meanHigh = (float) mean;
                float s = (float) scale;
                float t = (float) (shift - (mean - meanHigh) * scale);
                float y = FusedMultiplyAdd.IN_HARDWARE ? Math.fma((float) x[i] - meanHigh, s, t)
                        : ((float) x[i] - meanHigh) * s + t;
                e[i] = (float) epilogue.applyAsDouble(y, res == null ? 0 : res[i]);
            }
            return e;
        }

        /** epilogue(normalised value, residual value) per element in F64. */
        double[] expectedF64(double[] res, DoubleBinaryOperator epilogue) {
            double[] e = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int c = (i / spatial) % channels;
                double scale = 1 / Math.sqrt(runningVar[c] + EPS) * (weight == null ? 1 : weight[c]);
                double y = (x[i] - runningMean[c]) * scale + (bias == null ? 0 : bias[c]);
                e[i] = epilogue.applyAsDouble(y, res == null ? 0 : res[i]);
            }
            return e;
        }
    }

    /** n values location + spread * U(-1, 1), each rounded to float. */
    private static double[] floats(SplittableRandom random, int n, double location, double spread) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (location + spread * (2 * random.nextDouble() - 1));
        }
        return v;
    }

    private Tensor tensor(double[] values, DType dtype, int... dims) {
        Tensor wide = Tensor.empty(Shape.of(dims), DType.F64, backend);
        backend.copyFromHost(DoubleBuffer.wrap(values), wide);
        return dtype == DType.F64 ? wide : wide.to(dtype);
    }
}
