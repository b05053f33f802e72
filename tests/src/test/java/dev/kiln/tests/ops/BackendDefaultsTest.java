package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StaticInt8ConvStage;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.engine.UnaryOp;
import dev.kiln.engine.cpu.CpuBackend;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Backend SPI's default composites, which a new backend inherits until it fuses them: a backend that
 * forwards everything to the CPU backend except the methods under test, which run the interface's default
 * code on it, must give the CPU's own fused results. Temporaries of a composite must come from the backend
 * it runs on, not from the engine's default backend.
 */
class BackendDefaultsTest {
    private final CpuBackend cpu = new CpuBackend(1, false);
    private final AtomicInteger allocations = new AtomicInteger();
    private final Backend defaults = withDefaults(cpu, Set.of("crossEntropyBackward", "bernoulli", "biasActivation",
            "biasActivationBackward", "groupedConv2dForward", "groupedConv2dBackwardData",
            "groupedConv2dBackwardFilter", "groupNormForward", "groupNormBackward", "layerNorm", "layerNormBackward",
            "sparseMatmulAdd", "requantizedAddRelu", "staticInt8Conv2dChain", "sparseCsrMatmulAdd",
            "staticInt8Conv2dChainMaxPool", "staticInt8Conv2dChainAndShortcut", "staticInt8GlobalAvgPoolConv2d"));
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /**
     * A backend that runs the interface's default code for {@code names} and delegates the rest to {@code to},
     * counting its allocations.
     */
    private Backend withDefaults(Backend to, Set<String> names) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("allocate")) {
                allocations.incrementAndGet();
            }
            try {
                if (names.contains(method.getName()) && method.isDefault()) {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                return method.invoke(to, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    private Tensor fromArray(Backend backend, double[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.F64, backend);
        backend.copyFromHost(DoubleBuffer.wrap(values), t);
        return t;
    }

    /**
     * crossEntropyBackward's gradient on the CPU's fused kernel and on the SPI's composite, for fixed inputs and a
     * scale of 1/4.
     */
    private double[][] crossEntropyGradients(double[] gradLosses) {
        double[] probs = {0.1, 0.7, 0.2, 0.5, 0.25, 0.25, 0.3, 0.3, 0.4};
        long[] targets = {1, 0, 2};
        double[][] results = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor t = Tensor.empty(Shape.of(3), DType.I64, backend);
            backend.copyFromHost(LongBuffer.wrap(targets), t);
            Tensor grad = Tensor.empty(Shape.of(3, 3), DType.F64, backend);
            Tensor p = fromArray(backend, probs, 3, 3);
            Tensor g = fromArray(backend, gradLosses, gradLosses.length);
            allocations.set(0);
            backend.crossEntropyBackward(p, t, g, 0.25, grad);
            results[b] = grad.toDoubleArray();
        }
        return results;
    }

    @Test
    void defaultCrossEntropyBackwardEqualsTheFusedKernel() {
        double[][] results = crossEntropyGradients(new double[] {1.0, 0.5, 2.0});
        assertEquals(2, allocations.get(), "the default's temporaries come from the backend it runs on");
        assertArrayEquals(new double[] {0.025, -0.075, 0.05, -0.0625, 0.03125, 0.03125, 0.15, 0.15, -0.3}, results[0],
                1e-12);
        assertArrayEquals(results[0], results[1], 1e-12);
    }

    @Test
    void crossEntropyBackwardSharesAOneElementGradientAmongAllRows() {
        double[][] results = crossEntropyGradients(new double[] {0.5});
        assertArrayEquals(new double[] {0.0125, -0.0375, 0.025, -0.0625, 0.03125, 0.03125, 0.0375, 0.0375, -0.075},
                results[0], 1e-12);
        assertArrayEquals(results[0], results[1], 1e-12);
    }

    @Test
    void defaultBernoulliDrawsWhatTheFusedKernelDraws() {
        double[][] results = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Tensor out = Tensor.empty(Shape.of(1000), DType.F32, backends[b]);
            allocations.set(0);
            backends[b].bernoulli(out, 0.3, 42L, 7L);
            results[b] = out.toDoubleArray();
        }
        assertEquals(1, allocations.get(), "the default's threshold comes from the backend it runs on");
        assertArrayEquals(results[0], results[1], 0);
    }

    /**
     * Values on a grid of quarters in [-3, 3): many exact zeros after adding a bias of quarters, so that the
     * ReLU's kink is hit, and a NaN every 97th element.
     */
    private Tensor quarters(Backend backend, long seed, int rows, int cols) {
        Random random = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 97 == 96 ? Float.NaN : (random.nextInt(24) - 12) / 4f;
        }
        Tensor t = Tensor.empty(Shape.of(rows, cols), DType.F32, backend);
        backend.copyFromHost(FloatBuffer.wrap(v), t);
        return t;
    }

    @ParameterizedTest(name = "{0} [{1}, {2}]")
    @CsvSource({"RELU, 64, 37", "RELU, 3, 2500", "TANH, 64, 37", "TANH, 3, 2500"})
    void defaultBiasActivationEqualsTheFusedKernel(UnaryOp op, int rows, int cols) {
        double[][][] results = new double[2][][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor x = quarters(backend, 1, rows, cols);
            Tensor bias = quarters(backend, 2, 1, cols).reshape(cols);
            Tensor y = Tensor.empty(Shape.of(rows, cols), DType.F32, backend);
            backend.biasActivation(op, 0, x, bias, y);
            Tensor gradY = quarters(backend, 3, rows, cols);
            Tensor gradPre = Tensor.empty(Shape.of(rows, cols), DType.F32, backend);
            Tensor gradBias = Tensor.empty(Shape.of(cols), DType.F32, backend);
            backend.biasActivationBackward(op, 0, y, gradY, gradPre, gradBias);
            Tensor gradPreAlone = Tensor.empty(Shape.of(rows, cols), DType.F32, backend);
            backend.biasActivationBackward(op, 0, y, gradY, gradPreAlone, null);
            backend.biasActivation(op, 0, x, bias, x);
            results[b] = new double[][] {y.toDoubleArray(), gradPre.toDoubleArray(), gradBias.toDoubleArray(),
                    gradPreAlone.toDoubleArray(), x.toDoubleArray()};
        }
        String[] names = {"out", "gradPre", "gradBias", "gradPre without gradBias", "out written over x"};
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(results[1][i], results[0][i], 0, names[i]);
        }
    }

    /** Values uniform in [-1, 1) from {@code seed}, in {@code dtype}, on {@code backend}. */
    private Tensor uniform(Backend backend, DType dtype, long seed, int... dims) {
        Random random = new Random(seed);
        double[] v = new double[Math.toIntExact(Shape.of(dims).size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * random.nextDouble() - 1;
        }
        Tensor values = fromArray(backend, v, dims);
        if (dtype == DType.F64) {
            return values;
        }
        Tensor converted = Tensor.empty(values.shape(), dtype, backend);
        backend.copy(values, converted);
        return converted;
    }

    /**
     * A depthwise convolution (groups == channels) in every direction on the CPU's own kernel and on the SPI's
     * group-by-group default: forward with bias, the input's gradient (at stride 1 with padding up to the kernel's
     * span by the turned filters, else by spreading), the filter's with and without the bias's. F64 to 1e-12, F32
     * (float arithmetic against the GEMMs') to 1e-5 relative.
     */
    @ParameterizedTest(name = "{0} N{1} C{2} x{3} {4}x{4} k{5} s{6} p{7} d{8}")
    @CsvSource({"F64, 2, 3, 1, 7, 3, 1, 1, 1", "F64, 2, 3, 2, 9, 3, 2, 1, 1", "F64, 3, 4, 2, 10, 3, 1, 2, 2",
            "F64, 1, 2, 3, 8, 5, 2, 2, 1", "F64, 2, 2, 1, 6, 1, 1, 0, 1", "F64, 4, 8, 2, 28, 3, 1, 1, 1",
            "F64, 1, 2, 2, 4, 3, 3, 3, 1", "F64, 2, 2, 2, 5, 3, 1, 3, 1", "F32, 4, 8, 2, 28, 3, 1, 1, 1",
            "F32, 2, 3, 2, 9, 3, 2, 1, 1", "F32, 2, 2, 2, 5, 3, 1, 3, 1"})
    void defaultGroupedConvolutionEqualsTheCpuDepthwiseKernel(DType dtype, int batch, int channels, int multiplier,
                                                              int size, int kernel, int stride, int padding,
                                                              int dilation) {
        int out = channels * multiplier;
        GroupedConv2dGeometry g = GroupedConv2dGeometry.of("conv2d", Shape.of(batch, channels, size, size),
                Shape.of(out, 1, kernel, kernel), new int[] {stride}, new int[] {padding}, new int[] {dilation},
                channels);
        double[][][] results = new double[2][][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor input = uniform(backend, dtype, 1, g.inputShape().dims());
            Tensor weight = uniform(backend, dtype, 2, g.weightShape().dims());
            Tensor bias = uniform(backend, dtype, 3, out);
            Tensor gradOut = uniform(backend, dtype, 4, g.outputShape().dims());
            Tensor output = Tensor.empty(g.outputShape(), dtype, backend);
            allocations.set(0);
            backend.groupedConv2dForward(input, weight, bias, g, output);
            int forwardAllocations = allocations.get();
            Tensor gradInput = Tensor.empty(g.inputShape(), dtype, backend);
            backend.groupedConv2dBackwardData(gradOut, weight, g, gradInput);
            Tensor gradWeight = Tensor.empty(g.weightShape(), dtype, backend);
            Tensor gradBias = Tensor.empty(Shape.of(out), dtype, backend);
            backend.groupedConv2dBackwardFilter(input, gradOut, g, gradWeight, gradBias);
            Tensor gradWeightAlone = Tensor.empty(g.weightShape(), dtype, backend);
            backend.groupedConv2dBackwardFilter(input, gradOut, g, gradWeightAlone, null);
            results[b] = new double[][] {output.toDoubleArray(), gradInput.toDoubleArray(), gradWeight.toDoubleArray(),
                    gradBias.toDoubleArray(), gradWeightAlone.toDoubleArray()};
            if (backend == defaults) {
                assertEquals(2, forwardAllocations, "the default's group copies come from the backend it runs on");
            }
        }
        String[] names = {"out", "gradInput", "gradWeight", "gradBias", "gradWeight without gradBias"};
        double tolerance = dtype == DType.F64 ? 1e-12 : 1e-5;
        for (int i = 0; i < names.length; i++) {
            for (int k = 0; k < results[1][i].length; k++) {
                double expected = results[1][i][k];
                assertEquals(expected, results[0][i][k], tolerance * Math.max(1, Math.abs(expected)),
                        names[i] + " element " + k);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"F64, 3, 6, 5, 2", "F64, 2, 4, 3, 4", "F64, 2, 4, 1, 1", "F32, 3, 6, 7, 3"})
    void defaultGroupNormEqualsTheCpuKernel(DType dtype, int batch, int channels, int size, int groups) {
        Shape shape = Shape.of(batch, channels, size, size);
        double[][][] results = new double[2][][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor x = uniform(backend, dtype, 1, shape.dims());
            Tensor weight = uniform(backend, dtype, 2, channels);
            Tensor bias = uniform(backend, dtype, 3, channels);
            Tensor gradOut = uniform(backend, dtype, 4, shape.dims());
            Tensor out = Tensor.empty(shape, dtype, backend);
            Tensor mean = Tensor.empty(Shape.of(batch * groups), dtype, backend);
            Tensor invStd = Tensor.empty(Shape.of(batch * groups), dtype, backend);
            backend.groupNormForward(x, groups, weight, bias, 1e-5, out, mean, invStd);
            Tensor gradInput = Tensor.empty(shape, dtype, backend);
            Tensor gradWeight = Tensor.empty(Shape.of(channels), dtype, backend);
            Tensor gradBias = Tensor.empty(Shape.of(channels), dtype, backend);
            backend.groupNormBackward(x, gradOut, groups, weight, mean, invStd, gradInput, gradWeight, gradBias);
            Tensor plain = Tensor.empty(shape, dtype, backend);
            backend.groupNormForward(x, groups, null, null, 1e-5, plain, mean, invStd);
            Tensor plainGradInput = Tensor.empty(shape, dtype, backend);
            backend.groupNormBackward(x, gradOut, groups, null, mean, invStd, plainGradInput, null, null);
            results[b] = new double[][] {out.toDoubleArray(), mean.toDoubleArray(), invStd.toDoubleArray(),
                    gradInput.toDoubleArray(), gradWeight.toDoubleArray(), gradBias.toDoubleArray(),
                    plain.toDoubleArray(), plainGradInput.toDoubleArray()};
        }
        String[] names = {"out", "saveMean", "saveInvStd", "gradInput", "gradWeight", "gradBias", "out without affine",
                "gradInput without affine"};
        double tolerance = dtype == DType.F64 ? 1e-12 : 1e-5;
        for (int i = 0; i < names.length; i++) {
            for (int k = 0; k < results[1][i].length; k++) {
                double expected = results[1][i][k];
                assertEquals(expected, results[0][i][k], tolerance * Math.max(1, Math.abs(expected)),
                        names[i] + " element " + k);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"F64, 6, 5", "F64, 3, 1", "F32, 4, 37", "F32, 2, 300"})
    void defaultLayerNormEqualsTheCpuKernel(DType dtype, int rows, int features) {
        Shape shape = Shape.of(rows, features);
        double[][][] results = new double[2][][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor x = uniform(backend, dtype, 1, shape.dims());
            Tensor weight = uniform(backend, dtype, 2, features);
            Tensor bias = uniform(backend, dtype, 3, features);
            Tensor gradOut = uniform(backend, dtype, 4, shape.dims());
            Tensor out = Tensor.empty(shape, dtype, backend);
            Tensor mean = Tensor.empty(Shape.of(rows), dtype, backend);
            Tensor rstd = Tensor.empty(Shape.of(rows), dtype, backend);
            backend.layerNorm(x, weight, bias, 1e-5, out, mean, rstd);
            Tensor gradX = Tensor.empty(shape, dtype, backend);
            Tensor gradWeight = Tensor.empty(Shape.of(features), dtype, backend);
            Tensor gradBias = Tensor.empty(Shape.of(features), dtype, backend);
            backend.layerNormBackward(gradOut, x, mean, rstd, weight, gradX, gradWeight, gradBias);
            Tensor plain = Tensor.empty(shape, dtype, backend);
            backend.layerNorm(x, null, null, 1e-5, plain, mean, rstd);
            Tensor plainGradX = Tensor.empty(shape, dtype, backend);
            backend.layerNormBackward(gradOut, x, mean, rstd, null, plainGradX, null, null);
            results[b] = new double[][] {out.toDoubleArray(), mean.toDoubleArray(), rstd.toDoubleArray(),
                    gradX.toDoubleArray(), gradWeight.toDoubleArray(), gradBias.toDoubleArray(),
                    plain.toDoubleArray(), plainGradX.toDoubleArray()};
        }
        String[] names = {"out", "mean", "rstd", "gradX", "gradWeight", "gradBias", "out without affine",
                "gradX without affine"};
        double tolerance = dtype == DType.F64 ? 1e-12 : 2e-5;
        for (int i = 0; i < names.length; i++) {
            for (int k = 0; k < results[1][i].length; k++) {
                double expected = results[1][i][k];
                assertEquals(expected, results[0][i][k], tolerance * Math.max(1, Math.abs(expected)),
                        names[i] + " element " + k);
            }
        }
    }

    /**
     * sparseMatmulAdd's CPU kernel and the SPI's composite (a row gather, a product, an index add) add the same
     * product of a [40, 30] sparse matrix of 300 unsorted entries (positions repeated; rows 0 to 4 empty) and a dense
     * [30, k] into an output that already holds values; the sums of one output row run in the entries' order in both.
     */
    @ParameterizedTest
    @CsvSource({"F32, 17", "F32, 1", "F64, 5"})
    void defaultSparseMatmulAddEqualsTheCpuKernel(DType dtype, int k) {
        Random random = new Random(9);
        long[] rows = new long[300];
        long[] cols = new long[300];
        for (int j = 0; j < 300; j++) {
            rows[j] = 5 + random.nextInt(35);
            cols[j] = random.nextInt(30);
        }
        double[][] results = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor rowIndex = Tensor.empty(Shape.of(300), DType.I64, backend);
            backend.copyFromHost(LongBuffer.wrap(rows.clone()), rowIndex);
            Tensor colIndex = Tensor.empty(Shape.of(300), DType.I64, backend);
            backend.copyFromHost(LongBuffer.wrap(cols.clone()), colIndex);
            Tensor values = uniform(backend, dtype, 10, 300);
            Tensor dense = uniform(backend, dtype, 11, 30, k);
            Tensor out = uniform(backend, dtype, 12, 40, k);
            allocations.set(0);
            backend.sparseMatmulAdd(rowIndex, colIndex, values, dense, out);
            results[b] = out.toDoubleArray();
        }
        assertEquals(1, allocations.get(), "the default's temporary comes from the backend it runs on");
        assertArrayEquals(results[1], results[0], dtype == DType.F64 ? 1e-12 : 1e-5);
    }

    /**
     * requantizedAddRelu's CPU kernel and the SPI's composite (add, multiply, round, clamp, multiply) give the same
     * bits, +0 for a zero step included, on sums that land on ties (whole and half steps), beyond the grid on both
     * sides, NaN and both infinities, over more elements than one chunk of the kernel, with and without the ReLU and
     * with the output written over an input.
     */
    @ParameterizedTest
    @CsvSource({"true, 0.05, 100", "false, 0.05, 100", "true, 0.1, 0", "false, 0.0371, 255", "false, 0.3, 0"})
    void defaultRequantizedAddReluEqualsTheCpuKernel(boolean relu, float scale, int zeroPoint) {
        Uint8Grid grid = new Uint8Grid(scale, zeroPoint);
        float[][] inputs = requantizationInputs(scale, 5000);
        float[][] results = new float[2][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor x = Tensor.empty(Shape.of(2, 2500), DType.F32, backend);
            backend.copyFromHost(FloatBuffer.wrap(inputs[0].clone()), x);
            Tensor y = Tensor.empty(Shape.of(2, 2500), DType.F32, backend);
            backend.copyFromHost(FloatBuffer.wrap(inputs[1].clone()), y);
            Tensor out = Tensor.empty(Shape.of(2, 2500), DType.F32, backend);
            backend.requantizedAddRelu(x, y, grid, relu, out);
            backend.requantizedAddRelu(x, y, grid, relu, x);
            assertArrayEquals(out.toFloatArray(), x.toFloatArray(), "written over its input");
            results[b] = out.toFloatArray();
        }
        for (int i = 0; i < results[0].length; i++) {
            int k = i;
            assertEquals(Float.floatToRawIntBits(results[1][i]), Float.floatToRawIntBits(results[0][i]),
                    () -> "element " + k + " (" + inputs[0][k] + " + " + inputs[1][k] + "): default "
                            + results[1][k] + ", kernel " + results[0][k]);
        }
    }

    /**
     * Pairs whose sums are random, whole and half steps of {@code scale} (ties), +-0, beyond the uint8 grid, NaN and
     * +-inf.
     */
    private static float[][] requantizationInputs(float scale, int n) {
        Random random = new Random(21);
        float[] x = new float[n];
        float[] y = new float[n];
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e30f, -1e30f};
        for (int i = 0; i < n; i++) {
            switch (i % 5) {
                case 0 -> x[i] = (float) random.nextGaussian() * 300 * scale;
                case 1 -> x[i] = (random.nextInt(600) - 300) * 0.5f * scale;
                case 2 -> x[i] = (random.nextInt(600) - 300) * 0.5f / (1f / scale);
                case 3 -> x[i] = special[random.nextInt(special.length)];
                default -> x[i] = (float) random.nextGaussian() * 3000 * scale;
            }
            y[i] = i % 7 == 0 ? (float) random.nextGaussian() * scale : i % 11 == 0 ? -x[i] : 0f;
        }
        return new float[][] {x, y};
    }

    /**
     * staticInt8Conv2dChain's default (one staticInt8Conv2d per stage through F32 temporaries of the backend) and the
     * CPU's chain (u8 between the convolutions) give the same values bit for bit: a 3 x 3 with ReLU onto a grid at 0,
     * then a strided 1 x 1 with bias onto one at 90.
     */
    @Test
    void staticInt8Conv2dChainDefaultMatchesTheCpuChain() {
        Uint8Grid in = new Uint8Grid(0.02f, 40);
        Uint8Grid middle = new Uint8Grid(0.03f, 0);
        Uint8Grid last = new Uint8Grid(0.05f, 90);
        Random random = new Random(23);
        Tensor x = gaussian(random, 1, 3, 4, 7, 7);
        Tensor bias = gaussian(random, 1, 5);
        try (StaticInt8ConvWeights first = cpu.packStaticInt8Conv(gaussian(random, 0.1f, 6, 4, 3, 3),
                gaussian(random, 0, 6).add(0.002));
             StaticInt8ConvWeights second = cpu.packStaticInt8Conv(gaussian(random, 0.1f, 5, 6, 1, 1),
                gaussian(random, 0, 5).add(0.003))) {
            Conv2dGeometry g1 = Conv2dGeometry.of("chain", x.shape(), first.shape(), new int[] {1}, new int[] {1},
                    new int[] {1});
            Conv2dGeometry g2 = Conv2dGeometry.of("chain", g1.outputShape(), second.shape(), new int[] {2},
                    new int[] {0}, new int[] {1});
            List<StaticInt8ConvStage> stages = List.of(new StaticInt8ConvStage(first, null, g1, middle, true),
                    new StaticInt8ConvStage(second, bias, g2, last, false));
            Tensor expected = Tensor.empty(g2.outputShape(), DType.F32, cpu);
            Tensor actual = Tensor.empty(g2.outputShape(), DType.F32, cpu);
            cpu.staticInt8Conv2dChain(x, in, stages, expected);
            int before = allocations.get();
            defaults.staticInt8Conv2dChain(x, in, stages, actual);
            assertEquals(1, allocations.get() - before, "the one temporary between the stages, on the backend");
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
        }
    }

    /** Gaussian values times {@code scale} on the CPU backend under test. */
    private Tensor gaussian(Random random, float scale, int... dims) {
        Shape shape = Shape.of(dims);
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        Tensor t = Tensor.empty(shape, DType.F32, cpu);
        cpu.copyFromHost(FloatBuffer.wrap(values), t);
        return t;
    }

    /**
     * sparseCsrMatmulAdd's CPU kernel and the SPI's default (sparseMatmulAdd of the entries' rows, itself the default
     * here) add the same product of a [40, 30] matrix in compressed rows (rows 0 to 4 empty, columns sorted) and a
     * dense [30, k] into an output that already holds values.
     */
    @ParameterizedTest
    @CsvSource({"F32, 17", "F32, 1", "F64, 5"})
    void defaultSparseCsrMatmulAddEqualsTheCpuKernel(DType dtype, int k) {
        Random random = new Random(19);
        long[] crow = new long[41];
        java.util.List<Long> cols = new java.util.ArrayList<>();
        long[] rowOf = new long[0];
        for (int i = 0; i < 40; i++) {
            for (int c = 0; c < 30; c++) {
                if (i >= 5 && random.nextInt(4) == 0) {
                    cols.add((long) c);
                    rowOf = java.util.Arrays.copyOf(rowOf, rowOf.length + 1);
                    rowOf[rowOf.length - 1] = i;
                }
            }
            crow[i + 1] = cols.size();
        }
        long[] col = cols.stream().mapToLong(Long::longValue).toArray();
        int nnz = col.length;
        double[][] results = new double[2][];
        Backend[] backends = {cpu, defaults};
        for (int b = 0; b < 2; b++) {
            Backend backend = backends[b];
            Tensor crowIndices = Tensor.empty(Shape.of(41), DType.I64, backend);
            backend.copyFromHost(LongBuffer.wrap(crow.clone()), crowIndices);
            Tensor rowIndex = Tensor.empty(Shape.of(nnz), DType.I64, backend);
            backend.copyFromHost(LongBuffer.wrap(rowOf.clone()), rowIndex);
            Tensor colIndex = Tensor.empty(Shape.of(nnz), DType.I64, backend);
            backend.copyFromHost(LongBuffer.wrap(col.clone()), colIndex);
            Tensor values = uniform(backend, dtype, 20, nnz);
            Tensor dense = uniform(backend, dtype, 21, 30, k);
            Tensor out = uniform(backend, dtype, 22, 40, k);
            backend.sparseCsrMatmulAdd(crowIndices, rowIndex, colIndex, values, dense, out);
            results[b] = out.toDoubleArray();
        }
        assertArrayEquals(results[1], results[0], dtype == DType.F64 ? 1e-12 : 1e-5);
    }

    /**
     * staticInt8Conv2dChainMaxPool's default (the chain into an F32 temporary of the backend, then maxPool2dValues)
     * and the CPU's (oneDNN's u8 max pooling on the last convolution's u8 output) give the same values bit for bit:
     * a ResNet stem, a 7 x 7 of stride 2 with ReLU onto a grid at 0, then a 3 x 3 pooling of stride 2 and padding 1.
     */
    @Test
    void staticInt8Conv2dChainMaxPoolDefaultMatchesTheCpuPooling() {
        Uint8Grid in = new Uint8Grid(0.02f, 40);
        Random random = new Random(29);
        Tensor x = gaussian(random, 1, 3, 3, 21, 18);
        Tensor bias = gaussian(random, 1, 6);
        try (StaticInt8ConvWeights stem = cpu.packStaticInt8Conv(gaussian(random, 0.1f, 6, 3, 7, 7),
                gaussian(random, 0, 6).add(0.002))) {
            Conv2dGeometry g = Conv2dGeometry.of("stem", x.shape(), stem.shape(), new int[] {2}, new int[] {3},
                    new int[] {1});
            Pool2dGeometry pool = Pool2dGeometry.of("stem", g.outputShape(), new int[] {3}, new int[] {2},
                    new int[] {1});
            List<StaticInt8ConvStage> stages = List.of(new StaticInt8ConvStage(stem, bias, g,
                    new Uint8Grid(0.03f, 0), true));
            Tensor expected = Tensor.empty(pool.outputShape(), DType.F32, cpu);
            Tensor actual = Tensor.empty(pool.outputShape(), DType.F32, cpu);
            cpu.staticInt8Conv2dChainMaxPool(x, in, stages, pool, expected);
            int before = allocations.get();
            defaults.staticInt8Conv2dChainMaxPool(x, in, stages, pool, actual);
            assertEquals(1, allocations.get() - before, "the convolved temporary, on the backend");
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
        }
    }

    /**
     * staticInt8Conv2dChainAndShortcut's default (the chain, then staticInt8Conv2d of the shortcut) and the CPU's
     * (the input quantised once for both) give the same values bit for bit: a downsampling block's 3 x 3 of stride 2
     * with ReLU, 3 x 3, and 1 x 1 of stride 2 onto a grid at 80.
     */
    @Test
    void staticInt8Conv2dChainAndShortcutDefaultMatchesTheCpu() {
        Uint8Grid in = new Uint8Grid(0.02f, 40);
        Random random = new Random(31);
        Tensor x = gaussian(random, 1, 3, 4, 9, 8);
        Tensor bias = gaussian(random, 1, 6);
        try (StaticInt8ConvWeights conv1 = cpu.packStaticInt8Conv(gaussian(random, 0.1f, 6, 4, 3, 3),
                gaussian(random, 0, 6).add(0.002));
             StaticInt8ConvWeights conv2 = cpu.packStaticInt8Conv(gaussian(random, 0.1f, 6, 6, 3, 3),
                gaussian(random, 0, 6).add(0.003));
             StaticInt8ConvWeights downsample = cpu.packStaticInt8Conv(gaussian(random, 0.1f, 6, 4, 1, 1),
                gaussian(random, 0, 6).add(0.004))) {
            Conv2dGeometry g1 = Conv2dGeometry.of("block", x.shape(), conv1.shape(), new int[] {2}, new int[] {1},
                    new int[] {1});
            Conv2dGeometry g2 = Conv2dGeometry.of("block", g1.outputShape(), conv2.shape(), new int[] {1},
                    new int[] {1}, new int[] {1});
            Conv2dGeometry gd = Conv2dGeometry.of("block", x.shape(), downsample.shape(), new int[] {2},
                    new int[] {0}, new int[] {1});
            List<StaticInt8ConvStage> stages = List.of(new StaticInt8ConvStage(conv1, bias, g1,
                    new Uint8Grid(0.03f, 0), true), new StaticInt8ConvStage(conv2, null, g2, new Uint8Grid(0.05f, 90),
                    false));
            StaticInt8ConvStage shortcut = new StaticInt8ConvStage(downsample, bias, gd, new Uint8Grid(0.04f, 80),
                    false);
            Tensor[] expected = {Tensor.empty(g2.outputShape(), DType.F32, cpu),
                Tensor.empty(gd.outputShape(), DType.F32, cpu)};
            Tensor[] actual = {Tensor.empty(g2.outputShape(), DType.F32, cpu),
                Tensor.empty(gd.outputShape(), DType.F32, cpu)};
            cpu.staticInt8Conv2dChainAndShortcut(x, in, stages, shortcut, expected[0], expected[1]);
            defaults.staticInt8Conv2dChainAndShortcut(x, in, stages, shortcut, actual[0], actual[1]);
            assertArrayEquals(expected[0].toFloatArray(), actual[0].toFloatArray());
            assertArrayEquals(expected[1].toFloatArray(), actual[1].toFloatArray());
        }
    }

    /**
     * staticInt8GlobalAvgPoolConv2d's default (q values recovered, summed and rounded in SPI operations) and the
     * CPU's (one pass in Java, then oneDNN) give the same values bit for bit: grid values of random q on a grid at
     * 41 (odd, so q - 41 and q tie on other means), 2 x 2 and 1 x 3 per channel, a 1 x 1 of 6 -> 4 with bias.
     */
    @Test
    void staticInt8GlobalAvgPoolConv2dDefaultMatchesTheCpu() {
        Uint8Grid in = new Uint8Grid(0.02f, 41);
        Random random = new Random(37);
        Tensor bias = gaussian(random, 1, 4);
        try (StaticInt8ConvWeights fc = cpu.packStaticInt8Conv(gaussian(random, 0.1f, 4, 6, 1, 1),
                gaussian(random, 0, 4).add(0.002))) {
            for (int[] dims : new int[][] {{5, 6, 2, 2}, {3, 6, 1, 3}}) {
                float[] values = new float[dims[0] * dims[1] * dims[2] * dims[3]];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (random.nextInt(256) - in.zeroPoint()) * in.scale();
                }
                Tensor x = Tensor.empty(Shape.of(dims), DType.F32, cpu);
                cpu.copyFromHost(FloatBuffer.wrap(values), x);
                Conv2dGeometry g = Conv2dGeometry.of("head", Shape.of(dims[0], 6, 1, 1), fc.shape(), new int[] {1},
                        new int[] {0}, new int[] {1});
                StaticInt8ConvStage stage = new StaticInt8ConvStage(fc, bias, g, new Uint8Grid(0.01f, 128), false);
                Tensor expected = Tensor.empty(g.outputShape(), DType.F32, cpu);
                Tensor actual = Tensor.empty(g.outputShape(), DType.F32, cpu);
                cpu.staticInt8GlobalAvgPoolConv2d(x, in, stage, expected);
                defaults.staticInt8GlobalAvgPoolConv2d(x, in, stage, actual);
                assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), Arrays.toString(dims));
            }
        }
    }

    /**
     * Over planes of 512 x 512 the sums of q less the zero point pass 2^24, beyond F32's whole numbers: the default
     * and the CPU both sum them exactly (as PyTorch's integer sums), so that a mean on a tie (q = (37 i + 77) mod 256,
     * less 40: 87.5 in each channel) rounds half to even, to 88 (an F32 sum drifts below the tie, to 87).
     */
    @Test
    void staticInt8GlobalAvgPoolConv2dDefaultSumsLargePlanesExactly() {
        Uint8Grid in = new Uint8Grid(0.02f, 40);
        int[] dims = {1, 2, 512, 512};
        float[] values = new float[dims[1] * dims[2] * dims[3]];
        for (int i = 0; i < values.length; i++) {
            values[i] = ((37 * i + 77) % 256 - in.zeroPoint()) * in.scale();
        }
        float[] identity = {1, 0, 0, 1};
        Tensor weights = Tensor.empty(Shape.of(2, 2, 1, 1), DType.F32, cpu);
        cpu.copyFromHost(FloatBuffer.wrap(identity), weights);
        Tensor scales = Tensor.empty(Shape.of(2), DType.F32, cpu);
        cpu.copyFromHost(FloatBuffer.wrap(new float[] {1, 1}), scales);
        try (StaticInt8ConvWeights fc = cpu.packStaticInt8Conv(weights, scales)) {
            Tensor x = Tensor.empty(Shape.of(dims), DType.F32, cpu);
            cpu.copyFromHost(FloatBuffer.wrap(values), x);
            Conv2dGeometry g = Conv2dGeometry.of("head", Shape.of(1, 2, 1, 1), fc.shape(), new int[] {1},
                    new int[] {0}, new int[] {1});
            StaticInt8ConvStage stage = new StaticInt8ConvStage(fc, null, g, in, false);
            float[] expected = {88 * 0.02f, 88 * 0.02f};
            for (Backend b : new Backend[] {cpu, defaults}) {
                Tensor out = Tensor.empty(g.outputShape(), DType.F32, cpu);
                b.staticInt8GlobalAvgPoolConv2d(x, in, stage, out);
                assertArrayEquals(expected, out.toFloatArray(), b == cpu ? "cpu" : "default");
            }
        }
    }
}
