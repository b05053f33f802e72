package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.PendingItem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link StepLosses}: each step's loss is read when the next step has been queued, and the last at the end. */
class StepLossesTest {
    /** A loss on its way that remembers whether it was read. */
    private static final class Loss implements PendingItem {
        private final double value;
        private final long delayMillis;
        boolean read;

        Loss(double value, long delayMillis) {
            this.value = value;
            this.delayMillis = delayMillis;
        }

        @Override
        public double get() {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            read = true;
            return value;
        }
    }

    private final List<String> reported = new ArrayList<>();

    private StepLosses losses() {
        return losses(false);
    }

    private StepLosses losses(boolean waitForEach) {
        return new StepLosses(3, 7, List.of(new TrainingListener() {
            @Override
            public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                reported.add(epoch + ":" + batch + "/" + batchesPerEpoch + "=" + loss);
            }
        }), waitForEach);
    }

    @Test
    void aStepsLossIsReadOnlyOnceTheNextStepIsQueued() {
        StepLosses losses = losses();
        Loss first = new Loss(0.5, 0);
        Loss second = new Loss(0.25, 0);

        losses.queued(first, 10);
        assertFalse(first.read, "read before the next step was queued");
        losses.queued(second, 10);
        assertTrue(first.read);
        assertFalse(second.read);
        assertEquals(List.of("3:1/7=0.5"), reported);
    }

    @Test
    void waitingForEachLossReadsItAsItsStepIsQueued() {
        StepLosses losses = losses(true);
        Loss first = new Loss(0.5, 0);

        losses.queued(first, 10);

        assertTrue(first.read);
        assertEquals(List.of("3:1/7=0.5"), reported);
    }

    @Test
    void finishingReadsTheLastStepsLoss() {
        StepLosses losses = losses();
        Loss last = new Loss(2, 0);
        losses.queued(new Loss(1, 0), 4);
        losses.queued(last, 2);

        losses.finish();

        assertTrue(last.read);
        assertEquals(List.of("3:1/7=1.0", "3:2/7=2.0"), reported);
        assertEquals(1 * 4 + 2 * 2, losses.weightedSum());
        assertEquals(6, losses.samples());
    }

    @Test
    void waitSecondsIsTheTimeSpentWaitingForLosses() {
        StepLosses losses = losses();
        losses.queued(new Loss(1, 30), 1);
        losses.finish();

        assertTrue(losses.waitSeconds() >= 0.03, losses.waitSeconds() + " s");
    }

    @Test
    void anEpochWithoutStepsReportsNothing() {
        StepLosses losses = losses();

        losses.finish();

        assertEquals(List.of(), reported);
        assertEquals(0, losses.samples());
    }
}
