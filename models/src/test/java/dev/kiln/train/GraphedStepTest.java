package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.engine.Precision;
import org.junit.jupiter.api.Test;

/**
 * Which batches a step graph replays, decided on the host: full batches only, from the first step on, so that a
 * partial batch never sets the recording's shape and listeners are told the number of batches actually trained.
 * Replaying itself needs a backend that records graphs ({@code tests}: {@code CudaGraphStepTest}).
 */
class GraphedStepTest {
    private static HostBatch batch(int size) {
        return new HostBatch(new float[size * 4], new long[size], size, new int[] {4});
    }

    private static DataLoader loader(int examples, int batchSize) {
        return new DataLoader(new ArrayDataset(new float[examples * 4], new long[examples], new int[] {4}, 3),
                batchSize, false, 1);
    }

    @Test
    void onlyFullBatchesFitBeforeAnythingIsRecorded() {
        try (GraphedStep step = new GraphedStep(null, null, null, null, Precision.FP32, 32)) {
            assertTrue(step.fits(batch(32)), "a full batch");
            assertFalse(step.fits(batch(26)), "a partial last batch (250 = 7 x 32 + 26)");
        }
    }

    @Test
    void anEpochTrainsItsFullBatches() {
        try (DataLoader partialLast = loader(250, 32); DataLoader even = loader(256, 32);
             DataLoader tooSmall = loader(20, 32)) {
            assertEquals(7, GraphedStep.batchesPerEpoch(partialLast), "250 = 7 x 32 + 26");
            assertEquals(8, GraphedStep.batchesPerEpoch(even), "256 = 8 x 32");
            assertEquals(0, GraphedStep.batchesPerEpoch(tooSmall), "20 < 32: the trainer trains eagerly");
        }
    }
}
