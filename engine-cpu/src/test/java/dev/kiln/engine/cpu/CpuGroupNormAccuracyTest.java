package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The F32 group norm against the same op in F64 on the same values, the F64 result taken as exact, in the style of
 * {@link CpuBatchNormAccuracyTest}: each output's error in ulps of its (sample, channel)'s scale, each input
 * gradient's in ulps of its (sample, group)'s (they share the group's sums), each weight
 * and bias gradient's in ulps of the sum of its terms' magnitudes, worst over shapes (groups of one and of several
 * channels, channels shorter and longer than {@link BlockSums#LANES}) and groups of varied location and
 * spread, among them 1000 + N(0, 0.01).
 */
class CpuGroupNormAccuracyTest {
    private static final double BOUND_ULPS = 2;
    private static final double EPS = 1e-5;
    /**
     * Shape, then the number of groups: among them a group of one block of {@link BlockSums} with a tail, and one of
     * 131,072 values, whose squares one float accumulator sums tens of ulps off.
     */
    private static final int[][] CASES = {{8, 6, 4, 3}, {4, 6, 5, 3, 3}, {3, 6, 16, 16, 6}, {2, 6, 33, 33, 2},
        {2, 4, 7, 150, 2}, {1, 2, 256, 256, 1}};
    /** Per group: location and spread of its values. */
    private static final double[][] GROUPS = {{0, 1}, {1000, 0.01}, {-3e4, 5}, {1e-3, 1e-4}, {0.5, 1e3}, {7, 0.3}};

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
    void forwardIsWithinAFewUlpsOfTheExactValue() {
        for (int[] spec : CASES) {
            Case k = new Case(spec, 21);
            assertWithin("forward " + k, k.forward(DType.F64), k.forward(DType.F32), k.spatial);
        }
    }

    @Test
    void backwardIsWithinAFewUlpsOfTheExactValueForTheSavedStatistics() {
        for (int[] spec : CASES) {
            Case k = new Case(spec, 22);
            Tensor[] g32 = k.backward(DType.F32);
            Tensor[] g64 = k.backward(DType.F64);
            // Each value's gradient takes terms summed over its whole group: in ulps of the group's scale.
            assertWithin("input gradient " + k, g64[0], g32[0], k.spatial * k.channels / k.groups);
            double[][] magnitudes = k.gradientMagnitudes();
            assertSumsWithin("weight gradient " + k, g64[1], g32[1], magnitudes[0]);
            assertSumsWithin("bias gradient " + k, g64[2], g32[2], magnitudes[1]);
        }
    }

    @Test
    void backwardWithoutAffineIsWithinAFewUlpsOfTheExactValue() {
        for (int[] spec : CASES) {
            Case k = new Case(spec, 23);
            assertWithin("input gradient without affine " + k, k.backwardWithoutAffine(DType.F64),
                    k.backwardWithoutAffine(DType.F32), k.spatial * k.channels / k.groups);
        }
    }

    /**
     * Every value of actual within the bound of expected's, in ulps of its run's largest magnitude: runs of
     * {@code run} values, a (sample, channel)'s or a (sample, group)'s.
     */
    private static void assertWithin(String what, Tensor expected, Tensor actual, int run) {
        double[] e = expected.toDoubleArray();
        float[] a = actual.toFloatArray();
        double[] scale = new double[e.length / run];
        for (int i = 0; i < e.length; i++) {
            scale[i / run] = Math.max(scale[i / run], Math.abs(e[i]));
        }
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - e[i]) / Math.ulp((float) scale[i / run]));
        }
        assertTrue(worst <= BOUND_ULPS, what + ": worst error " + worst + " ulps of a run's scale, expected at "
                + "most " + BOUND_ULPS);
    }

    private static void assertSumsWithin(String what, Tensor expected, Tensor actual, double[] magnitudes) {
        double[] e = expected.toDoubleArray();
        float[] a = actual.toFloatArray();
        double worst = 0;
        for (int c = 0; c < e.length; c++) {
            worst = Math.max(worst, Math.abs(a[c] - e[c]) / Math.ulp((float) magnitudes[c]));
        }
        assertTrue(worst <= BOUND_ULPS, what + ": worst error " + worst + " ulps of the sum of magnitudes, expected at "
                + "most " + BOUND_ULPS);
    }

    /** One shape's values, drawn once as floats, and the tensors made of them in either dtype. */
    private final class Case {
        final int[] dims;
        final int groups;
        final int n;
        final int channels;
        final int spatial;
        final float[] x;
        final float[] weight;
        final float[] bias;
        final float[] gradOut;
        float[] savedMean;
        float[] savedInvStd;

        Case(int[] spec, long seed) {
            dims = Arrays.copyOf(spec, spec.length - 1);
            groups = spec[spec.length - 1];
            n = dims[0];
            channels = dims[1];
            int size = 1;
            for (int d : dims) {
                size *= d;
            }
            spatial = size / (n * channels);
            SplittableRandom random = new SplittableRandom(seed);
            x = new float[size];
            gradOut = new float[size];
            for (int i = 0; i < size; i++) {
                double[] group = GROUPS[(i / spatial) % channels / (channels / groups)];
                x[i] = (float) (group[0] + group[1] * gaussian(random));
                gradOut[i] = (float) gaussian(random);
            }
            weight = new float[channels];
            bias = new float[channels];
            for (int c = 0; c < channels; c++) {
                weight[c] = (float) (1 + 0.5 * gaussian(random));
                bias[c] = (float) (0.5 * gaussian(random));
            }
        }

        Tensor forward(DType dtype) {
            Tensor out = Tensor.empty(Shape.of(dims), dtype, backend);
            Tensor mean = Tensor.empty(Shape.of(n * groups), dtype, backend);
            Tensor invStd = Tensor.empty(Shape.of(n * groups), dtype, backend);
            backend.groupNormForward(tensor(x, dtype, dims), groups, tensor(weight, dtype, channels),
                    tensor(bias, dtype, channels), EPS, out, mean, invStd);
            if (dtype == DType.F32) {
                savedMean = mean.toFloatArray();
                savedInvStd = invStd.toFloatArray();
            }
            return out;
        }

        /** Input, weight and bias gradients from the statistics the F32 forward pass saved. */
        Tensor[] backward(DType dtype) {
            if (savedMean == null) {
                forward(DType.F32);
            }
            Tensor gradInput = Tensor.empty(Shape.of(dims), dtype, backend);
            Tensor gradWeight = Tensor.empty(Shape.of(channels), dtype, backend);
            Tensor gradBias = Tensor.empty(Shape.of(channels), dtype, backend);
            backend.groupNormBackward(tensor(x, dtype, dims), tensor(gradOut, dtype, dims), groups,
                    tensor(weight, dtype, channels), tensor(savedMean, dtype, n * groups),
                    tensor(savedInvStd, dtype, n * groups), gradInput, gradWeight, gradBias);
            return new Tensor[] {gradInput, gradWeight, gradBias};
        }

        /** The input gradient with no weight and no parameter gradients, from the F32 forward pass's statistics. */
        Tensor backwardWithoutAffine(DType dtype) {
            if (savedMean == null) {
                forward(DType.F32);
            }
            Tensor gradInput = Tensor.empty(Shape.of(dims), dtype, backend);
            backend.groupNormBackward(tensor(x, dtype, dims), tensor(gradOut, dtype, dims), groups, null,
                    tensor(savedMean, dtype, n * groups), tensor(savedInvStd, dtype, n * groups), gradInput, null,
                    null);
            return gradInput;
        }

        /** Per channel: the sums of |gradOut * xhat| and of |gradOut|. */
        double[][] gradientMagnitudes() {
            double[][] sums = new double[2][channels];
            for (int i = 0; i < x.length; i++) {
                int c = (i / spatial) % channels;
                int run = i / spatial / channels * groups + c / (channels / groups);
                sums[0][c] += Math.abs(gradOut[i] * ((double) x[i] - savedMean[run]) * savedInvStd[run]);
                sums[1][c] += Math.abs(gradOut[i]);
            }
            return sums;
        }

        @Override
        public String toString() {
            return Shape.of(dims) + " in " + groups + " groups";
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
