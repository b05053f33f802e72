package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GroupNorm and InstanceNorm normalise and apply their per-channel affine in the backend's one fused group-norm
 * operation each way, with no other operation (no batch norms, element-wise ops or reductions of their own): counted
 * on a CPU backend made with {@code -Dkiln.cpu.countOperations=true}, which counts every operation the engine asks
 * of it by name.
 */
class GroupNormOneFusedOpTest {
    private static Backend counting;

    @BeforeAll
    static void openCountingBackend() {
        counting = CountingCpuBackend.open();
    }

    @AfterAll
    static void closeCountingBackend() {
        counting.close();
    }

    @Test
    void groupNormIsOneFusedOperationEachWay() {
        assertOneGroupNormEachWay(forwardAndBackward(new GroupNorm(2, 4), 3, 4, 2, 2));
    }

    @Test
    void groupNormWithoutAffineIsOneFusedOperationEachWay() {
        assertOneGroupNormEachWay(forwardAndBackward(new GroupNorm(2, 4, 1e-5, false), 3, 4, 2, 2));
    }

    @Test
    void instanceNormIsOneFusedOperationEachWay() {
        assertOneGroupNormEachWay(forwardAndBackward(new InstanceNorm2d(3, 1e-5, 0.1, true, false), 2, 3, 4, 4));
    }

    private static void assertOneGroupNormEachWay(Map<String, Long> counts) {
        assertEquals(1, counts.get("operation.groupNormForward"), counts.toString());
        assertEquals(1, counts.get("operation.groupNormBackward"), counts.toString());
        assertEquals(2, counts.get("backend_operations"), counts.toString());
    }

    private static Map<String, Long> forwardAndBackward(Module layer, int... dims) {
        return CountingCpuBackend.forwardAndBackward(counting, layer, dims);
    }
}
