package dev.kiln.distributed;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * A collective launched without waiting (PyTorch's {@code Work} of {@code all_reduce(t, async_op=True)}): it runs on
 * its process group's communication thread, after every collective launched before it, while the caller goes on.
 * {@link #await()} (PyTorch's {@code work.wait()}) waits for it and writes its result into the caller's tensor; a
 * failure on the communication thread (a mismatched call, a dead peer, a timeout) is thrown there, on the caller's
 * thread, with the original message.
 */
public final class Work {
    private final Future<?> transfer;
    private final Runnable finish;
    private boolean finished;

    /**
     * @param transfer the communication under way
     * @param finish   what the caller's thread does once it succeeded (copy the result into the tensor); may be null
     */
    Work(Future<?> transfer, Runnable finish) {
        this.transfer = transfer;
        this.finish = finish;
    }

    /** A collective with nothing to communicate (a world of one rank): already complete. */
    static Work done(Runnable finish) {
        return new Work(CompletableFuture.completedFuture(null), finish);
    }

    /** Whether the communication has ended, successfully or not ({@code work.is_completed()}). */
    public boolean isCompleted() {
        return transfer.isDone();
    }

    /**
     * Waits until the collective has ended and, the first time, writes its result into the tensor it was launched
     * on. Returns at once when called again.
     *
     * @throws IllegalArgumentException when the ranks called different collectives (naming both)
     * @throws IllegalStateException    when a peer failed, exited or timed out, or the group was closed
     */
    public void await() {
        if (finished) {
            return;
        }
        try {
            transfer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("ProcessGroup: interrupted while waiting for a collective", e);
        } catch (ExecutionException e) {
            throw surfaced(e.getCause());
        }
        finished = true;
        if (finish != null) {
            finish.run();
        }
    }

    /**
     * The communication thread's failure, to throw on the caller's thread: of the same type and message, with the
     * original (and its stack on the communication thread) as the cause.
     */
    private static RuntimeException surfaced(Throwable failure) {
        if (failure instanceof IllegalArgumentException) {
            return new IllegalArgumentException(failure.getMessage(), failure);
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(failure.getMessage(), failure);
    }
}
