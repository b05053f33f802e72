package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The F32 batch norm against the same op in F64 on the same values, the F64 result taken as exact: the error of each
 * value in ulps of its channel's output scale (the largest magnitude of the F64 channel, rounded to float), worst
 * over shapes (one value a channel per sample, runs shorter and longer than {@link CompensatedLanes#LANES}) and
 * channels of varied location and spread, among them 1000 + N(0, 0.01), where a one-pass variance in float, a mean
 * summed in float without a pivot or a shift {@code bias - mean * scale} rounded to float would be off by thousands.
 */
class CpuBatchNormAccuracyTest {
    /**
     * Measured worst (ulps, FMA in hardware): training forward 0.91, inference 1.32, with residual and ReLU 1.53,
     * input gradient 1.06, weight and bias gradients 0.29. A shift rounded to float gave 25,000, a one-pass variance
     * in float 2.4e7.
     */
    private static final double BOUND_ULPS = 2;
    private static final double EPS = 1e-5;
    private static final int[][] SHAPES = {{64, 6}, {7, 6, 5, 3}, {16, 6, 16, 16}, {3, 6, 37, 29}};
    /** Per channel: location and spread of its values. */
    private static final double[][] CHANNELS = {{0, 1}, {1000, 0.01}, {-3e4, 5}, {1e-3, 1e-4}, {0.5, 1e3}, {7, 0.3}};

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
    void trainingForwardIsWithinAFewUlpsOfTheExactValue() {
        for (int[] dims : SHAPES) {
            Case k = new Case(dims, 11);
            Tensor y32 = k.forward(DType.F32, true, null, null);
            Tensor y64 = k.forward(DType.F64, true, null, null);
            assertWithin("training forward " + Shape.of(dims), k, y64, y32);
        }
    }

    @Test
    void inferenceForwardIsWithinAFewUlpsOfTheExactValue() {
        for (int[] dims : SHAPES) {
            Case k = new Case(dims, 12);
            Tensor y32 = k.forward(DType.F32, false, null, null);
            Tensor y64 = k.forward(DType.F64, false, null, null);
            assertWithin("inference forward " + Shape.of(dims), k, y64, y32);
        }
    }

    @Test
    void forwardWithResidualAndReluIsWithinAFewUlpsOfTheExactValue() {
        for (int[] dims : SHAPES) {
            Case k = new Case(dims, 13);
            Tensor y32 = k.forward(DType.F32, true, k.residual(DType.F32), UnaryOp.RELU);
            Tensor y64 = k.forward(DType.F64, true, k.residual(DType.F64), UnaryOp.RELU);
            assertWithin("training forward + residual, ReLU " + Shape.of(dims), k, y64, y32);
        }
    }

    @Test
    void backwardIsWithinAFewUlpsOfTheExactValueForTheSavedStatistics() {
        for (int[] dims : SHAPES) {
            Case k = new Case(dims, 14);
            Tensor[] g32 = k.backward(DType.F32);
            Tensor[] g64 = k.backward(DType.F64);
            assertWithin("input gradient " + Shape.of(dims), k, g64[0], g32[0]);
            double[] magnitudes = k.gradientMagnitudes();
            assertSumsWithin("weight gradient " + Shape.of(dims), g64[1], g32[1], magnitudes, 0);
            assertSumsWithin("bias gradient " + Shape.of(dims), g64[2], g32[2], magnitudes, 1);
        }
    }

    /** Asserts every value of actual within the bound of expected's, in ulps of its channel's output scale. */
    private static void assertWithin(String what, Case k, Tensor expected, Tensor actual) {
        double[] e = expected.toDoubleArray();
        float[] a = actual.toFloatArray();
        int channels = k.dims[1];
        int spatial = k.size / (k.dims[0] * channels);
        double[] scale = new double[channels];
        for (int i = 0; i < e.length; i++) {
            int c = (i / spatial) % channels;
            scale[c] = Math.max(scale[c], Math.abs(e[i]));
        }
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            int c = (i / spatial) % channels;
            worst = Math.max(worst, Math.abs(a[i] - e[i]) / Math.ulp((float) scale[c]));
        }
        assertTrue(worst <= BOUND_ULPS, what + ": worst error " + worst + " ulps of a channel's scale, expected at "
                + "most " + BOUND_ULPS);
    }

    /** A gradient's sums within the bound in ulps of the sums of their terms' magnitudes (column of magnitudes). */
    private static void assertSumsWithin(String what, Tensor expected, Tensor actual, double[] magnitudes, int column) {
        double[] e = expected.toDoubleArray();
        float[] a = actual.toFloatArray();
        double worst = 0;
        for (int c = 0; c < e.length; c++) {
            worst = Math.max(worst, Math.abs(a[c] - e[c]) / Math.ulp((float) magnitudes[2 * c + column]));
        }
        assertTrue(worst <= BOUND_ULPS, what + ": worst error " + worst + " ulps of the sum of magnitudes, expected at "
                + "most " + BOUND_ULPS);
    }

    /** One shape's values, drawn once as floats, and the tensors made of them in either dtype. */
    private final class Case {
        final int[] dims;
        final int size;
        final float[] x;
        final float[] weight;
        final float[] bias;
        final float[] runningMean;
        final float[] runningVar;
        final float[] gradOut;
        final float[] residual;
        float[] savedMean;
        float[] savedInvStd;

        Case(int[] dims, long seed) {
            this.dims = dims;
            int n = 1;
            for (int d : dims) {
                n *= d;
            }
            size = n;
            SplittableRandom random = new SplittableRandom(seed);
            int channels = dims[1];
            int spatial = size / (dims[0] * channels);
            x = new float[size];
            gradOut = new float[size];
            residual = new float[size];
            for (int i = 0; i < size; i++) {
                double[] channel = CHANNELS[(i / spatial) % channels];
                x[i] = (float) (channel[0] + channel[1] * gaussian(random));
                gradOut[i] = (float) gaussian(random);
                residual[i] = (float) gaussian(random);
            }
            weight = new float[channels];
            bias = new float[channels];
            runningMean = new float[channels];
            runningVar = new float[channels];
            for (int c = 0; c < channels; c++) {
                weight[c] = (float) (1 + 0.5 * gaussian(random));
                bias[c] = (float) (0.5 * gaussian(random));
                runningMean[c] = (float) (CHANNELS[c][0] + 0.1 * CHANNELS[c][1] * gaussian(random));
                runningVar[c] = (float) (CHANNELS[c][1] * CHANNELS[c][1] * (1 + 0.2 * random.nextDouble()));
            }
        }

        /** The forward pass in dtype, with a residual and activation unless residualTensor is null. */
        Tensor forward(DType dtype, boolean training, Tensor residualTensor, UnaryOp activation) {
            Tensor out = Tensor.empty(Shape.of(dims), dtype, backend);
            Tensor mean = Tensor.empty(Shape.of(dims[1]), dtype, backend);
            Tensor invStd = Tensor.empty(Shape.of(dims[1]), dtype, backend);
            Tensor xs = tensor(x, dtype, dims);
            Tensor w = tensor(weight, dtype, dims[1]);
            Tensor b = tensor(bias, dtype, dims[1]);
            Tensor rm = tensor(runningMean, dtype, dims[1]);
            Tensor rv = tensor(runningVar, dtype, dims[1]);
            if (residualTensor == null) {
                backend.batchNormForward(xs, w, b, rm, rv, training, 0.1, EPS, out, mean, invStd);
            } else {
                backend.batchNormAddActivationForward(xs, residualTensor, w, b, rm, rv, training, 0.1, EPS, activation,
                        0, out, mean, invStd);
            }
            if (dtype == DType.F32) {
                savedMean = mean.toFloatArray();
                savedInvStd = invStd.toFloatArray();
            }
            return out;
        }

        Tensor residual(DType dtype) {
            return tensor(residual, dtype, dims);
        }

        /** Input, weight and bias gradients from the statistics the F32 forward pass saved. */
        Tensor[] backward(DType dtype) {
            if (savedMean == null) {
                forward(DType.F32, true, null, null);
            }
            Tensor gradInput = Tensor.empty(Shape.of(dims), dtype, backend);
            Tensor gradWeight = Tensor.empty(Shape.of(dims[1]), dtype, backend);
            Tensor gradBias = Tensor.empty(Shape.of(dims[1]), dtype, backend);
            backend.batchNormBackward(tensor(x, dtype, dims), tensor(gradOut, dtype, dims),
                    tensor(weight, dtype, dims[1]), tensor(savedMean, dtype, dims[1]),
                    tensor(savedInvStd, dtype, dims[1]), gradInput, gradWeight, gradBias);
            return new Tensor[] {gradInput, gradWeight, gradBias};
        }

        /** Per channel c: at 2c the sum of |gradOut * xhat|, at 2c + 1 the sum of |gradOut|. */
        double[] gradientMagnitudes() {
            int channels = dims[1];
            int spatial = size / (dims[0] * channels);
            double[] sums = new double[2 * channels];
            for (int i = 0; i < size; i++) {
                int c = (i / spatial) % channels;
                sums[2 * c] += Math.abs(gradOut[i] * ((double) x[i] - savedMean[c]) * savedInvStd[c]);
                sums[2 * c + 1] += Math.abs(gradOut[i]);
            }
            return sums;
        }
    }

    private Tensor tensor(float[] values, DType dtype, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), dtype, backend);
        if (dtype == DType.F32) {
            backend.copyFromHost(FloatBuffer.wrap(values), t);
        } else {
            double[] wide = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                wide[i] = values[i];
            }
            backend.copyFromHost(DoubleBuffer.wrap(wide), t);
        }
        return t;
    }

    /** A standard normal value (Box-Muller), so that the test needs no other generator. */
    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
