package dev.kiln.data;

import dev.kiln.data.AugmentOp.Step;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A policy's operations, in torchvision's order, each with its magnitude bins (torchvision's
 * {@code _augmentation_space}); operations without a magnitude have no bins. Bins are torch's F32
 * {@code linspace}s bit for bit ({@link #linspace}), so that their whole pixels ({@code (int) magnitude}) are
 * torchvision's for every bin count and image size. Immutable, so that policies keep one per image size
 * ({@link SizeSpaces}) and share it between threads.
 */
final class AugmentSpace {
    /** The F32 lanes of torch's AVX2 linspace kernel, which fills two blocks of them at a time. */
    private static final int LINSPACE_LANES = 8;

    private final Map<AugmentOp, double[]> bins;
    private final List<AugmentOp> ops;

    private AugmentSpace(Map<AugmentOp, double[]> bins) {
        this.bins = bins;
        this.ops = List.copyOf(bins.keySet());
    }

    /** AutoAugment's space: 10 bins, moves up to 150/331 of the image, Invert and no Identity. */
    static AugmentSpace autoAugment(int height, int width) {
        Map<AugmentOp, double[]> bins = common(10, 0.3, 150.0 / 331.0 * width, 150.0 / 331.0 * height, 30, 0.9, 8);
        bins.put(AugmentOp.INVERT, null);
        return new AugmentSpace(bins);
    }

    /** RandAugment's space: Identity, then AutoAugment's operations less Invert, in {@code count} bins. */
    static AugmentSpace randAugment(int count, int height, int width) {
        Map<AugmentOp, double[]> bins = new LinkedHashMap<>();
        bins.put(AugmentOp.IDENTITY, null);
        bins.putAll(common(count, 0.3, 150.0 / 331.0 * width, 150.0 / 331.0 * height, 30, 0.9, 8));
        return new AugmentSpace(bins);
    }

    /** TrivialAugmentWide's wide space: shears to 0.99, moves to 32 pixels, turns to 135 degrees, 2 to 8 bits. */
    static AugmentSpace trivialAugmentWide(int count) {
        Map<AugmentOp, double[]> bins = new LinkedHashMap<>();
        bins.put(AugmentOp.IDENTITY, null);
        bins.putAll(common(count, 0.99, 32, 32, 135, 0.99, 8));
        bins.put(AugmentOp.POSTERIZE, posterizeBits(count, 8, 6));
        return new AugmentSpace(bins);
    }

    /**
     * AugMix's space: geometric operations (moves up to a third of the image), posterize to 4 to 0 bits, solarize,
     * autocontrast and equalize, then, with {@code allOps}, brightness, colour, contrast and sharpness.
     */
    static AugmentSpace augMix(int count, int height, int width, boolean allOps) {
        Map<AugmentOp, double[]> all = common(count, 0.3, width / 3.0, height / 3.0, 30, 0.9, 4);
        Map<AugmentOp, double[]> bins = new LinkedHashMap<>();
        for (AugmentOp op : List.of(AugmentOp.SHEAR_X, AugmentOp.SHEAR_Y, AugmentOp.TRANSLATE_X,
                AugmentOp.TRANSLATE_Y, AugmentOp.ROTATE, AugmentOp.POSTERIZE, AugmentOp.SOLARIZE,
                AugmentOp.AUTO_CONTRAST, AugmentOp.EQUALIZE)) {
            bins.put(op, all.get(op));
        }
        if (allOps) {
            for (AugmentOp op : List.of(AugmentOp.BRIGHTNESS, AugmentOp.COLOR, AugmentOp.CONTRAST,
                    AugmentOp.SHARPNESS)) {
                bins.put(op, all.get(op));
            }
        }
        return new AugmentSpace(bins);
    }

    /** The operations from ShearX to Equalize in torchvision's order, posterize from {@code topBits} down by 4. */
    private static Map<AugmentOp, double[]> common(int count, double shear, double translateX, double translateY,
            double rotate, double enhance, int topBits) {
        Map<AugmentOp, double[]> bins = new LinkedHashMap<>();
        bins.put(AugmentOp.SHEAR_X, linspace(0, shear, count));
        bins.put(AugmentOp.SHEAR_Y, linspace(0, shear, count));
        bins.put(AugmentOp.TRANSLATE_X, linspace(0, translateX, count));
        bins.put(AugmentOp.TRANSLATE_Y, linspace(0, translateY, count));
        bins.put(AugmentOp.ROTATE, linspace(0, rotate, count));
        for (AugmentOp op : List.of(AugmentOp.BRIGHTNESS, AugmentOp.COLOR, AugmentOp.CONTRAST, AugmentOp.SHARPNESS)) {
            bins.put(op, linspace(0, enhance, count));
        }
        bins.put(AugmentOp.POSTERIZE, posterizeBits(count, topBits, 4));
        bins.put(AugmentOp.SOLARIZE, linspace(255, 0, count));
        bins.put(AugmentOp.AUTO_CONTRAST, null);
        bins.put(AugmentOp.EQUALIZE, null);
        return bins;
    }

    /**
     * torch.linspace(start, end, count) in F32, bit for bit as torch 1.13's CPU kernel computes it on x86 (its AVX2
     * kernels, the default there): the step rounded to F32; value i {@code start + step i} below count / 2 and
     * {@code end - step (count - 1 - i)} from there, each fused into one rounding; except that the first
     * {@code 16 floor(count / 16)} values come in blocks of 8 lanes, each lane {@code base + j step} with two
     * roundings from its block's first value. Rounding start + (end - start) i / (count - 1) once instead differs
     * in whole pixels for some bin counts (TrivialAugmentWide's 15 bins move bin 7 by 15.999999 pixels, 15, not 16).
     */
    static double[] linspace(double start, double end, int count) {
        double[] values = new double[count];
        float from = (float) start;
        if (count == 1) {
            values[0] = from;
            return values;
        }
        float to = (float) end;
        float step = (to - from) / (count - 1);
        int blocked = count / (2 * LINSPACE_LANES) * (2 * LINSPACE_LANES);
        for (int block = 0; block < blocked; block += LINSPACE_LANES) {
            float base = linspaceValue(from, to, step, block, count);
            for (int j = 0; j < LINSPACE_LANES; j++) {
                values[block + j] = base + j * step;
            }
        }
        for (int i = blocked; i < count; i++) {
            values[i] = linspaceValue(from, to, step, i, count);
        }
        return values;
    }

    /** torch's scalar linspace value i: from the start in the first half, from the end in the second, fused. */
    private static float linspaceValue(float from, float to, float step, int i, int count) {
        return i < count / 2 ? Math.fma(step, (float) i, from) : Math.fma(-step, (float) (count - 1 - i), to);
    }

    /** {@code top - round(i / ((count - 1) / span))}, the division in F32 and rounding halves to even, as torch. */
    private static double[] posterizeBits(int count, int top, int span) {
        double[] values = new double[count];
        float divisor = (float) ((count - 1) / (double) span);
        for (int i = 0; i < count; i++) {
            values[i] = top - Math.rint((float) i / divisor);
        }
        return values;
    }

    /** The operations, in order. */
    List<AugmentOp> ops() {
        return ops;
    }

    /** The bins of {@code op}, or null where it takes no magnitude. */
    double[] bins(AugmentOp op) {
        double[] values = bins.get(op);
        return values == null ? null : values.clone();
    }

    /** Whether {@code op} takes a magnitude (has bins). */
    boolean hasMagnitude(AugmentOp op) {
        return bins.get(op) != null;
    }

    /** The magnitude of bin {@code index} of {@code op}, 0 where it takes none. */
    double magnitude(AugmentOp op, int index) {
        double[] values = bins.get(op);
        return values == null ? 0 : values[index];
    }

    /** An operation drawn uniformly. */
    AugmentOp drawOp(SplittableRandom random) {
        return ops.get(random.nextInt(ops.size()));
    }

    /**
     * {@code op} with the magnitude of bin {@code index} (0 where it takes none), negated with probability 1/2 where
     * the operation is signed; the sign is drawn only then, as torchvision draws it.
     */
    Step step(AugmentOp op, int index, SplittableRandom random) {
        double magnitude = magnitude(op, index);
        if (op.signed() && random.nextBoolean()) {
            magnitude = -magnitude;
        }
        return new Step(op, magnitude);
    }
}
