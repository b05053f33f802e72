package dev.kiln.data;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A policy's {@link AugmentSpace}s for the last {@value #CAPACITY} image sizes it met, so that a policy builds its
 * magnitude bins once per size rather than once per image, also when a data set's images come in several sizes. Safe
 * for {@link DataLoader#withWorkers} threads applying one policy at once: the sizes and their spaces (immutable) are
 * an array that is never changed once published, so a lookup reads it without a lock; a new size swaps in a copy with
 * that size first and the oldest beyond the capacity dropped, trying again if another thread swapped meanwhile. Two
 * threads that race on a new size at worst both build it.
 */
final class SizeSpaces {
    /** The most sizes kept: more than a data set's images usually come in, and few enough to scan. */
    static final int CAPACITY = 8;

    /** Builds the space of [height, width] images. */
    @FunctionalInterface
    interface Builder {
        AugmentSpace build(int height, int width);
    }

    private record Sized(int height, int width, AugmentSpace space) {
    }

    private final Builder builder;
    /** Newest first. */
    private final AtomicReference<Sized[]> sizes = new AtomicReference<>(new Sized[0]);

    SizeSpaces(Builder builder) {
        this.builder = builder;
    }

    /** The space of [height, width] images. */
    AugmentSpace get(int height, int width) {
        AugmentSpace known = find(sizes.get(), height, width);
        if (known != null) {
            return known;
        }
        Sized built = new Sized(height, width, builder.build(height, width));
        while (true) {
            Sized[] current = sizes.get();
            AugmentSpace raced = find(current, height, width);
            if (raced != null) {
                return raced;
            }
            Sized[] next = new Sized[Math.min(current.length + 1, CAPACITY)];
            next[0] = built;
            System.arraycopy(current, 0, next, 1, next.length - 1);
            if (sizes.compareAndSet(current, next)) {
                return built.space();
            }
        }
    }

    private static AugmentSpace find(Sized[] sizes, int height, int width) {
        for (Sized sized : sizes) {
            if (sized.height() == height && sized.width() == width) {
                return sized.space();
            }
        }
        return null;
    }
}
