package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.ConvolutionCases.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.StaticInt8ConvStage;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's static int8 convolution (oneDNN's u8 x s8 convolution between a quantising and a dequantising
 * reorder) against the SPI's default on the same backend, which convolves the integers in F64: the same int8 weights
 * and scales exactly, and outputs on the same grid, equal but where a requantisation lands within an F32 rounding of a
 * tie (at most one step, and rarely). Strides, padding, dilation, with and without ReLU and bias, batches split over
 * threads and a batch of one.
 */
class OneDnnStaticInt8ConvTest {
    private static final Uint8Grid INPUT = new Uint8Grid(0.02f, 60);
    private static final Uint8Grid OUTPUT = new Uint8Grid(0.04f, 110);

    @Test
    void matchesTheSpiDefaultWithReluAndBias() {
        compare(2, Shape.of(8, 3, 3, 3), new int[] {1, 4, 3}, 1, 1, 1, true, true);
    }

    @Test
    void matchesTheSpiDefaultStridedAndDilatedWithoutBias() {
        compare(2, Shape.of(5, 4, 3, 2), new int[] {3}, 2, 2, 2, false, false);
    }

    @Test
    void matchesTheSpiDefaultAsALinearLayer() {
        compare(1, Shape.of(10, 70, 1, 1), new int[] {1, 6}, 1, 0, 1, true, false);
    }

    @Test
    void packsForOneDnn() {
        try (CpuBackend cpu = new CpuBackend(2); Scope s = Scope.open()) {
            Tensor weight = random(cpu, Shape.of(16, 8, 3, 3), 3);
            try (StaticInt8ConvWeights w = cpu.packStaticInt8Conv(weight, scales(cpu, 16))) {
                OneDnnStaticInt8Weights packed = assertInstanceOf(OneDnnStaticInt8Weights.class, w);
                Conv2dGeometry g = Conv2dGeometry.of("test", Shape.of(4, 8, 12, 12), weight.shape(), new int[] {1},
                        new int[] {1}, new int[] {1});
                String kernel = packed.call(0, g, true).implementation();
                assertTrue(!kernel.startsWith("ref"), "oneDNN's reference kernel, not an int8 one: " + kernel);
                assertTrue(w.bytes() < weight.size() * Float.BYTES, "packed int8 weights hold " + w.bytes() + " bytes");
            }
        }
    }

    @Test
    void keepsEverySliceCallOfAForwardOnMoreThreadsThanItKeepsByDefault() {
        int threads = OneDnnStaticInt8Weights.CALLS_KEPT + 4;
        compare(threads, Shape.of(4, 3, 3, 3), new int[] {threads}, 1, 1, 1, true, true);
        try (CpuBackend cpu = new CpuBackend(threads); Scope s = Scope.open()) {
            // 2.4 million multiply-adds an image: above OneDnnStaticInt8Conv.SLICE_MACS, so one slice per thread.
            Tensor weight = random(cpu, Shape.of(16, 16, 3, 3), 3);
            try (StaticInt8ConvWeights w = cpu.packStaticInt8Conv(weight, scales(cpu, 16))) {
                Tensor x = random(cpu, Shape.of(threads, 16, 32, 32), 8);
                Conv2dGeometry g = Conv2dGeometry.of("test", x.shape(), weight.shape(), new int[] {1}, new int[] {1},
                        new int[] {1});
                cpu.staticInt8Conv2d(x, w, null, g, INPUT, OUTPUT, false, Tensor.empty(g.outputShape(), DType.F32,
                        cpu));
                // A call closed while another thread of the same forward still runs it is a use after free.
                assertEquals(threads, ((OneDnnStaticInt8Weights) w).callsKept());
            }
        }
    }

    /**
     * Grids whose zero point is 0 (a ReLU's output, as most of a ResNet's) get primitives without zero-point
     * arguments: the same values as the SPI's default, the input's grid, the output's or both at 0.
     */
    @Test
    void matchesTheSpiDefaultOnGridsWithZeroPointZero() {
        Uint8Grid inputAtZero = new Uint8Grid(0.02f, 0);
        Uint8Grid outputAtZero = new Uint8Grid(0.04f, 0);
        compare(2, Shape.of(6, 3, 3, 3), new int[] {1, 3}, 1, 1, 1, true, true, inputAtZero, outputAtZero);
        compare(2, Shape.of(6, 3, 3, 3), new int[] {3}, 2, 1, 1, false, true, inputAtZero, OUTPUT);
        compare(2, Shape.of(6, 3, 3, 3), new int[] {3}, 1, 1, 1, true, false, INPUT, outputAtZero);
    }

