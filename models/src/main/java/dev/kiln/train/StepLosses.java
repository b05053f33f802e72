package dev.kiln.train;

import dev.kiln.engine.PendingItem;
import java.util.List;

/**
 * An epoch's step losses, each read one step late: a training loop ({@link Trainer}, or one's own) queues step
 * n + 1 before it reads step n's loss, so that an asynchronous device (CUDA) runs step n + 1 while the host waits
 * for that loss only, and then prepares step n + 2 while the device is still busy. Adds the losses up, times the
 * waits, and tells the listeners about each batch as its loss arrives:
 * <pre>{@code
 * StepLosses losses = new StepLosses(epoch, loader.batchesPerEpoch(), listeners);
 * for (HostBatch batch : loader.epoch(epoch)) {
 *     try (Scope step = Scope.open()) {
 *         Tensor loss = ...;            // forward, backward, optimizer step
 *         losses.queued(loss.itemAsync(), batch.size());
 *     }
 * }
 * losses.finish();                      // the last step's loss
 * double mean = losses.weightedSum() / losses.samples();
 * }</pre>
 * Reading each loss as soon as its step is queued (the property {@value #WAIT_FOR_EACH_LOSS}{@code =true}) is there
 * to measure what reading late gains.
 */
public final class StepLosses {
    /** System property: read each step's loss before the next step is queued, as a plain training loop does. */
    public static final String WAIT_FOR_EACH_LOSS = "kiln.train.waitForEachLoss";

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

    /**
     * Losses of epoch {@code epoch}, reported to {@code listeners}; each read one step late unless the property
     * {@value #WAIT_FOR_EACH_LOSS} is true.
     */
    public StepLosses(int epoch, int batchesPerEpoch, List<TrainingListener> listeners) {
        this(epoch, batchesPerEpoch, listeners, Boolean.getBoolean(WAIT_FOR_EACH_LOSS));
    }

    /** @param waitForEach read each loss as its step is queued instead of when the next one is */
    StepLosses(int epoch, int batchesPerEpoch, List<TrainingListener> listeners, boolean waitForEach) {
        this.waitForEach = waitForEach;
        this.epoch = epoch;
        this.batchesPerEpoch = batchesPerEpoch;
        this.listeners = listeners;
    }

    /** A step of {@code size} samples was queued: reads the loss of the step before it, then keeps this one's. */
    public void queued(PendingItem loss, int size) {
        readPending();
        pending = loss;
        pendingSize = size;
        if (waitForEach) {
            readPending();
        }
    }

    /**
     * Continues an epoch resumed after its first {@code batches} batches, whose losses summed (times their sizes) to
     * {@code weightedSum} over {@code samples} examples: the sums go on from there and the listeners' batch numbers
     * from {@code batches + 1}. Before the first {@link #queued}.
     */
    void resumeAt(int batches, double weightedSum, long samples) {
        this.read = batches;
        this.weightedSum = weightedSum;
        this.samples = samples;
    }

    /** Reads the last step's loss: the epoch's steps are done; also, within an epoch, the losses of the steps so far. */
    public void finish() {
        readPending();
    }

    /** Sum over the steps read of loss * batch size. */
    public double weightedSum() {
        return weightedSum;
    }

    public long samples() {
        return samples;
    }

    /** Seconds spent waiting for losses to arrive from the device. */
    public double waitSeconds() {
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
