package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.F;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bilinear and nearest {@link F#gridSample} of a 4-D input is the backend's one fused grid-sample operation each way,
 * with no gather, scatter or arithmetic of its own: counted on a CPU backend made with
 * {@code -Dkiln.cpu.countOperations=true}, as in {@link GroupNormOneFusedOpTest}. So the CPU's kernel is what
 * {@link GridSamplePyTorchParityTest} and {@link GridSampleTest} check.
 */
class GridSampleOneFusedOpTest {
    private static Backend counting;

    @BeforeAll
    static void openCountingBackend() {
        counting = CountingCpuBackend.open();
    }

    @AfterAll
    static void closeCountingBackend() {
        counting.close();
    }

    @ParameterizedTest
    @EnumSource(value = GridSampleMode.class, names = {"BILINEAR", "NEAREST"})
    void gridSampleIsOneFusedOperationEachWay(GridSampleMode mode) {
        Map<String, Long> counts = forwardAndBackward(mode);
        assertEquals(1, counts.get("operation.gridSample2dForward"), counts.toString());
        assertEquals(1, counts.get("operation.gridSample2dBackward"), counts.toString());
        assertEquals(2, counts.get("backend_operations"), counts.toString());
    }

    /** The operations counted while input [2, 3, 5, 6] is sampled at a grid [2, 4, 3, 2] and back: increases. */
    private static Map<String, Long> forwardAndBackward(GridSampleMode mode) {
        try (Scope s = Scope.open()) {
            Tensor input = Tensor.randn(2, 3, 5, 6).to(counting).requiresGrad(true);
            Tensor grid = Tensor.randn(2, 4, 3, 2).to(counting).requiresGrad(true);
            Tensor gradient = Tensor.randn(2, 3, 4, 3).to(counting);
            return CountingCpuBackend.increases(counting,
                    () -> F.gridSample(input, grid, mode, GridSamplePadding.REFLECTION, false).backward(gradient));
        }
    }
}
