package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The figures {@code kiln train} and the commands that share its helpers put in their JSON summaries. */
class TrainCommandTest {
    @Test
    void roundKeepsFourDecimals() {
        assertEquals(0.1235, TrainCommand.round(0.12345678));
    }

    @Test
    void roundLeavesNaNAndInfinitiesForTheSummaryToWriteAsNull() {
        assertEquals(Double.NaN, TrainCommand.round(Double.NaN));
        assertEquals(Double.POSITIVE_INFINITY, TrainCommand.round(Double.POSITIVE_INFINITY));
        assertEquals(Double.NEGATIVE_INFINITY, TrainCommand.round(Double.NEGATIVE_INFINITY));
    }
}