    /**
     * A chain of convolutions ({@link Backend#staticInt8Conv2dChain}: u8 between them, in the layout each next one
     * wants) gives the very values of the same convolutions one by one, bit for bit: a strided 3 x 3 with ReLU onto
     * a grid at 0, a 1 x 1 without onto one at 110, a 3 x 3 reading that, on 2 threads with batches of 1, 3 and 8,
     * from input grids at 0 and at 60.
     */
    @Test
    void aChainGivesTheValuesOfItsConvolutionsOneByOne() {
        try (CpuBackend cpu = new CpuBackend(2); Scope s = Scope.open()) {
            Shape[] shapes = {Shape.of(8, 3, 3, 3), Shape.of(16, 8, 1, 1), Shape.of(5, 16, 3, 3)};
            int[] strides = {2, 1, 1};
            int[] paddings = {1, 0, 1};
            boolean[] relus = {true, false, true};
            Uint8Grid[] grids = {new Uint8Grid(0.05f, 0), new Uint8Grid(0.03f, 110), new Uint8Grid(0.02f, 0)};
            StaticInt8ConvWeights[] packed = new StaticInt8ConvWeights[3];
            Tensor[] biases = new Tensor[3];
            try {
                for (int k = 0; k < 3; k++) {
                    packed[k] = cpu.packStaticInt8Conv(random(cpu, shapes[k], 20 + k), scales(cpu, shapes[k].dim(0)));
                    biases[k] = k == 1 ? null : random(cpu, Shape.of(shapes[k].dim(0)), 30 + k);
                }
                for (Uint8Grid in : new Uint8Grid[] {new Uint8Grid(0.02f, 0), INPUT}) {
                    for (int batch : new int[] {1, 3, 8}) {
                        Tensor x = random(cpu, Shape.of(batch, 3, 9, 8), 40 + batch);
                        cpu.affine(x, 2, 0.5, x);
                        List<StaticInt8ConvStage> stages = new ArrayList<>();
                        Tensor step = x;
                        Uint8Grid grid = in;
                        for (int k = 0; k < 3; k++) {
                            Conv2dGeometry g = Conv2dGeometry.of("test", step.shape(), shapes[k],
                                    new int[] {strides[k]}, new int[] {paddings[k]}, new int[] {1});
                            stages.add(new StaticInt8ConvStage(packed[k], biases[k], g, grids[k],
                                    relus[k]));
                            Tensor next = Tensor.empty(g.outputShape(), DType.F32, cpu);
                            cpu.staticInt8Conv2d(step, packed[k], biases[k], g, grid, grids[k], relus[k], next);
                            step = next;
                            grid = grids[k];
                        }
                        Tensor chained = Tensor.empty(step.shape(), DType.F32, cpu);
                        cpu.staticInt8Conv2dChain(x, in, stages, chained);
                        assertArrayEquals(step.toFloatArray(), chained.toFloatArray(), "batch " + batch + ", " + in);
                    }
                }
            } finally {
                for (StaticInt8ConvWeights w : packed) {
                    if (w != null) {
                        w.close();
                    }
                }
            }
        }
    }

