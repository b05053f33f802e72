package dev.kiln.engine.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits loops over threads. Small loops run on the caller alone. Workers block on a queue when idle
 * (they never spin), and ops are synchronous, so they never run beside OpenBLAS's threads: on 2 cores
 * two busy pools were measured to cost 1.8-4.8x.
 */
final class Parallel implements AutoCloseable {
    /**
     * Below this many elements of work a loop stays on one thread. Waking a parked worker costs tens of
     * microseconds on a 2-vCPU VM (2026-12-03, Zen 5): ReLU on 65,536 floats took 12.5 us on two threads and
     * 6.8 us on one, on 262,144 floats 74 vs 31 us. 2^16 keeps W1's and W3's [128, 512] activations on one
     * thread (W1 step 3.1-3.3 ms against 3.3-3.8 ms at 2^15, three alternations); larger values cost LeNet.
     */
    static final long GRAIN = 1 << 16;

    private final int threads;
    private final ExecutorService workers;

    /** A loop body over the index range [start, end). */
    @FunctionalInterface
    interface Range {
        void run(int start, int end);
    }

    Parallel(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "kiln-cpu-worker");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) where each index costs about {@code workPerIndex} elements of work;
     * in parallel only when the total is worth it.
     */
    void forRange(int n, long workPerIndex, Range body) {
        int parts = (int) Math.min(threads, Math.max(1, (long) n * Math.max(1, workPerIndex) / GRAIN));
        parts = Math.min(parts, n);
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        CountDownLatch done = new CountDownLatch(parts - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int p = 1; p < parts; p++) {
            int start = (int) ((long) n * p / parts);
            int end = (int) ((long) n * (p + 1) / parts);
            workers.execute(() -> {
                try {
                    body.run(start, end);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            body.run(0, (int) ((long) n / parts));
        } finally {
            awaitUninterruptibly(done);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t != null) {
            throw new IllegalStateException("CPU worker failed", t);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
