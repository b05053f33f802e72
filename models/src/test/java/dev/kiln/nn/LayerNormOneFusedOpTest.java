package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LayerNorm normalises and applies its per-feature affine in the backend's one fused layer-norm operation each way,
 * with no other operation (no means, element-wise ops or reductions of its own): counted on a CPU backend made with
 * {@code -Dkiln.cpu.countOperations=true}, which counts every operation the engine asks of it by name.
 */
class LayerNormOneFusedOpTest {
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
    void layerNormIsOneFusedOperationEachWay() {
        assertOneLayerNormEachWay(forwardAndBackward(new LayerNorm(8), 2, 3, 8));
    }

    @Test
    void layerNormWithoutAffineIsOneFusedOperationEachWay() {
        assertOneLayerNormEachWay(forwardAndBackward(new LayerNorm(8, 1e-5, false), 4, 8));
    }

    private static void assertOneLayerNormEachWay(Map<String, Long> counts) {
        assertEquals(1, counts.get("operation.layerNorm"), counts.toString());
        assertEquals(1, counts.get("operation.layerNormBackward"), counts.toString());
        assertEquals(2, counts.get("backend_operations"), counts.toString());
    }

    private static Map<String, Long> forwardAndBackward(Module layer, int... dims) {
        return CountingCpuBackend.forwardAndBackward(counting, layer, dims);
    }
}
