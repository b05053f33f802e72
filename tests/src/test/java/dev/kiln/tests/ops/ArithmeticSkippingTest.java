package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.Device;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend with {@code -Dkiln.cpu.skipArithmetic=true}: tensors still move between the host and the backend,
 * every operation returns without computing (outputs keep what their memory held), and it cannot be combined with
 * counting.
 */
class ArithmeticSkippingTest {
    private static Backend skipping;

    @BeforeAll
    static void openSkippingBackend() {
        skipping = CpuBackendWithProperties.create("kiln.cpu.skipArithmetic");
    }

    @AfterAll
    static void closeSkippingBackend() {
        skipping.close();
    }

    @Test
    void valuesMoveToTheBackendAndBack() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new float[] {1, 2, 3}, 3).to(skipping);
            assertSame(skipping, a.backend());
            assertArrayEquals(new float[] {1, 2, 3}, a.toFloatArray());
        }
    }

    @Test
    void anOperationLeavesItsOutputAsItWas() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new float[] {1, 2, 3}, 3).to(skipping);
            Tensor out = Tensor.fromArray(new float[] {7, 8, 9}, 3).to(skipping);
            skipping.binary(BinaryOp.ADD, a, a, out);
            skipping.fill(out, 0);
            assertArrayEquals(new float[] {7, 8, 9}, out.toFloatArray());
        }
    }

    @Test
    void itsNameMarksWhatIsMeasuredWithIt() {
        assertEquals("cpu-skipping-arithmetic", skipping.name());
    }

    @Test
    void questionsAboutTheBackendAreStillAnswered() {
        assertEquals(Device.CPU, skipping.device());
        assertTrue(skipping.bytesInUse() >= 0);
    }

    @Test
    void skippingAndCountingTogetherAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuBackendWithProperties.create("kiln.cpu.skipArithmetic", "kiln.cpu.countOperations"));
        assertTrue(e.getMessage().contains("choose one"), e.getMessage());
    }
}
