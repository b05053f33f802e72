package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static String[] run(long total, long steps, long by) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             Progress p = Progress.plain("epoch 1", total, out)) {
            assertFalse(p.isBar());
            for (long i = 0; i < steps; i += by) {
                p.step(by, "loss " + i);
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? new String[0] : text.split("\n");
    }

    @Test
    void plainLinesAboutEveryTenPercent() {
        String[] lines = run(469, 469, 1);
        assertEquals(10, lines.length);
        assertTrue(lines[0].startsWith("epoch 1: 10% (47/469)"), lines[0]);
        assertTrue(lines[9].startsWith("epoch 1: 100% (469/469)"), lines[9]);
        assertTrue(lines[9].endsWith("loss 468"), lines[9]);
    }

    @Test
    void aFinalLineWhenStoppedEarlyOrTotalUnknown() {
        String[] early = run(100, 15, 1);
        assertEquals(2, early.length);
        assertTrue(early[1].startsWith("epoch 1: 15% (15/100)"), early[1]);
        String[] unknown = run(0, 7, 1);
        assertEquals(1, unknown.length);
        assertTrue(unknown[0].startsWith("epoch 1: 7 "), unknown[0]);
    }

    @Test
    void stepAfterCloseFails() {
        Progress p = Progress.plain("t", 3, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        p.close();
        assertThrows(IllegalStateException.class, () -> p.step(1, null));
    }
}
