package dev.kiln.data;

import java.util.Arrays;

/**
 * What {@link MixUp} and {@link CutMix} share: their Beta concentration and number of classes, checked once, with
 * their accessors and torchvision's {@code repr}; the check of a batch of images and its labels; and the targets of a
 * batch mixed with itself rolled by one example ({@code torch.roll(x, 1, 0)}: example i is paired with example i - 1,
 * example 0 with the last), as torchvision v2 pairs them.
 */
abstract sealed class MixedTargets implements BatchAugmentation permits MixUp, CutMix {
    private final String name;
    private final double alpha;
    private final int classes;

    /**
     * @param name       the augmentation's class name, which starts its error messages and its {@code toString}
     * @param alpha      concentration of lambda's Beta(alpha, alpha), positive and finite
     * @param numClasses classes of the targets, at least 1
     */
    MixedTargets(String name, double alpha, int numClasses) {
        this.name = name;
        this.alpha = checkAlpha(name, alpha);
        this.classes = checkClasses(name, numClasses);
    }

    /** Concentration of lambda's Beta(alpha, alpha). */
    public final double alpha() {
        return alpha;
    }

    @Override
    public final int classes() {
        return classes;
    }

    /** torchvision's {@code repr}, e.g. {@code MixUp(alpha=1.0, num_classes=10)}. */
    @Override
    public final String toString() {
        return name + "(alpha=" + alpha + ", num_classes=" + classes + ")";
    }

    /** {@code alpha}, checked to be positive and finite: Beta(alpha, alpha) has no other. */
    private static double checkAlpha(String who, double alpha) {
        if (!(alpha > 0 && alpha < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(who + ": alpha must be positive and finite, got " + alpha);
        }
        return alpha;
    }

    private static int checkClasses(String who, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException(who + ": num_classes must be at least 1, got " + classes);
        }
        return classes;
    }

    /** Checks that the batch holds images [batch, channels, height, width] and labels in [0, classes). */
    static void check(String who, float[] features, long[] labels, int[] shape, int classes) {
        if (shape.length != 3) {
            throw new IllegalArgumentException(who + ": expected a batch of images [batch, channels, height, width],"
                    + " got examples of shape " + Arrays.toString(shape));
        }
        if (features.length != (long) labels.length * Datasets.product(shape)) {
            throw new IllegalArgumentException(who + ": " + features.length + " feature values for " + labels.length
                    + " examples of shape " + Arrays.toString(shape));
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(who + ": label " + labels[i] + " of example " + i
                        + " is outside [0, " + classes + ") (num_classes " + classes + ")");
            }
        }
    }

    /**
     * The targets [batch * classes]: {@code lam * one_hot(y) + (1 - lam) * one_hot(roll(y, 1))}, in F32 as torchvision
     * computes it (each one-hot row times the weight rounded to F32, then their sum).
     */
    static float[] mix(long[] labels, int classes, double lam) {
        float own = (float) lam;
        float rolled = (float) (1.0 - lam);
        int n = labels.length;
        float[] targets = new float[Math.multiplyExact(n, classes)];
        for (int i = 0; i < n; i++) {
            int row = i * classes;
            targets[row + (int) labels[(i + n - 1) % n]] = rolled;
            targets[row + (int) labels[i]] += own;
        }
        return targets;
    }
}
