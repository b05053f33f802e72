package dev.kiln.train;

import dev.kiln.engine.PendingItem;
import java.util.List;

/**
 * An epoch's step losses, each read one step late: {@link Trainer} queues step n + 1 before it reads step n's loss,
 * so that an asynchronous device (CUDA) runs step n + 1 while the host waits for that loss only, and then prepares
 * step n + 2 while the device is still busy. Adds the losses up, times the waits, and tells the listeners about
 * each batch as its loss arrives. Reading each loss as soon as its step is queued (the property
 * {@value #WAIT_FOR_EACH_LOSS}{@code =true}) is there to measure what reading late gains.
 */
final class StepLosses {
    /** System property: read each step's loss before the next step is queued, as a plain training loop does. */
    static final String WAIT_FOR_EACH_LOSS = "kiln.train.waitForEachLoss";

    private final boolean waitForEach;
    private final int epoch;
    private final int batchesPerEpoch;
    private final List<TrainingListener> listeners;
    private PendingItem pending;
    private int pendingSize;
    private int read;
    private double weightedSum;
    private long samples;
    private long waitNanos;

    /** @param waitForEach read each loss as its step is queued instead of when the next one is */
    StepLosses(int epoch, int batchesPerEpoch, List<TrainingListener> listeners, boolean waitForEach) {
        this.waitForEach = waitForEach;
        this.epoch = epoch;
        this.batchesPerEpoch = batchesPerEpoch;
        this.listeners = listeners;
    }

    /** A step of {@code size} samples was queued: reads the loss of the step before it, then keeps this one's. */
    void queued(PendingItem loss, int size) {
        readPending();
        pending = loss;
        pendingSize = size;
        if (waitForEach) {
            readPending();
        }
    }

    /** Reads the last step's loss: the epoch's steps are done. */
    void finish() {
        readPending();
    }

    /** Sum over the steps read of loss * batch size. */
    double weightedSum() {
        return weightedSum;
    }

    long samples() {
        return samples;
    }

    /** Seconds spent waiting for losses to arrive from the device. */
    double waitSeconds() {
        return waitNanos / 1e9;
    }

    private void readPending() {
        if (pending == null) {
            return;
        }
        long start = System.nanoTime();
        double value = pending.get();
        waitNanos += System.nanoTime() - start;
        pending = null;
        weightedSum += value * pendingSize;
        samples += pendingSize;
        int batch = ++read;
        listeners.forEach(l -> l.onBatchEnd(epoch, batch, batchesPerEpoch, value));
    }
}
