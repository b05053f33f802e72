package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.ops.BytesInUse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link Scope#unclosedReleased()} and {@link Scope#traceUnclosed}: a tensor nobody closes is counted when the garbage
 * collector releases it, and with tracing on the log names where it was allocated (SLF4J's simple binding, which the
 * tests run with, writes to System.err as it finds it at each line).
 */
class UnclosedTensorsTest {

    @Test
    void aDroppedTensorIsCountedAndTracedToItsAllocation() throws InterruptedException {
        BytesInUse.settle();
        long before = Scope.unclosedReleased();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err;
        Scope.traceUnclosed(true);
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            WeakReference<Tensor> dropped = allocateOutsideEveryScopeAndDrop();
            for (int round = 0; round < 100 && (dropped.get() != null || Scope.unclosedReleased() == before);
                    round++) {
                System.gc();
                Thread.sleep(20);
            }
        } finally {
            Scope.traceUnclosed(false);
            System.setErr(err);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(Scope.unclosedReleased() > before, "released unclosed: " + before + " -> "
                + Scope.unclosedReleased());
        assertTrue(text.contains("a tensor of 4321 F32 values") && text.contains("was never closed")
                && text.contains("allocateOutsideEveryScopeAndDrop"), "the log:\n" + text);
    }

    @Test
    void closedTensorsAreNotCounted() throws InterruptedException {
        BytesInUse.settle();
        long before = Scope.unclosedReleased();
        for (int i = 0; i < 100; i++) {
            Tensor.zeros(64).close();
            try (Scope s = Scope.open()) {
                Tensor.ones(64).mul(2);
            }
        }
        System.gc();
        Thread.sleep(50);
        assertEquals(before, Scope.unclosedReleased());
    }

    private static WeakReference<Tensor> allocateOutsideEveryScopeAndDrop() {
        return new WeakReference<>(Scope.outside(() -> Tensor.zeros(4321)));
    }
}
