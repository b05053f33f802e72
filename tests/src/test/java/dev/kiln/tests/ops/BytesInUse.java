package dev.kiln.tests.ops;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;

/** What a tensor takes on the engine's backend, its allocator's rounding included: the memory tests' yardstick. */
final class BytesInUse {
    private BytesInUse() {
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
