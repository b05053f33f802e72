package dev.kiln.tests.ops;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;

/** What a tensor takes on the engine's backend, its allocator's rounding included: the memory tests' yardstick. */
public final class BytesInUse {
    private BytesInUse() {
    }

    /**
     * Waits until the tensors that earlier tests dropped unclosed are freed: the garbage collector's cleaner frees
     * them in a thread of its own, at its own time, which would move a measurement taken meanwhile (as it did in
     * the GPU bundle's one-JVM run of the whole suite). Collects until the bytes in use stay the same over two
     * rounds, for at most about a second.
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
    static long ofOneLike(Tensor t) {
        Backend backend = Engine.get().backend();
        long before = backend.bytesInUse();
        try (Tensor probe = Tensor.zeros(t.dtype(), t.shape().dims())) {
            return backend.bytesInUse() - before;
        }
    }
}
