package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProxy;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.lang.reflect.InvocationHandler;
import java.nio.DoubleBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CPU's gridSample2dForward and gridSample2dBackward against the SPI's default (the composition of gathers and
 * arithmetic) on the same values: outputs and the gradients of the input and of the grid, for every mode, padding and
 * alignCorners, on random grids that reach outside [-1, 1], with more channels than one, an output of another size
 * than the input, and an input of one row (reflection about an empty span with alignCorners); the default's
 * backward pass also inside {@link F#gridSample}'s, as on a backend without a kernel of its own.
 */
class CpuGridSampleTest {
    /** Input shape, then the grid's Ho and Wo. */
    private static final int[][] CASES = {{2, 3, 5, 7, 4, 6}, {3, 2, 1, 4, 3, 2}};
    /** How far outside [-1, 1] the grid reaches. */
    private static final double REACH = 1.7;

    private CpuBackend cpu;
    private CpuBackend behindProxy;
    private Backend composed;
    private Scope scope;

    @BeforeEach
    void open() {
        cpu = new CpuBackend(2);
        behindProxy = new CpuBackend(2);
        composed = withDefaultGridSample(behindProxy);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        cpu.close();
        behindProxy.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bilinearMatchesTheComposition(DType dtype) {
        matchesTheComposition(GridSampleMode.BILINEAR, dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nearestMatchesTheComposition(DType dtype) {
        matchesTheComposition(GridSampleMode.NEAREST, dtype);
    }

    /** The default's backward pass, run inside F.gridSample's, gives the kernel's gradients. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theCompositionDifferentiatesInsideABackwardPass(DType dtype) {
        assertClose("F.gridSample bilinear reflection alignCorners " + dtype, differentiated(composed, dtype),
                differentiated(cpu, dtype), dtype == DType.F64 ? 1e-12 : 1e-5);
    }

    /**
     * PyTorch 1.13's grid_sample of [1, 1, 3, 4] values (1 to 12) / 7 at (NaN, 0.2), (0.3, NaN), (Inf, -0.4),
     * (-Inf, 0.5) and (Inf, -Inf) (models/src/test/pytorch/grid_sample_nonfinite.py): border and reflection take a
     * NaN coordinate, and reflection an infinite one, as 0; border clips an infinite one to the edge. One row per
     * mode (bilinear, nearest), padding (border, reflection) and alignCorners (false, true); F32 gave the same.
     */
    private static final double[][] NON_FINITE_EXPECTED = {
        {0.8857142857142857, 0.4428571428571429, 0.8, 1.142857142857143, 0.5714285714285714},
        {0.8285714285714286, 0.42142857142857143, 0.9142857142857143, 1.0, 0.5714285714285714},
        {0.8857142857142857, 0.4428571428571429, 0.3714285714285714, 1.142857142857143, 0.14285714285714285},
        {0.8285714285714286, 0.42142857142857143, 0.4857142857142857, 1.0, 0.14285714285714285},
        {0.7142857142857143, 0.42857142857142855, 0.5714285714285714, 1.2857142857142858, 0.5714285714285714},
        {0.7142857142857143, 0.42857142857142855, 1.1428571428571428, 1.2857142857142858, 0.5714285714285714},
        {0.7142857142857143, 0.42857142857142855, 0.14285714285714285, 1.2857142857142858, 0.14285714285714285},
        {0.7142857142857143, 0.42857142857142855, 0.7142857142857143, 1.2857142857142858, 0.14285714285714285},
    };

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nonFiniteCoordinatesUnderBorderAndReflectionSampleAsPyTorch(DType dtype) {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        double[] points = {nan, 0.2, 0.3, nan, inf, -0.4, -inf, 0.5, inf, -inf};
        double[] values = new double[12];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i + 1) / 7.0;
        }
        int row = 0;
        for (GridSampleMode mode : new GridSampleMode[] {GridSampleMode.BILINEAR, GridSampleMode.NEAREST}) {
            for (GridSamplePadding padding : new GridSamplePadding[] {GridSamplePadding.BORDER,
                GridSamplePadding.REFLECTION}) {
                for (boolean alignCorners : new boolean[] {false, true}) {
                    double[] expected = NON_FINITE_EXPECTED[row++];
                    for (Backend backend : new Backend[] {cpu, composed}) {
                        Tensor input = host(backend, values, Shape.of(1, 1, 3, 4), dtype);
                        Tensor grid = host(backend, points, Shape.of(1, 1, 5, 2), dtype);
                        Tensor out = Tensor.empty(Shape.of(1, 1, 1, 5), dtype, backend);
                        backend.gridSample2dForward(input, grid, mode, padding, alignCorners, out);
                        assertArrayEquals(expected, out.toDoubleArray(), 1e-6, mode + " " + padding
                                + " alignCorners " + alignCorners + " " + dtype + " on "
                                + (backend == cpu ? "the kernel" : "the composition"));
                    }
                }
            }
        }
    }

    /**
     * PyTorch 1.13's CPU grid_sample of [1, 1, 3, 4] values (1 to 12) / 7 under zeros padding at (NaN, 0.2),
     * (0.3, NaN), (Inf, -0.4), (-Inf, 0.5), (Inf, -Inf) and (0.25, -0.3), with a backward pass of ones
     * (models/src/test/pytorch/grid_sample_nonfinite_zeros.py): bilinear sampling at a non-finite coordinate is NaN,
     * passes the input no gradient, and the grid's gradient is NaN along the other axis (its weights are NaN there)
     * and 0 along the non-finite one; nearest sampling reads the zero outside. One entry per mode (bilinear,
     * nearest) and alignCorners (false, true): the outputs, the input's gradient, the grid's; F32 gave the same.
     */
    private static final double[][][] NON_FINITE_ZEROS_EXPECTED = {
        // bilinear False
        {
            {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0.7428571428571428},
            {0.0, 0.0, 0.45000000000000007, 0.0, 0.0, 0.0, 0.5499999999999999, 0.0, 0.0, 0.0, 0.0, 0.0},
            {0.0, Double.NaN, Double.NaN, 0.0, 0.0, Double.NaN, 0.0, Double.NaN, Double.NaN, Double.NaN,
                0.28571428571428564, 0.8571428571428571},
        },
        // bilinear True
        {
            {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0.8107142857142857},
            {0.0, 0.037500000000000006, 0.26250000000000007, 0.0, 0.0, 0.0875, 0.6124999999999999, 0.0, 0.0, 0.0,
                0.0, 0.0},
            {0.0, Double.NaN, Double.NaN, 0.0, 0.0, Double.NaN, 0.0, Double.NaN, Double.NaN, Double.NaN,
                0.21428571428571436, 0.5714285714285714},
        },
        // nearest False
        {
            {0.0, 0.0, 0.0, 0.0, 0.0, 1.0},
            {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0},
            {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
        },
        // nearest True
        {
            {0.0, 0.0, 0.0, 0.0, 0.0, 1.0},
            {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0},
            {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
        },
    };

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nonFiniteCoordinatesUnderZerosPaddingSampleAsPyTorch(DType dtype) {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        double[] points = {nan, 0.2, 0.3, nan, inf, -0.4, -inf, 0.5, inf, -inf, 0.25, -0.3};
        double[] values = new double[12];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i + 1) / 7.0;
        }
        int row = 0;
        for (GridSampleMode mode : new GridSampleMode[] {GridSampleMode.BILINEAR, GridSampleMode.NEAREST}) {
            for (boolean alignCorners : new boolean[] {false, true}) {
                double[][] expected = NON_FINITE_ZEROS_EXPECTED[row++];
                for (Backend backend : new Backend[] {cpu, composed}) {
                    Tensor input = host(backend, values, Shape.of(1, 1, 3, 4), dtype);
                    Tensor grid = host(backend, points, Shape.of(1, 1, 6, 2), dtype);
                    Tensor out = Tensor.empty(Shape.of(1, 1, 1, 6), dtype, backend);
                    backend.gridSample2dForward(input, grid, mode, GridSamplePadding.ZEROS, alignCorners, out);
                    Tensor gradInput = Tensor.empty(input.shape(), dtype, backend);
                    Tensor gradGrid = Tensor.empty(grid.shape(), dtype, backend);
                    Tensor ones = host(backend, new double[] {1, 1, 1, 1, 1, 1}, out.shape(), dtype);
                    backend.gridSample2dBackward(input, grid, ones, mode, GridSamplePadding.ZEROS, alignCorners,
                            gradInput, gradGrid);
                    String what = mode + " zeros alignCorners " + alignCorners + " " + dtype + " on "
                            + (backend == cpu ? "the kernel" : "the composition");
                    assertArrayEquals(expected[0], out.toDoubleArray(), 1e-6, what + ": output");
                    assertArrayEquals(expected[1], gradInput.toDoubleArray(), 1e-6, what + ": input's gradient");
                    assertArrayEquals(expected[2], gradGrid.toDoubleArray(), 1e-5, what + ": grid's gradient");
                }
            }
        }
    }

    private static Tensor host(Backend backend, double[] values, Shape shape, DType dtype) {
        Tensor t = Tensor.empty(shape, DType.F64, backend);
        backend.copyFromHost(DoubleBuffer.wrap(values), t);
        return dtype == DType.F64 ? t : t.to(dtype);
    }

    /** F.gridSample's output and the gradients of its input and grid from a backward pass, on {@code backend}. */
    private static double[][] differentiated(Backend backend, DType dtype) {
        SplittableRandom random = new SplittableRandom(7);
        int[] spec = CASES[0];
        Tensor input = uniform(backend, Shape.of(spec[0], spec[1], spec[2], spec[3]), dtype, random, 1)
                .requiresGrad(true);
        Tensor grid = uniform(backend, Shape.of(spec[0], spec[4], spec[5], 2), dtype, random, REACH)
                .requiresGrad(true);
        Tensor y = F.gridSample(input, grid, GridSampleMode.BILINEAR, GridSamplePadding.REFLECTION, true);
        y.backward(uniform(backend, y.shape(), dtype, random, 1));
        return new double[][] {y.toDoubleArray(), input.grad().toDoubleArray(), grid.grad().toDoubleArray()};
    }

    /**
     * The composition frees what it makes, in the backward pass the graph it records from leaves of its own too: it
     * leaves as many bytes in use as the kernel, which makes nothing but what it is given.
     */
    @ParameterizedTest
    @EnumSource(value = GridSampleMode.class, names = {"BILINEAR", "NEAREST"})
    void theCompositionKeepsNoneOfItsSteps(GridSampleMode mode) {
        assertEquals(bytesKept(cpu, mode), bytesKept(composed, mode), "bytes in use after the composition");
    }

    /** The bytes in use after {@link #sampled} on {@code backend}, which its scope then gives back. */
    private static long bytesKept(Backend backend, GridSampleMode mode) {
        long before = backend.bytesInUse();
        long kept;
        try (Scope inner = Scope.open()) {
            sampled(backend, CASES[0], mode, GridSamplePadding.REFLECTION, false, DType.F64, 1);
            kept = backend.bytesInUse() - before;
        }
        assertEquals(before, backend.bytesInUse(), "bytes in use after closing the scope");
        return kept;
    }

    private void matchesTheComposition(GridSampleMode mode, DType dtype) {
        int seed = 0;
        for (int[] spec : CASES) {
            for (GridSamplePadding padding : GridSamplePadding.values()) {
                for (boolean alignCorners : new boolean[] {false, true}) {
                    String what = mode + " " + padding + " alignCorners " + alignCorners + " " + dtype + " on "
                            + Shape.of(spec[0], spec[1], spec[2], spec[3]);
                    double[][] kernel = sampled(cpu, spec, mode, padding, alignCorners, dtype, ++seed);
                    double[][] composition = sampled(composed, spec, mode, padding, alignCorners, dtype, seed);
                    assertClose(what, kernel, composition, dtype == DType.F64 ? 1e-12 : 1e-5);
                }
            }
        }
    }

    /**
     * The output, the input's gradient and (bilinear) the grid's, of random values from {@code seed} on
     * {@code backend}.
     */
    private static double[][] sampled(Backend backend, int[] spec, GridSampleMode mode, GridSamplePadding padding,
                                      boolean alignCorners, DType dtype, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Shape inputShape = Shape.of(spec[0], spec[1], spec[2], spec[3]);
        Shape gridShape = Shape.of(spec[0], spec[4], spec[5], 2);
        Shape outShape = Shape.of(spec[0], spec[1], spec[4], spec[5]);
        Tensor input = uniform(backend, inputShape, dtype, random, 1);
        Tensor grid = uniform(backend, gridShape, dtype, random, REACH);
        Tensor gradOut = uniform(backend, outShape, dtype, random, 1);
        Tensor out = Tensor.empty(outShape, dtype, backend);
        backend.gridSample2dForward(input, grid, mode, padding, alignCorners, out);
        Tensor gradInput = Tensor.empty(inputShape, dtype, backend);
        Tensor gradGrid = mode == GridSampleMode.BILINEAR ? Tensor.empty(gridShape, dtype, backend) : null;
        backend.gridSample2dBackward(input, grid, gradOut, mode, padding, alignCorners, gradInput, gradGrid);
        return new double[][] {out.toDoubleArray(), gradInput.toDoubleArray(),
            gradGrid == null ? new double[0] : gradGrid.toDoubleArray()};
    }

    private static void assertClose(String what, double[][] actual, double[][] expected, double tolerance) {
        String[] names = {"output", "input's gradient", "grid's gradient"};
        for (int i = 0; i < names.length; i++) {
            assertEquals(expected[i].length, actual[i].length, what + ": " + names[i] + " length");
            for (int k = 0; k < expected[i].length; k++) {
                assertEquals(expected[i][k], actual[i][k], tolerance * Math.max(1, Math.abs(expected[i][k])),
                        what + ": " + names[i] + " element " + k);
            }
        }
    }

    private static Tensor uniform(Backend backend, Shape shape, DType dtype, SplittableRandom random, double bound) {
        double[] values = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (2 * random.nextDouble() - 1) * bound;
        }
        Tensor wide = Tensor.empty(shape, DType.F64, backend);
        backend.copyFromHost(DoubleBuffer.wrap(values), wide);
        return dtype == DType.F64 ? wide : wide.to(dtype);
    }

    /**
     * {@code to} running the interface's default gridSample2dForward and gridSample2dBackward, also for the
     * operations on tensors it allocates.
     */
    private static Backend withDefaultGridSample(Backend to) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return BackendProxy.objectMethod(proxy, method, args, "CPU backend with the default grid sampling");
            }
            if (method.getName().startsWith("gridSample2d") && method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            return BackendProxy.call(to, method, args);
        };
        return BackendProxy.wrap(to, handler);
    }
}
