package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link HostBuffer}: a gradient goes from the tensor into the wire bytes and back through the tensor's host copies,
 * with no Java array of its size on the way (measured as the bytes this thread allocates on the heap).
 */
class HostBufferTest {
    private static final int N = 1 << 20;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** The heap bytes one {@code read} of {@code source} and one {@code writeTo} of {@code target} allocate. */
    private static long roundTripAllocation(HostBuffer buffer, Tensor source, Tensor target) {
        long before = allocatedBytes();
        buffer.read(source, 0);
        buffer.writeTo(target, 0);
        return allocatedBytes() - before;
    }

    @Test
    void aMebiElementGradientReachesTheWireBytesAndComesBackWithoutAJavaArray() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.management").isPresent(),
                "this runtime lacks jdk.management (the GPU bundle's jlink runtime), whose thread allocation counter"
                        + " the test reads");
        try (Scope scope = Scope.open()) {
            Tensor source = Tensor.rand(DType.F32, 1024, 1024);
            Tensor target = Tensor.zeros(DType.F32, 1024, 1024);
            HostBuffer buffer = new HostBuffer(DType.F32, N);
            roundTripAllocation(buffer, source, target);
            long allocated = roundTripAllocation(buffer, source, target);
            assertArrayEquals(source.toFloatArray(), target.toFloatArray());
            assertTrue(allocated < N, "a round trip of " + 4L * N + " bytes allocated " + allocated
                    + " bytes on the heap; a float[] of the gradient alone takes " + 4L * N);
        }
    }

    @Test
    void toTensorReadsItsRangeOfTheWireBytes() {
        try (Scope scope = Scope.open()) {
            HostBuffer buffer = new HostBuffer(DType.F64, 5);
            buffer.read(Tensor.fromArray(new double[] {1, 2, 3}, 3), 2);
            assertArrayEquals(new double[] {2, 3}, buffer.toTensor(3, 1, 2).toDoubleArray(), 0.0);
        }
    }
}
