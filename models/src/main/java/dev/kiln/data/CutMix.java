package dev.kiln.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Batch-level CutMix, as torchvision v2's {@code CutMix(alpha=alpha, num_classes=numClasses)}: one
 * {@code lam ~ Beta(alpha, alpha)} and one box per batch, the box's pixels of every image replaced by those of the
 * batch rolled by one example (example i takes example i - 1's, example 0 the last one's), and the targets mixed by
 * the share of pixels each kept: {@code t_i = lam' one_hot(y_i) + (1 - lam') one_hot(y_(i-1))}. The box, as
 * torchvision's: a centre {@code (r_x, r_y)} uniform over the pixels, half-sides {@code floor(r W)} and
 * {@code floor(r H)} with {@code r = 0.5 sqrt(1 - lam)}, clamped to the image, and {@code lam' = 1 - box area /
 * (H W)}, the share the clamping really left. For images [batch, channels, height, width].
 */
public final class CutMix extends MixedTargets {
    /**
     * @param alpha      concentration of lambda's Beta(alpha, alpha), positive (torchvision's default is 1: uniform)
     * @param numClasses classes of the targets, at least 1
     */
    public CutMix(double alpha, int numClasses) {
        super("CutMix", alpha, numClasses);
    }

    /** Draws lambda, then the centre's column, then its row (torchvision's order), and pastes. */
    @Override
    public float[] apply(float[] features, long[] labels, int[] shape, SplittableRandom random) {
        MixedTargets.check("CutMix", features, labels, shape, classes());
        double lam = BetaSampler.beta(alpha(), alpha(), random);
        int height = shape[1];
        int width = shape[2];
        int x = random.nextInt(width);
        int y = random.nextInt(height);
        return paste(features, labels, shape, box(lam, x, y, height, width));
    }

    /** The pixels {@code [y1, y2) x [x1, x2)} of every channel; empty when x1 == x2 or y1 == y2. */
    record Box(int x1, int y1, int x2, int y2) {
        /** 1 - the box's share of an image's pixels: the weight of an image's own label. */
        double adjustedLambda(int height, int width) {
            return 1.0 - (double) (x2 - x1) * (y2 - y1) / ((double) width * height);
        }
    }

    /** torchvision's box for {@code lam} and the centre {@code (x, y)}. */
    static Box box(double lam, int x, int y, int height, int width) {
        double r = 0.5 * Math.sqrt(1.0 - lam);
        int halfWidth = (int) (r * width);
        int halfHeight = (int) (r * height);
        return new Box(Math.max(x - halfWidth, 0), Math.max(y - halfHeight, 0), Math.min(x + halfWidth, width),
                Math.min(y + halfHeight, height));
    }

    /** Pastes the rolled batch's {@code box} into every image, in place; gives the targets. */
    float[] paste(float[] features, long[] labels, int[] shape, Box box) {
        int size = Datasets.product(shape);
        int n = labels.length;
        float[] last = Arrays.copyOfRange(features, (n - 1) * size, n * size);
        // From the last example down, so that example i - 1 still holds its own box when example i takes it.
        for (int i = n - 1; i >= 0; i--) {
            copyBox(i == 0 ? last : features, i == 0 ? 0 : (i - 1) * size, features, i * size, shape, box);
        }
        return MixedTargets.mix(labels, classes(), box.adjustedLambda(shape[1], shape[2]));
    }

    private static void copyBox(float[] from, int fromOffset, float[] to, int toOffset, int[] shape, Box box) {
        int width = shape[2];
        int plane = shape[1] * width;
        for (int c = 0; c < shape[0]; c++) {
            for (int row = box.y1(); row < box.y2(); row++) {
                int at = c * plane + row * width + box.x1();
                System.arraycopy(from, fromOffset + at, to, toOffset + at, box.x2() - box.x1());
            }
        }
    }
}
