package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.train.EpochMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ProgressBars} without a terminal: plain lines, with a total or, for a stream, counts alone. */
class ProgressBarsTest {
    private static EpochMetrics metrics(int epoch) {
        return new EpochMetrics(epoch, 0.5, 0.9, Double.NaN, Double.NaN, Double.NaN, 0.1, 1, 100, 0);
    }

    @Test
    void aStreamsEpochOfUnknownLengthEndsWithItsCountWhenTheEpochEnds() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBars bars = new ProgressBars(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        for (int batch = 1; batch <= 3; batch++) {
            bars.onBatchEnd(1, batch, 0, 0.5);
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "no total: nothing until the epoch ends");
        bars.onEpochEnd(metrics(1));
        String line = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(line.matches("epoch 1: 3 [0-9.]+/s, 0:00:00 loss 0\\.5000\\R"), line);
        bars.onBatchEnd(2, 1, 0, 0.25);
        bars.onEpochEnd(metrics(2));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith(" loss 0.2500" + System.lineSeparator()),
                "the next epoch has a bar of its own");
    }
}