    @Test
    void refusesAScaleThatIsNotPositiveAndFiniteNamingTheChannel() {
        try (CpuBackend cpu = new CpuBackend(1); Scope s = Scope.open()) {
            Tensor weight = random(cpu, Shape.of(3, 2, 1, 1), 3);
            for (float bad : new float[] {0f, -0.1f, Float.NaN, Float.POSITIVE_INFINITY}) {
                Tensor scales = Tensor.empty(Shape.of(3), DType.F32, cpu);
                cpu.copyFromHost(java.nio.FloatBuffer.wrap(new float[] {0.1f, bad, 0.2f}), scales);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> StaticInt8Conv.pack(weight, scales));
                assertEquals("StaticInt8Conv.pack: scales must be positive and finite, got " + bad
                        + " for output channel 1", e.getMessage());
            }
        }
    }

    /**
     * A NaN input quantises as PyTorch 1.13's {@code quantize_per_tensor} quantises it, to q 0, the grid's bottom
     * ({@link Uint8Grid#quantize}): on oneDNN's kernel and on the SPI's default, the output equals that of the input
     * with q 0's value in the NaNs' places.
     */
    @Test
    void aNaNInputQuantisesToTheGridsBottomOnOneDnnAndTheSpiDefault() {
        assertEquals(0, INPUT.quantize(Float.NaN));
        try (CpuBackend cpu = new CpuBackend(1); Scope s = Scope.open()) {
            Tensor weight = random(cpu, Shape.of(4, 2, 3, 3), 5);
            Tensor bias = random(cpu, Shape.of(4), 6);
            Shape shape = Shape.of(1, 2, 5, 5);
            float[] withNaNs = random(cpu, shape, 7).toFloatArray();
            float[] atTheBottom = withNaNs.clone();
            for (int k : new int[] {0, 12, 37}) {
                withNaNs[k] = Float.NaN;
                atTheBottom[k] = INPUT.dequantize(0);
            }
            Conv2dGeometry g = Conv2dGeometry.of("test", shape, weight.shape(), new int[] {1}, new int[] {1},
                    new int[] {1});
            for (Backend b : new Backend[] {cpu, withDefaultStaticInt8(cpu)}) {
                try (StaticInt8ConvWeights w = b.packStaticInt8Conv(weight, scales(cpu, 4))) {
                    Tensor expected = Tensor.empty(g.outputShape(), DType.F32, cpu);
                    Tensor actual = Tensor.empty(g.outputShape(), DType.F32, cpu);
                    b.staticInt8Conv2d(onCpu(cpu, shape, atTheBottom), w, bias, g, INPUT, OUTPUT, false, expected);
                    b.staticInt8Conv2d(onCpu(cpu, shape, withNaNs), w, bias, g, INPUT, OUTPUT, false, actual);
                    assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), b == cpu ? "oneDNN" : "default");
                }
            }
        }
    }

    private static Tensor onCpu(CpuBackend cpu, Shape shape, float[] values) {
        Tensor t = Tensor.empty(shape, DType.F32, cpu);
        cpu.copyFromHost(java.nio.FloatBuffer.wrap(values), t);
        return t;
    }

    private static void compare(int threads, Shape weightShape, int[] batches, int stride, int padding, int dilation,
                                boolean relu, boolean withBias) {
        compare(threads, weightShape, batches, stride, padding, dilation, relu, withBias, INPUT, OUTPUT);
    }

    private static void compare(int threads, Shape weightShape, int[] batches, int stride, int padding, int dilation,
                                boolean relu, boolean withBias, Uint8Grid inputGrid, Uint8Grid outputGrid) {
        try (CpuBackend cpu = new CpuBackend(threads); Scope s = Scope.open()) {
            Backend composite = withDefaultStaticInt8(cpu);
            Tensor weight = random(cpu, weightShape, 5);
            Tensor scales = scales(cpu, weightShape.dim(0));
            Tensor bias = withBias ? random(cpu, Shape.of(weightShape.dim(0)), 6) : null;
            try (StaticInt8ConvWeights kernel = cpu.packStaticInt8Conv(weight, scales);
                 StaticInt8ConvWeights reference = composite.packStaticInt8Conv(weight, scales)) {
                assertArrayEquals(reference.values().toFloatArray(), kernel.values().toFloatArray());
                assertArrayEquals(reference.scales().toFloatArray(), kernel.scales().toFloatArray());
                for (int batch : batches) {
                    Tensor x = random(cpu, Shape.of(batch, weightShape.dim(1), 9, 8), 7 + batch);
                    cpu.affine(x, 2, 0.5, x);
                    Conv2dGeometry g = Conv2dGeometry.of("test", x.shape(), weightShape, new int[] {stride},
                            new int[] {padding}, new int[] {dilation});
                    Tensor expected = Tensor.empty(g.outputShape(), DType.F32, cpu);
                    Tensor actual = Tensor.empty(g.outputShape(), DType.F32, cpu);
                    composite.staticInt8Conv2d(x, reference, bias, g, inputGrid, outputGrid, relu, expected);
                    cpu.staticInt8Conv2d(x, kernel, bias, g, inputGrid, outputGrid, relu, actual);
                    assertOnTheSameGrid("batch " + batch, expected.toFloatArray(), actual.toFloatArray());
                }
            }
        }
    }

    /** Equal values, but at most one in a hundred a step apart. */
    private static void assertOnTheSameGrid(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        int off = 0;
        for (int k = 0; k < expected.length; k++) {
            float steps = Math.abs(expected[k] - actual[k]) / OUTPUT.scale();
            assertTrue(steps < 1.001f, what + ", element " + k + ": " + actual[k] + " vs " + expected[k]);
            off += steps > 0.5f ? 1 : 0;
        }
        assertTrue(off * 100 <= expected.length, what + ": " + off + " of " + expected.length + " elements differ");
    }

    private static Tensor scales(CpuBackend cpu, int out) {
        Tensor t = random(cpu, Shape.of(out), 4);
        cpu.unary(dev.kiln.engine.UnaryOp.ABS, 0, t, t);
        cpu.affine(t, 0.01, 0.004, t);
        return t;
    }

    static Backend withDefaultStaticInt8(CpuBackend cpu) {
        Set<String> defaults = Set.of("packStaticInt8Conv", "staticInt8Conv2d");
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                return defaults.contains(method.getName())
                        ? InvocationHandler.invokeDefault(proxy, method, args)
                        : method.invoke(cpu, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    /**
     * A chain ending in a max pooling ({@link Backend#staticInt8Conv2dChainMaxPool}: oneDNN's u8 pooling on the last
     * convolution's output) gives the values of the chain and then {@link Backend#maxPool2dValues} on its F32 grid
     * values, bit for bit: a ResNet stem (7 x 7, stride 2, padding 3, ReLU, then a 3 x 3 pool of stride 2 and
     * padding 1) and a 2 x 2 pool in ceil mode after a 3 x 3 onto a grid at 110, batches of 1, 3 and 8 on 2 threads.
     */
    @Test
    void aChainEndingInAMaxPoolingGivesTheChainsValuesPooled() {
        try (CpuBackend cpu = new CpuBackend(2); Scope s = Scope.open();
             StaticInt8ConvWeights stem = cpu.packStaticInt8Conv(random(cpu, Shape.of(8, 3, 7, 7), 50),
                     scales(cpu, 8));
             StaticInt8ConvWeights other = cpu.packStaticInt8Conv(random(cpu, Shape.of(6, 3, 3, 3), 51),
                     scales(cpu, 6))) {
            Tensor bias = random(cpu, Shape.of(8), 52);
            for (int batch : new int[] {1, 3, 8}) {
                Tensor x = random(cpu, Shape.of(batch, 3, 19, 17), 53 + batch);
                cpu.affine(x, 2, 0.5, x);
                Conv2dGeometry g = Conv2dGeometry.of("test", x.shape(), stem.shape(), new int[] {2}, new int[] {3},
                        new int[] {1});
                Pool2dGeometry pool = Pool2dGeometry.of("test", g.outputShape(), new int[] {3}, new int[] {2},
                        new int[] {1});
                assertChainPooled(cpu, x, new StaticInt8ConvStage(stem, bias, g, new Uint8Grid(0.05f, 0), true),
                        pool, "stem, batch " + batch);
                Conv2dGeometry g2 = Conv2dGeometry.of("test", x.shape(), other.shape(), new int[] {1}, new int[] {0},
                        new int[] {1});
                Pool2dGeometry ceil = Pool2dGeometry.of("test", g2.outputShape(), new int[] {2}, new int[] {2},
                        new int[] {0}, true, true);
                assertChainPooled(cpu, x, new StaticInt8ConvStage(other, null, g2, OUTPUT, false), ceil,
                        "ceil mode, batch " + batch);
            }
        }
    }

    private static void assertChainPooled(CpuBackend cpu, Tensor x, StaticInt8ConvStage stage, Pool2dGeometry pool,
                                          String what) {
        Tensor convolved = Tensor.empty(stage.geometry().outputShape(), DType.F32, cpu);
        cpu.staticInt8Conv2dChain(x, INPUT, List.of(stage), convolved);
        Tensor expected = Tensor.empty(pool.outputShape(), DType.F32, cpu);
        cpu.maxPool2dValues(convolved, pool, expected);
        Tensor actual = Tensor.empty(pool.outputShape(), DType.F32, cpu);
        cpu.staticInt8Conv2dChainMaxPool(x, INPUT, List.of(stage), pool, actual);
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), what);
    }

    /**
     * A chain with a shortcut convolution on the same quantised input ({@link Backend#staticInt8Conv2dChainAndShortcut}:
     * a downsampling residual block's conv1, conv2 and downsample) gives the values of the chain and of the shortcut
     * convolution called alone, bit for bit: 3 x 3 of stride 2 with ReLU, 3 x 3, and a 1 x 1 of stride 2 onto a grid
     * at 70 (or at 0), from input grids at 0 and 60, batches of 1, 3 and 8 on 2 threads.
     */
    @Test
    void aChainWithAShortcutGivesTheValuesOfItsConvolutionsCalledApart() {
        try (CpuBackend cpu = new CpuBackend(2); Scope s = Scope.open();
             StaticInt8ConvWeights conv1 = cpu.packStaticInt8Conv(random(cpu, Shape.of(8, 4, 3, 3), 60),
                     scales(cpu, 8));
             StaticInt8ConvWeights conv2 = cpu.packStaticInt8Conv(random(cpu, Shape.of(8, 8, 3, 3), 61),
                     scales(cpu, 8));
             StaticInt8ConvWeights downsample = cpu.packStaticInt8Conv(random(cpu, Shape.of(8, 4, 1, 1), 62),
                     scales(cpu, 8))) {
            Tensor bias = random(cpu, Shape.of(8), 63);
            for (Uint8Grid in : new Uint8Grid[] {new Uint8Grid(0.02f, 0), INPUT}) {
                for (Uint8Grid shortcutGrid : new Uint8Grid[] {new Uint8Grid(0.04f, 70), new Uint8Grid(0.03f, 0)}) {
                    for (int batch : new int[] {1, 3, 8}) {
                        Tensor x = random(cpu, Shape.of(batch, 4, 9, 8), 64 + batch);
                        cpu.affine(x, 2, 0.5, x);
                        Conv2dGeometry g1 = Conv2dGeometry.of("test", x.shape(), conv1.shape(), new int[] {2},
                                new int[] {1}, new int[] {1});
                        Conv2dGeometry g2 = Conv2dGeometry.of("test", g1.outputShape(), conv2.shape(), new int[] {1},
                                new int[] {1}, new int[] {1});
                        Conv2dGeometry gd = Conv2dGeometry.of("test", x.shape(), downsample.shape(), new int[] {2},
                                new int[] {0}, new int[] {1});
                        List<StaticInt8ConvStage> stages = List.of(
                                new StaticInt8ConvStage(conv1, bias, g1, new Uint8Grid(0.05f, 0), true),
                                new StaticInt8ConvStage(conv2, null, g2, OUTPUT, false));
                        StaticInt8ConvStage shortcut = new StaticInt8ConvStage(downsample, bias, gd, shortcutGrid,
                                false);
                        Tensor chained = Tensor.empty(g2.outputShape(), DType.F32, cpu);
                        cpu.staticInt8Conv2dChain(x, in, stages, chained);
                        Tensor alone = Tensor.empty(gd.outputShape(), DType.F32, cpu);
                        cpu.staticInt8Conv2d(x, downsample, bias, gd, in, shortcutGrid, false, alone);
                        Tensor out = Tensor.empty(g2.outputShape(), DType.F32, cpu);
                        Tensor shortcutOut = Tensor.empty(gd.outputShape(), DType.F32, cpu);
                        cpu.staticInt8Conv2dChainAndShortcut(x, in, stages, shortcut, out, shortcutOut);
                        String what = "batch " + batch + ", " + in + ", " + shortcutGrid;
                        assertArrayEquals(chained.toFloatArray(), out.toFloatArray(), what);
                        assertArrayEquals(alone.toFloatArray(), shortcutOut.toFloatArray(), what);
                    }
                }
            }
        }
    }

    /**
     * A convolution of fewer than {@link OneDnnStaticInt8Conv#SLICE_MACS} multiply-adds a thread runs as one slice on
     * the calling thread (a ResNet-18 head's 512 -> 10 on [8, 512, 1, 1]), whose call alone is kept.
     */
    @Test
    void runsASmallConvolutionAsOneSlice() {
        try (CpuBackend cpu = new CpuBackend(2); Scope s = Scope.open()) {
            Tensor weight = random(cpu, Shape.of(10, 512, 1, 1), 3);
            try (StaticInt8ConvWeights w = cpu.packStaticInt8Conv(weight, scales(cpu, 10))) {
                Tensor x = random(cpu, Shape.of(8, 512, 1, 1), 8);
                Conv2dGeometry g = Conv2dGeometry.of("test", x.shape(), weight.shape(), new int[] {1}, new int[] {0},
                        new int[] {1});
                cpu.staticInt8Conv2d(x, w, null, g, INPUT, OUTPUT, false, Tensor.empty(g.outputShape(), DType.F32,
                        cpu));
                assertEquals(1, ((OneDnnStaticInt8Weights) w).callsKept());
            }
        }
    }
}
