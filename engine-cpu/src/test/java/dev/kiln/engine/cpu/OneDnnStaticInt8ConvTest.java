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
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
            Tensor weight = random(cpu, Shape.of(4, 3, 3, 3), 3);
            try (StaticInt8ConvWeights w = cpu.packStaticInt8Conv(weight, scales(cpu, 4))) {
                Tensor x = random(cpu, Shape.of(threads, 3, 9, 8), 8);
                Conv2dGeometry g = Conv2dGeometry.of("test", x.shape(), weight.shape(), new int[] {1}, new int[] {1},
                        new int[] {1});
                cpu.staticInt8Conv2d(x, w, null, g, INPUT, OUTPUT, false, Tensor.empty(g.outputShape(), DType.F32,
                        cpu));
                // A call closed while another thread of the same forward still runs it is a use after free.
                assertEquals(threads, ((OneDnnStaticInt8Weights) w).callsKept());
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
                    composite.staticInt8Conv2d(x, reference, bias, g, INPUT, OUTPUT, relu, expected);
                    cpu.staticInt8Conv2d(x, kernel, bias, g, INPUT, OUTPUT, relu, actual);
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
}
