package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CPU's maxPool2dForward, maxPool2dValues and maxPool2dBackward against window-by-window loops written here: the
 * first maximum in row-major window order (PyTorch's), NaN above everything and its last position recorded (PyTorch
 * 1.13's CPU rule, val > max || isnan(val)), padding never a candidate; in F32
 * and F64: the full 2 x 2 and 3 x 3 windows' straight-line code and the clipped windows at every edge, with padding,
 * strides 1 to 3, odd sizes, ceil mode's windows hanging over, and planes too small for a full window.
 */
class CpuMaxPoolTest {
    /** batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, ceil mode (1) or not (0). */
    private static final int[][] GEOMETRIES = {
        {1, 3, 9, 11, 3, 3, 2, 2, 1, 1, 0},
        {2, 2, 8, 8, 3, 3, 2, 2, 1, 1, 0},
        {1, 2, 6, 7, 3, 3, 1, 1, 1, 1, 0},
        {2, 3, 6, 6, 2, 2, 2, 2, 0, 0, 0},
        {1, 2, 7, 7, 2, 2, 2, 2, 0, 0, 1},
        {1, 2, 7, 5, 3, 3, 2, 2, 1, 1, 1},
        {1, 2, 8, 9, 3, 3, 3, 3, 0, 0, 1},
        {1, 1, 5, 6, 2, 3, 1, 2, 1, 1, 0},
        {1, 1, 3, 3, 3, 3, 2, 2, 1, 1, 0},
        {1, 2, 9, 4, 4, 2, 3, 1, 2, 1, 1},
        {2, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
    };

    private CpuBackend cpu;
    private Scope scope;

    @BeforeEach
    void open() {
        cpu = new CpuBackend(2);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        cpu.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tiesGoToTheFirstMaximumOfEachWindow(DType dtype) {
        matchesTheLoops(dtype, 0, false);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nanWinsAtItsLastPosition(DType dtype) {
        matchesTheLoops(dtype, 0.15, false);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void negativeInfinityWinsOverThePadding(DType dtype) {
        matchesTheLoops(dtype, 0, true);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maximaWithoutPositionsMatchTheLoops(DType dtype) {
        SplittableRandom random = new SplittableRandom(5);
        for (boolean negativeInfinity : new boolean[] {false, true}) {
            for (int[] spec : GEOMETRIES) {
                Pool2dGeometry g = geometry(spec);
                double nanShare = negativeInfinity ? 0 : 0.1;
                double[] x = rounded(values(g.inputShape(), random, nanShare, negativeInfinity), dtype);
                Tensor out = Tensor.empty(g.outputShape(), dtype, cpu);
                cpu.maxPool2dValues(tensor(g.inputShape(), x, dtype), g, out);
                assertArrayEquals(reference(g, x).values(), out.toDoubleArray(), "values, geometry " + g);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gradientGoesToTheRecordedMaximum(DType dtype) {
        SplittableRandom random = new SplittableRandom(7);
        for (int[] spec : GEOMETRIES) {
            Pool2dGeometry g = geometry(spec);
            double[] x = rounded(values(g.inputShape(), random, 0.1, false), dtype);
            double[] gradOut = rounded(values(g.outputShape(), random, 0, false), dtype);
            Tensor indices = Tensor.empty(g.outputShape(), DType.I64, cpu);
            Tensor out = Tensor.empty(g.outputShape(), dtype, cpu);
            cpu.maxPool2dForward(tensor(g.inputShape(), x, dtype), g, out, indices);
            Tensor gradInput = Tensor.empty(g.inputShape(), dtype, cpu);
            cpu.maxPool2dBackward(tensor(g.outputShape(), gradOut, dtype), indices, g, gradInput);
            double[] expected = new double[x.length];
            long[] at = reference(g, x).indices();
            int inPlane = g.height() * g.width();
            int outPlane = g.outH() * g.outW();
            for (int i = 0; i < at.length; i++) {
                expected[i / outPlane * inPlane + (int) at[i]] += gradOut[i];
            }
            assertArrayEquals(expected, gradInput.toDoubleArray(), 1e-6, "gradient, geometry " + g);
        }
    }

    private void matchesTheLoops(DType dtype, double nanShare, boolean negativeInfinity) {
        SplittableRandom random = new SplittableRandom(3);
        for (int[] spec : GEOMETRIES) {
            Pool2dGeometry g = geometry(spec);
            double[] x = rounded(values(g.inputShape(), random, nanShare, negativeInfinity), dtype);
            Tensor out = Tensor.empty(g.outputShape(), dtype, cpu);
            Tensor indices = Tensor.empty(g.outputShape(), DType.I64, cpu);
            cpu.maxPool2dForward(tensor(g.inputShape(), x, dtype), g, out, indices);
            Pooled expected = reference(g, x);
            assertArrayEquals(expected.values(), out.toDoubleArray(), "values, geometry " + g);
            assertArrayEquals(expected.indices(), indices.toLongArray(), "indices, geometry " + g);
        }
    }

    private static Pool2dGeometry geometry(int[] s) {
        return Pool2dGeometry.of("maxPool2d", Shape.of(s[0], s[1], s[2], s[3]), new int[] {s[4], s[5]},
                new int[] {s[6], s[7]}, new int[] {s[8], s[9]}, s[10] == 1, true);
    }

    /**
     * Whole numbers in [-2, 2], so that windows tie often, a {@code nanShare} of NaNs, and with
     * {@code negativeInfinity} nothing but minus infinity: the windows' maxima then tie with padding's.
     */
    private static double[] values(Shape shape, SplittableRandom random, double nanShare, boolean negativeInfinity) {
        double[] v = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = negativeInfinity ? Double.NEGATIVE_INFINITY
                    : random.nextDouble() < nanShare ? Double.NaN : random.nextInt(5) - 2 + 0.1 * random.nextInt(3);
        }
        return v;
    }

    private Tensor tensor(Shape shape, double[] values, DType dtype) {
        Tensor wide = Tensor.empty(shape, DType.F64, cpu);
        cpu.copyFromHost(DoubleBuffer.wrap(values), wide);
        return dtype == DType.F64 ? wide : wide.to(dtype);
    }

    private static double[] rounded(double[] values, DType dtype) {
        double[] r = values.clone();
        for (int i = 0; i < r.length && dtype == DType.F32; i++) {
            r[i] = (float) r[i];
        }
        return r;
    }

    private record Pooled(double[] values, long[] indices) {
    }

    /** Each window's maximum and its first position, row by row, a NaN above any number at its last position. */
    private static Pooled reference(Pool2dGeometry g, double[] x) {
        int planes = g.batch() * g.channels();
        int outPlane = g.outH() * g.outW();
        double[] values = new double[planes * outPlane];
        long[] indices = new long[planes * outPlane];
        for (int plane = 0; plane < planes; plane++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int o = plane * outPlane + oh * g.outW() + ow;
                    indices[o] = -1;
                    for (int i = 0; i < g.kernelH(); i++) {
                        for (int j = 0; j < g.kernelW(); j++) {
                            int h = oh * g.strideH() - g.padH() + i;
                            int w = ow * g.strideW() - g.padW() + j;
                            if (h < 0 || h >= g.height() || w < 0 || w >= g.width()) {
                                continue;
                            }
                            double v = x[plane * g.height() * g.width() + h * g.width() + w];
                            if (indices[o] < 0 || Double.isNaN(v) || v > values[o]) {
                                values[o] = v;
                                indices[o] = (long) h * g.width() + w;
                            }
                        }
                    }
                }
            }
        }
        return new Pooled(values, indices);
    }
}
