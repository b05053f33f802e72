package dev.kiln.data;

/**
 * A policy's {@link AugmentSpace} for the last image size it met, so that a policy builds its magnitude bins once per
 * size rather than once per image. Safe for {@link DataLoader#withWorkers} threads applying one policy at once: a
 * space is immutable and is published with its size through one volatile field, so a thread reads a whole space of a
 * known size, and two threads that race on a new size at worst both build it.
 */
final class LastSizeSpace {
    /** Builds the space of [height, width] images. */
    @FunctionalInterface
    interface Builder {
        AugmentSpace build(int height, int width);
    }

    private record Sized(int height, int width, AugmentSpace space) {
    }

    private final Builder builder;
    private volatile Sized last;

    LastSizeSpace(Builder builder) {
        this.builder = builder;
    }

    /** The space of [height, width] images. */
    AugmentSpace get(int height, int width) {
        Sized sized = last;
        if (sized == null || sized.height() != height || sized.width() != width) {
            sized = new Sized(height, width, builder.build(height, width));
            last = sized;
        }
        return sized.space();
    }
}
