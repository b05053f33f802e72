package dev.kiln.data;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * One loader iteration's worker threads, each with its own bounded queue of items (batches, failures, end markers),
 * and the consumer's blocking take from those queues. {@link DataLoader} and {@link IterableDataLoader} share it
 * because they differ only in what a worker queues and in whose queue the consumer takes from next. It never refers
 * to the iterator that consumes it, so that an abandoned iterator can be garbage collected; a {@link Cleaner} then
 * stops the workers.
 */
final class WorkerPipe {
    private static final Cleaner CLEANER = Cleaner.create();

    private final String loader;
    private final int epoch;
    private final List<BlockingQueue<Object>> queues;
    private final Thread[] threads;
    private volatile boolean stopped;
    private Cleaner.Cleanable cleanable;
    private ActivePipe active;

    /**
     * @param loader   the loader's name, which starts every error message
     * @param epoch    the epoch the workers assemble
     * @param capacity items each worker's queue holds before the worker waits
     */
    WorkerPipe(String loader, int epoch, int workers, int capacity) {
        this.loader = loader;
        this.epoch = epoch;
        queues = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            queues.add(new LinkedBlockingQueue<>(capacity));
        }
        threads = new Thread[workers];
    }

    int workers() {
        return threads.length;
    }

    /** Whether the consumer is gone: workers stop early and queue nothing more. */
    boolean stopped() {
        return stopped;
    }

    BlockingQueue<Object> queue(int worker) {
        return queues.get(worker);
    }

    /**
     * Starts a daemon thread per worker, running {@code producers.apply(w)} and named after {@code threadName}, once
     * {@code active}'s previous iteration is stopped; the threads are stopped too when {@code owner} (the iterator)
     * becomes unreachable.
     */
    void start(Object owner, ActivePipe active, String threadName, IntFunction<Runnable> producers) {
        for (int w = 0; w < threads.length; w++) {
            Thread t = new Thread(producers.apply(w), threadName + " (epoch " + epoch + ", worker " + w + ")");
            t.setDaemon(true);
            threads[w] = t;
        }
        // The action holds this pipe, never the owner, so an abandoned iterator can be collected.
        cleanable = CLEANER.register(owner, this::stop);
        this.active = active;
        active.start(this);
        for (Thread t : threads) {
            t.start();
        }
    }

    /**
     * The next item of worker {@code worker}'s queue, waiting for it; throws when the pipe is stopped or the worker
     * ended without queueing one, and calls {@code close} before throwing when the consumer is interrupted.
     */
    Object take(int worker, Runnable close) {
        BlockingQueue<Object> queue = queues.get(worker);
        try {
            while (true) {
                Object item = queue.poll(100, TimeUnit.MILLISECONDS);
                if (item != null) {
                    return item;
                }
                if (stopped) {
                    throw new IllegalStateException(loader + ": this iteration of epoch " + epoch
                            + " was stopped while waiting for a batch");
                }
                if (!threads[worker].isAlive() && queue.isEmpty()) {
                    throw new IllegalStateException(loader + ": worker " + worker + " of epoch " + epoch
                            + " ended unexpectedly");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close.run();
            throw new IllegalStateException(loader + ": interrupted while waiting for a batch", e);
        }
    }

    /** The consumer is done (exhausted, failed or closed): stops the workers, waits for them, frees the loader. */
    void end() {
        cleanable.clean();
        join();
        active.finished(this);
    }

    void stop() {
        stopped = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        // Let go of prefetched batches now; nobody will take them.
        queues.forEach(BlockingQueue::clear);
    }

    void join() {
        for (Thread t : threads) {
            if (t == Thread.currentThread()) {
                continue;
            }
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
