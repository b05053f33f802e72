package dev.kiln.data;

import dev.kiln.data.AugmentOp.Step;
import dev.kiln.data.RandomRotation.Interpolation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * torchvision's {@code AugMix(severity, mixture_width, chain_depth, alpha, all_ops, interpolation)} (Hendrycks et
 * al., 2020) on grey or RGB images [1 or 3, height, width] with values in [0, 1]: {@code mixtureWidth} chains of
 * operations from {@link AugmentSpace#augMix} (each operation drawn uniformly, at one of the first {@code severity}
 * of 10 magnitude bins drawn uniformly, negated with probability 1/2 where signed) are each run on a copy of the
 * image, and the image becomes {@code m0 x + m1 (w_1 chain_1(x) + ... + w_k chain_k(x))}, (m0, m1) drawn from
 * Dirichlet(alpha, alpha) and w from Dirichlet(alpha, ..., alpha). A chain has {@code chainDepth} operations, or,
 * where chainDepth is 0 or less, 1 to 3 drawn uniformly. The operations act as {@link AugmentOp} describes, pixels
 * from outside the image 0 (torchvision's {@code fill=None}) unless {@link #withFill} names a fill;
 * float images are mixed without rounding.
 *
 * <p>Draws, in torchvision's order: m, w, then per chain its depth (where drawn) and per operation the operation,
 * its bin where it takes a magnitude and its sign where it is signed. Dirichlet draws are normalised Gamma(alpha)
 * draws (Marsaglia and Tsang's method), taken from their logarithms ({@link BetaSampler#dirichlet}) so that a tiny
 * alpha still gives Dirichlet(alpha) weights; PyTorch 1.13's {@code _sample_dirichlet}, which torchvision calls, does
 * not there (at alpha 1e-3 its m0 lies in (0.01, 0.99) a quarter of the time, Dirichlet's 0.46%:
 * {@code dirichlet_tiny_alpha.py}).
 */
public final class AugMix implements Augmentation {
    /** torchvision's {@code _PARAMETER_MAX}: the number of magnitude bins, and the largest severity. */
    private static final int BINS = 10;
    /** The depths a chain draws from, 1 to this, where chainDepth is 0 or less. */
    private static final int MAX_RANDOM_DEPTH = 3;

    private final int severity;
    private final int mixtureWidth;
    private final int chainDepth;
    private final double alpha;
    private final boolean allOps;
    private final Interpolation interpolation;
    /** torchvision's fill, one value or one per channel; null for its None. */
    private final float[] fill;
    private final SizeSpaces spaces;

    /** torchvision's defaults: severity 3, 3 chains of random depth, alpha 1, all operations, bilinear. */
    public AugMix() {
        this(3, 3, -1, 1.0, true, Interpolation.BILINEAR);
    }

    /**
     * @param severity      how many of the 10 magnitude bins, from the smallest, operations draw from, in [1, 10]
     * @param mixtureWidth  chains mixed, at least 1
     * @param chainDepth    operations per chain, or 0 or less for 1 to 3 drawn uniformly
     * @param alpha         the Dirichlet concentration of the weights, above 0
     * @param allOps        whether brightness, colour, contrast and sharpness are among the operations
     * @param interpolation how geometric operations read the input between pixel centres
     */
    public AugMix(int severity, int mixtureWidth, int chainDepth, double alpha, boolean allOps,
            Interpolation interpolation) {
        this(severity, mixtureWidth, chainDepth, alpha, allOps, interpolation, null);
    }

    private AugMix(int severity, int mixtureWidth, int chainDepth, double alpha, boolean allOps,
            Interpolation interpolation, float[] fill) {
        if (severity < 1 || severity > BINS) {
            throw new IllegalArgumentException("AugMix: severity must be in [1, " + BINS + "], got " + severity);
        }
        if (mixtureWidth < 1) {
            throw new IllegalArgumentException("AugMix: mixtureWidth must be >= 1, got " + mixtureWidth);
        }
        if (!(alpha > 0 && alpha < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("AugMix: alpha must be finite and > 0, got " + alpha);
        }
        this.severity = severity;
        this.mixtureWidth = mixtureWidth;
        this.chainDepth = chainDepth;
        this.alpha = alpha;
        this.allOps = allOps;
        this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
        this.fill = fill;
        this.spaces = new SizeSpaces((height, width) -> AugmentSpace.augMix(BINS, height, width, allOps));
    }

    /**
     * The same policy filling the pixels that geometric operations bring from outside the image with {@code fill}:
     * one value for every channel or one per RGB channel, in the image's [0, 1] units (torchvision's {@code fill};
     * none, its default None, leaves them 0 without blending).
     */
    public AugMix withFill(float... fill) {
        float[] checked = AugmentOp.checkFill("AugMix", Objects.requireNonNull(fill, "fill"));
        return new AugMix(severity, mixtureWidth, chainDepth, alpha, allOps, interpolation, checked);
    }

    /** The fill, one value or one per channel, or null for torchvision's None. */
    public float[] fill() {
        return fill == null ? null : fill.clone();
    }

    public int severity() {
        return severity;
    }

    public int mixtureWidth() {
        return mixtureWidth;
    }

    public int chainDepth() {
        return chainDepth;
    }

    public double alpha() {
        return alpha;
    }

    public boolean allOps() {
        return allOps;
    }

    public Interpolation interpolation() {
        return interpolation;
    }

    /** One image's draw: the original's weight m0, each chain's weight w_i m1, and the chains' operations. */
    record Mix(double originalWeight, double[] chainWeights, List<List<Step>> chains) {
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int channels = ImageOps.greyOrRgbChannels("AugMix", shape);
        int images = ImageOps.images(shape);
        if (images != 1) {
            throw new IllegalArgumentException("AugMix takes one image [1 or 3, height, width] an example, got example"
                    + " shape " + Arrays.toString(shape) + ": " + images + " images, which torchvision would give"
                    + " weights each");
        }
        int[] size = Datasets.imageSize("AugMix", shape);
        AugmentOp.checkFillChannels("AugMix", fill, channels);
        mix(features, offset, channels, size[0], size[1], draw(size[0], size[1], random), interpolation, fill);
    }

    /** The weights and chains of one [height, width] image. */
    Mix draw(int height, int width, SplittableRandom random) {
        double[] originalAndChains = BetaSampler.dirichlet(alpha, 2, random);
        double[] chainWeights = BetaSampler.dirichlet(alpha, mixtureWidth, random);
        for (int i = 0; i < mixtureWidth; i++) {
            chainWeights[i] *= originalAndChains[1];
        }
        AugmentSpace space = spaces.get(height, width);
        List<List<Step>> chains = new ArrayList<>(mixtureWidth);
        for (int i = 0; i < mixtureWidth; i++) {
            int depth = chainDepth > 0 ? chainDepth : 1 + random.nextInt(MAX_RANDOM_DEPTH);
            List<Step> chain = new ArrayList<>(depth);
            for (int j = 0; j < depth; j++) {
                AugmentOp op = space.drawOp(random);
                int bin = space.hasMagnitude(op) ? random.nextInt(severity) : 0;
                chain.add(space.step(op, bin, random));
            }
            chains.add(chain);
        }
        return new Mix(originalAndChains[0], chainWeights, chains);
    }

    /**
     * Replaces the image [channels, height, width] at {@code offset} by the mix of its chains that {@code mix} says,
     * geometric operations filling with {@code fill} (null for torchvision's None).
     */
    static void mix(float[] features, int offset, int channels, int height, int width, Mix mix,
            Interpolation interpolation, float[] fill) {
        int length = channels * height * width;
        float[] original = new float[length];
        System.arraycopy(features, offset, original, 0, length);
        double[] sum = new double[length];
        for (int i = 0; i < length; i++) {
            sum[i] = mix.originalWeight() * original[i];
        }
        float[] chained = new float[length];
        for (int c = 0; c < mix.chains().size(); c++) {
            System.arraycopy(original, 0, chained, 0, length);
            for (Step step : mix.chains().get(c)) {
                step.apply(chained, 0, channels, height, width, interpolation, fill);
            }
            for (int i = 0; i < length; i++) {
                sum[i] += mix.chainWeights()[c] * chained[i];
            }
        }
        for (int i = 0; i < length; i++) {
            features[offset + i] = (float) sum[i];
        }
    }

    @Override
    public String toString() {
        return "AugMix(severity=" + severity + ", mixtureWidth=" + mixtureWidth + ", chainDepth=" + chainDepth
                + ", alpha=" + alpha + ", allOps=" + allOps + ", " + interpolation
                + AugmentOp.fillString(fill) + ")";
    }
}
