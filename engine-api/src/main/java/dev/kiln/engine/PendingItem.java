package dev.kiln.engine;

/**
 * The value of a one-element tensor on its way to the host ({@link Tensor#itemAsync()}). The copy is queued behind
 * the work that computes the value, and {@link #get} waits for that work only, not for work queued after it: a
 * training loop that queues step n + 1 before it reads step n's loss keeps an asynchronous device busy while the
 * host prepares the next step.
 */
@FunctionalInterface
public interface PendingItem {
    /**
     * The value; the first call waits until the device has produced it (at once on a synchronous backend).
     *
     * @throws IllegalStateException when the backend has had to reuse the value's staging memory first (CUDA keeps
     *                               the last 64 pending values)
     */
    double get();
}
