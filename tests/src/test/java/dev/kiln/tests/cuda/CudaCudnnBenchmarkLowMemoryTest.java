package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.CudaParityConvolutionTest.CONV_F32;
import static dev.kiln.tests.cuda.CudaParityConvolutionTest.DIRECTIONS;
import static dev.kiln.tests.cuda.CudaParityConvolutionTest.everyDirection;
import static dev.kiln.tests.cuda.ParityBackends.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cuDNN benchmark opt-in on a nearly full device: where the 256 MiB workspace that timing the candidates asks
 * for cannot be had, each direction's algorithm comes from cuDNN's heuristics instead, and convolution still runs
 * and matches the CPU, rather than failing with out of memory. The device is filled by raw {@code cudaMalloc} calls
 * outside Kiln's allocator, so that emptying the allocator's cache cannot make room.
 */
class CudaCudnnBenchmarkLowMemoryTest extends ParityTest {
    /** Left free: room for the operands and a heuristic algorithm's workspace, not for the timing's 256 MiB. */
    private static final long LEFT_FREE = 128L << 20;
    private static final long TIMING_WORKSPACE = 256L << 20;

    private final List<Pointer> held = new ArrayList<>();

    @BeforeEach
    void onlyOnCuda() {
        ParityBackends.assumeCudaUnderTest("filling the device is the CUDA backend's matter");
    }

    @AfterEach
    void releaseTheDevice() {
        for (Pointer p : held) {
            cudart.cudaFree(p);
        }
        held.clear();
    }

    @Test
    void benchmarkedConvolutionFallsBackToTheHeuristicsWhenTheTimingWorkspaceDoesNotFit() {
        Conv2dGeometry g = CudaParityConvolutionTest.geometries().findFirst().orElseThrow().of();
        Tensor[] expected = everyDirection(reference(), DType.F32, g, t -> t);
        try (Backend benchmarked = ParityBackends.openCuda(options -> options.withCudnnBenchmark(true))) {
            // One launch before the device is filled: the backend's first kernel module and block are in place, and
            // what the convolution loads later must fit in what is left free.
            benchmarked.fill(Tensor.empty(Shape.of(1), DType.F32, benchmarked), 0);
            fillTheDeviceLeaving(LEFT_FREE);

            Tensor[] actual = everyDirection(benchmarked, DType.F32, g, t -> t);

            for (int k = 0; k < DIRECTIONS.length; k++) {
                assertClose("conv2d on a nearly full device, " + g + ": " + DIRECTIONS[k], expected[k], actual[k],
                        CONV_F32);
            }
        }
    }

    /**
     * Takes the device's free memory but {@code left} bytes, in as few blocks as its free ranges allow: a block too
     * large for any free range is asked for again at half the size.
     */
    private void fillTheDeviceLeaving(long left) {
        long block = freeDeviceMemory() - left;
        for (long want = block; want > 0 && block >= 1L << 20; want = freeDeviceMemory() - left) {
            Pointer p = new Pointer();
            if (cudart.cudaMalloc(p, Math.min(block, want)) == cudart.cudaSuccess) {
                held.add(p);
            } else {
                cudart.cudaGetLastError();
                block = Math.min(block, want) / 2;
            }
        }
        long remaining = freeDeviceMemory();
        assertTrue(remaining < TIMING_WORKSPACE, "the device still has " + remaining + " bytes free, enough for the"
                + " timing workspace; the test would not test the fallback");
    }

    private static long freeDeviceMemory() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            assertTrue(cudart.cudaMemGetInfo(free, total) == cudart.cudaSuccess, "cudaMemGetInfo failed");
            return free.get();
        }
    }
}
