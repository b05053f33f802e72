package dev.kiln.engine.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Brackets every OpenBLAS call so that the JVM can exit while one runs. Measured (2026-11-22): a SIGTERM or
 * Ctrl-C during LeNet training hung the process for good. The JVM's exit runs the C library's exit handlers,
 * where OpenBLAS joins its worker threads; a worker still serving the GEMM of a Java thread never finishes,
 * because that thread, back from native code after the VM has exited, blocks forever. So a shutdown hook
 * waits (at most {@value #DRAIN_SECONDS} s) for the calls in flight to return, and from then on a thread
 * that asks for a new call parks instead of entering OpenBLAS.
 */
final class OpenBlasCalls {
    private static final int DRAIN_SECONDS = 10;
    private static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    private static volatile boolean exiting;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(OpenBlasCalls::drain, "kiln-openblas-drain"));
    }

    private OpenBlasCalls() {
    }

    /** Call before entering OpenBLAS; pair with {@link #leave()} in a finally block. */
    static void enter() {
        IN_FLIGHT.incrementAndGet();
        if (exiting) {
            IN_FLIGHT.decrementAndGet();
            while (true) {
                LockSupport.park();
            }
        }
    }

    static void leave() {
        IN_FLIGHT.decrementAndGet();
    }

    private static void drain() {
        exiting = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        while (IN_FLIGHT.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
