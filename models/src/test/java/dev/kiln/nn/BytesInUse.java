package dev.kiln.nn;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;

/**
 * What tensors take on the engine's backend, its allocator's rounding included: the yardstick of the tests that
 * check what a forward pass or a search leaves in memory.
 */
public final class BytesInUse {
    private BytesInUse() {
    }

    /**
     * Waits until the tensors that earlier code dropped unclosed are freed: the garbage collector's cleaner frees
     * them in a thread of its own, at its own time, which would move a measurement taken meanwhile (in one JVM
     * running the whole suite, as the GPU bundle's runner does, bytes held fell during a decoding test). Collects
     * until the bytes in use stay the same over two rounds, for at most about a second.
     */
    public static void settle() {
        Backend backend = Engine.get().backend();
        long last = -1;
        for (int round = 0; round < 50; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = backend.bytesInUse();
            if (now == last) {
                return;
            }
            last = now;
        }
    }

    /** Bytes one tensor of {@code t}'s shape and dtype takes. */
    public static long ofOneLike(Tensor t) {
        return ofOne(t.dtype(), t.shape().dims());
    }

    /** Bytes one tensor of {@code dtype} and {@code dims} takes. */
    public static long ofOne(DType dtype, int... dims) {
        Backend backend = Engine.get().backend();
        long before = backend.bytesInUse();
        try (Tensor probe = Tensor.zeros(dtype, dims)) {
            return backend.bytesInUse() - before;
        }
    }
}
