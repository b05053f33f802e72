package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.ConvolutionCases.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Int8Linear;
import dev.kiln.engine.Int8LinearWeights;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's int8 linear layer (oneDNN's u8 x s8 matmul) against the SPI's default on the same backend, which
 * quantises by F32 operations and multiplies the integers by the F32 GEMM: the same quantised weights and scales
 * exactly, and outputs equal to 1e-5 of their largest magnitude (the two scale the integer sums back in a different
 * order of F32 roundings). Layers of one and of several column blocks, batches of several sizes on one packing.
 */
class OneDnnInt8LinearTest {
    private static final double TOLERANCE = 1e-5;

    @Test
    void matchesTheSpiDefaultOnOneBlock() {
        compare(1, 37, 50, new int[] {1, 5, 33}, true);
    }

    @Test
    void matchesTheSpiDefaultOnBlocksSplitOverThreads() {
        compare(2, 203, 120, new int[] {1, 64, 7}, true);
    }

    @Test
    void matchesTheSpiDefaultWithoutBias() {
        compare(2, 130, 24, new int[] {3}, false);
    }

    @Test
    void packsOnOneDnnsInt8Kernel() {
        try (CpuBackend cpu = new CpuBackend(2); Scope s = Scope.open()) {
            Tensor weight = random(cpu, Shape.of(256, 64), 3);
            try (Int8LinearWeights w = cpu.packInt8Linear(weight)) {
                OneDnnInt8Weights packed = (OneDnnInt8Weights) w;
                assertEquals(2, packed.parts().size());
                String kernel = packed.parts().get(0).implementation();
                assertTrue(kernel.contains("int8") || kernel.contains("brg") || kernel.contains("gemm"), kernel);
                assertTrue(w.bytes() < weight.size() * Float.BYTES / 2,
                        "packed int8 weights hold " + w.bytes() + " bytes, F32 " + weight.size() * Float.BYTES);
            }
        }
    }

    @Test
    void refusesWeightsPackedByTheDefault() {
        try (CpuBackend cpu = new CpuBackend(1); Scope s = Scope.open()) {
            Backend composite = withDefaultInt8(cpu);
            Tensor weight = random(cpu, Shape.of(8, 4), 5);
            try (Int8LinearWeights byDefault = composite.packInt8Linear(weight);
                 Int8LinearWeights byKernel = cpu.packInt8Linear(weight)) {
                Tensor x = random(cpu, Shape.of(2, 4), 6);
                Tensor out = Tensor.empty(Shape.of(2, 8), DType.F32, cpu);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> composite.int8Linear(x, byKernel, null, out));
                assertTrue(e.getMessage().contains("pack them on this backend"), e.getMessage());
                cpu.int8Linear(x, byDefault, null, out);
            }
        }
    }

    @Test
    void anEmptyBatchGivesAnEmptyOutputAsPyTorch() {
        // PyTorch 1.13: quantize_dynamic(Linear(4, 3))(torch.zeros(0, 4)).shape == [0, 3].
        try (CpuBackend cpu = new CpuBackend(2); Scope s = Scope.open()) {
            Backend composite = withDefaultInt8(cpu);
            Tensor weight = random(cpu, Shape.of(3, 4), 7);
            Tensor bias = random(cpu, Shape.of(3), 8);
            Tensor x = Tensor.empty(Shape.of(0, 4), DType.F32, cpu);
            try (Int8LinearWeights kernel = Int8Linear.pack(weight);
                 Int8LinearWeights reference = composite.packInt8Linear(weight)) {
                assertEquals(Shape.of(0, 3), Int8Linear.forward(x, kernel, bias).shape());
                assertEquals(Shape.of(0, 3), Int8Linear.forward(x, kernel, null).shape());
                Tensor out = Tensor.empty(Shape.of(0, 3), DType.F32, cpu);
                composite.int8Linear(x, reference, bias, out);
                cpu.int8Linear(x, kernel, bias, out);
            }
        }
    }

    @Test
    void theBackendRefusesClosedWeights() {
        // Int8Linear.forward checks before it calls the backend; the backend itself must not run destroyed primitives.
        try (CpuBackend cpu = new CpuBackend(1); Scope s = Scope.open()) {
            Int8LinearWeights w = cpu.packInt8Linear(random(cpu, Shape.of(8, 4), 9));
            Tensor x = random(cpu, Shape.of(2, 4), 10);
            Tensor out = Tensor.empty(Shape.of(2, 8), DType.F32, cpu);
            cpu.int8Linear(x, w, null, out);
            w.close();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cpu.int8Linear(x, w, null, out));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void matchesTheSpiDefaultOnMoreBatchSizesThanTheCacheHolds() {
        // Each batch size has its own primitive, the least recently used dropped: the first sizes come back evicted.
        int[] batches = new int[OneDnnInt8Part.CALLS_KEPT + 3];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = i % (OneDnnInt8Part.CALLS_KEPT + 1) + 1;
        }
        compare(2, 200, 96, batches, true);
    }

    @Test
    void namesTheKernelChosenForEachBatchSize() {
        try (CpuBackend cpu = new CpuBackend(1); Scope s = Scope.open()) {
            try (Int8LinearWeights w = cpu.packInt8Linear(random(cpu, Shape.of(128, 256), 13))) {
                OneDnnInt8Part part = ((OneDnnInt8Weights) w).parts().get(0);
                for (int batch : new int[] {1, 64, 128}) {
                    String kernel = part.implementation(batch);
                    assertTrue(kernel.contains("brg") || kernel.contains("gemm"), batch + ": " + kernel);
                }
            }
        }
    }

    private static void compare(int threads, int out, int in, int[] batches, boolean withBias) {
        try (CpuBackend cpu = new CpuBackend(threads); Scope s = Scope.open()) {
            Backend composite = withDefaultInt8(cpu);
            Tensor weight = random(cpu, Shape.of(out, in), 11);
            Tensor bias = withBias ? random(cpu, Shape.of(out), 12) : null;
            try (Int8LinearWeights kernel = cpu.packInt8Linear(weight);
                 Int8LinearWeights reference = composite.packInt8Linear(weight)) {
                assertTrue(kernel instanceof OneDnnInt8Weights, kernel.getClass().getName());
                assertArrayEquals(reference.scales().toFloatArray(), kernel.scales().toFloatArray(), "scales");
                assertArrayEquals(reference.values().toFloatArray(), kernel.values().toFloatArray(), 0, "int8 values");
                for (int batch : batches) {
                    // A shifted input, so that the zero point is neither end of the range.
                    Tensor x = random(cpu, Shape.of(batch, in), 100 + batch);
                    cpu.affine(x, 3, 0.7, x);
                    Tensor expected = Tensor.empty(Shape.of(batch, out), DType.F32, cpu);
                    Tensor actual = Tensor.empty(Shape.of(batch, out), DType.F32, cpu);
                    composite.int8Linear(x, reference, bias, expected);
                    cpu.int8Linear(x, kernel, bias, actual);
                    assertClose("batch " + batch, expected.toFloatArray(), actual.toFloatArray());
                }
            }
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        double largest = 0;
        for (float e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(expected[i] - actual[i]);
            if (error > TOLERANCE * largest) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", the default gives "
                        + expected[i] + " (largest magnitude " + largest + ")");
            }
        }
    }

    /** {@code cpu} with the SPI's default int8 methods in place of its own. */
    static Backend withDefaultInt8(CpuBackend cpu) {
        Set<String> defaults = Set.of("packInt8Linear", "int8Linear");
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
