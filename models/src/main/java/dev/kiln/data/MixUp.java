package dev.kiln.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Batch-level MixUp, as torchvision v2's {@code MixUp(alpha=alpha, num_classes=numClasses)}: one
 * {@code lam ~ Beta(alpha, alpha)} per batch, and every image and its one-hot target blended with those of the batch
 * rolled by one example: {@code x_i <- lam x_i + (1 - lam) x_(i-1)}, {@code t_i = lam one_hot(y_i) + (1 - lam)
 * one_hot(y_(i-1))} (example 0 takes the last one). For images [batch, channels, height, width].
 */
public final class MixUp extends MixedTargets {
    /**
     * @param alpha      concentration of lambda's Beta(alpha, alpha), positive (torchvision's default is 1: uniform)
     * @param numClasses classes of the targets, at least 1
     */
    public MixUp(double alpha, int numClasses) {
        super("MixUp", alpha, numClasses);
    }

    @Override
    public float[] apply(float[] features, long[] labels, int[] shape, SplittableRandom random) {
        MixedTargets.check("MixUp", features, labels, shape, classes());
        return mix(features, labels, shape, BetaSampler.beta(alpha(), alpha(), random));
    }

    /** Blends the batch with itself rolled by one, at {@code lam}, in place; gives the targets. */
    float[] mix(float[] features, long[] labels, int[] shape, double lam) {
        float own = (float) lam;
        float rolled = (float) (1.0 - lam);
        int size = Datasets.product(shape);
        int n = labels.length;
        float[] last = Arrays.copyOfRange(features, (n - 1) * size, n * size);
        // From the last example down, so that example i - 1 is still unmixed when example i reads it.
        for (int i = n - 1; i >= 0; i--) {
            int at = i * size;
            float[] partner = i == 0 ? last : features;
            int from = i == 0 ? 0 : at - size;
            for (int k = 0; k < size; k++) {
                features[at + k] = partner[from + k] * rolled + features[at + k] * own;
            }
        }
        return MixedTargets.mix(labels, classes(), lam);
    }
}
