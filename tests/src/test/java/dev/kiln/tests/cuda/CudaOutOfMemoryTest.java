package dev.kiln.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cuda.CudaOutOfMemoryException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Out of device memory: a request larger than the device (256 GiB; an H200 has 141) fails with a
 * {@link CudaOutOfMemoryException}, which callers can tell from other CUDA failures, naming the request's size and
 * the caching allocator's statistics; and the backend goes on working afterwards.
 */
class CudaOutOfMemoryTest extends ParityTest {
    private static final long ELEMENTS = 1L << 35;

    @BeforeEach
    void onlyOnCuda() {
        ParityBackends.assumeCudaUnderTest("running out of device memory is the CUDA backend's matter");
    }

    @Test
    void aRequestLargerThanTheDeviceFailsNamingItsSizeAndTheAllocatorsStatistics() {
        Backend cuda = ParityBackends.underTest();

        CudaOutOfMemoryException e =
                assertThrows(CudaOutOfMemoryException.class, () -> cuda.allocate(DType.F64, ELEMENTS));

        String message = e.getMessage();
        assertTrue(message.contains("out of memory") && message.contains(String.format("%,d bytes", ELEMENTS * 8)),
                message);
        assertTrue(message.contains("Kiln's allocator: in use") && message.contains("cudaMalloc calls"), message);
    }

    @Test
    void theBackendWorksAfterARequestItCouldNotServe() {
        Backend cuda = ParityBackends.underTest();
        assertThrows(CudaOutOfMemoryException.class, () -> cuda.allocate(DType.F64, ELEMENTS));

        Tensor t = Tensor.empty(Shape.of(3), DType.F32, cuda);
        cuda.fill(t, 2.5);

        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f}, t.toFloatArray());
    }
}
