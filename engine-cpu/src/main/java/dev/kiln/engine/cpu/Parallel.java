package dev.kiln.engine.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits loops over threads: the CPU backend's one pool, for its own kernels and for GEMMs (OpenBLAS runs on
 * one thread, see {@link OpenBlasGemm}). Small loops run on the caller alone, and so does a loop started inside
 * another, or while another thread's loop has the workers, or after {@link #close}. A worker spins for {@link #SPIN_NANOS} after each
 * task before it parks, so that the next op of a training step finds it awake: waking a parked thread costs
 * tens of microseconds on a 2-vCPU VM, and OpenBLAS's own pool beside this one either paid that on every GEMM or,
 * spinning, took the cores from it (measured: W1 step 2.43-2.53 ms with both pools, 1.98-2.07 ms with this one).
 */
final class Parallel implements AutoCloseable {
    /**
     * Below this many elements of work a loop stays on one thread. ReLU on 65,536 floats took 12.5 us on two
     * threads and 6.8 us on one with parked workers (2026-12-03, Zen 5); 2^16 keeps W1's and W3's [128, 512]
     * activations on one thread.
     */
    static final long GRAIN = 1 << 16;

    /** How long an idle worker spins before it parks: longer than the gaps between the ops of a step. */
    static final long SPIN_NANOS = 100_000;

    private static final ThreadLocal<Boolean> IN_LOOP = ThreadLocal.withInitial(() -> false);

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean taken = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;

    /** A loop body over the index range [start, end). */
    @FunctionalInterface
    interface Range {
        void run(int start, int end);
    }

    Parallel(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = new Worker[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("kiln-cpu-worker-" + (i + 1));
            workers[i].start();
        }
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
        if (parts <= 1 || closed || IN_LOOP.get() || !taken.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            split(n, parts, body);
        } finally {
            taken.set(false);
        }
    }

    /** Parts 1.. to the workers, part 0 on the caller, then waits (spinning) for the workers. */
    private void split(int n, int parts, Range body) {
        failure.set(null);
        running.set(parts - 1);
        for (int p = 1; p < parts; p++) {
            int start = (int) ((long) n * p / parts);
            int end = (int) ((long) n * (p + 1) / parts);
            workers[p - 1].hand(() -> body.run(start, end));
        }
        IN_LOOP.set(true);
        try {
            body.run(0, (int) ((long) n / parts));
        } finally {
            IN_LOOP.set(false);
            while (running.get() > 0) {
                Thread.onSpinWait();
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t != null) {
            throw new IllegalStateException("CPU worker failed", t);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    private final class Worker extends Thread {
        private volatile Runnable task;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void hand(Runnable work) {
            task = work;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            IN_LOOP.set(true);
            long idleSince = System.nanoTime();
            while (!closed) {
                Runnable work = task;
                if (work != null) {
                    task = null;
                    try {
                        work.run();
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        running.decrementAndGet();
                    }
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    idleSince = System.nanoTime();
                }
            }
        }
    }

    /** Whether this thread runs a part of a loop, where a loop it starts runs on it alone. */
    static boolean insideLoop() {
        return IN_LOOP.get();
    }
}
