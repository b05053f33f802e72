package dev.kiln.data;

import dev.kiln.data.AugmentOp.Step;
import dev.kiln.data.RandomRotation.Interpolation;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * torchvision's {@code TrivialAugmentWide(num_magnitude_bins, interpolation)} (Müller and Hutter, 2021) on grey or
 * RGB images [..., 1 or 3, height, width] with values in [0, 1]: one operation per image, drawn uniformly from the 14 of
 * {@link AugmentSpace#trivialAugmentWide} (Identity, shears up to 0.99, moves up to 32 pixels, rotation up to 135
 * degrees, brightness, colour, contrast and sharpness up to 0.99, posterize to 8 down to 2 bits, solarize,
 * autocontrast, equalize), at the magnitude of a bin drawn uniformly, negated with probability 1/2 where the
 * operation is signed. The operations act as {@link AugmentOp} describes, pixels from outside the image 0
 * (torchvision's {@code fill=None})
 * unless {@link #withFill} names a fill.
 *
 * <p>Draws, in torchvision's order: the operation, its bin where it takes a magnitude, its sign where it is signed.
 */
public final class TrivialAugmentWide implements Augmentation {
    private final int numMagnitudeBins;
    private final Interpolation interpolation;
    /** torchvision's fill, one value or one per channel; null for its None. */
    private final float[] fill;
    /** The wide space, the same for every image size. */
    private final AugmentSpace space;

    /** torchvision's defaults: 31 bins, nearest interpolation. */
    public TrivialAugmentWide() {
        this(31, Interpolation.NEAREST);
    }

    /**
     * @param numMagnitudeBins how many magnitudes each operation's range is split into, at least 2 (torchvision's
     *                         posterize bins divide by numMagnitudeBins - 1)
     * @param interpolation    how geometric operations read the input between pixel centres
     */
    public TrivialAugmentWide(int numMagnitudeBins, Interpolation interpolation) {
        this(numMagnitudeBins, interpolation, null);
    }

    private TrivialAugmentWide(int numMagnitudeBins, Interpolation interpolation, float[] fill) {
        if (numMagnitudeBins < 2) {
            throw new IllegalArgumentException("TrivialAugmentWide: numMagnitudeBins must be >= 2, got "
                    + numMagnitudeBins);
        }
        this.numMagnitudeBins = numMagnitudeBins;
        this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
        this.fill = fill;
        this.space = AugmentSpace.trivialAugmentWide(numMagnitudeBins);
    }

    /**
     * The same policy filling the pixels that geometric operations bring from outside the image with {@code fill}:
     * one value for every channel or one per RGB channel, in the image's [0, 1] units (torchvision's {@code fill};
     * none, its default None, leaves them 0 without blending).
     */
    public TrivialAugmentWide withFill(float... fill) {
        float[] checked = AugmentOp.checkFill("TrivialAugmentWide", Objects.requireNonNull(fill, "fill"));
        return new TrivialAugmentWide(numMagnitudeBins, interpolation, checked);
    }

    /** The fill, one value or one per channel, or null for torchvision's None. */
    public float[] fill() {
        return fill == null ? null : fill.clone();
    }

    public int numMagnitudeBins() {
        return numMagnitudeBins;
    }

    public Interpolation interpolation() {
        return interpolation;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int channels = ImageOps.greyOrRgbChannels("TrivialAugmentWide", shape);
        int[] size = Datasets.imageSize("TrivialAugmentWide", shape);
        AugmentOp.checkFillChannels("TrivialAugmentWide", fill, channels);
        Step step = draw(random);
        int length = channels * size[0] * size[1];
        for (int k = 0; k < ImageOps.images(shape); k++) {
            step.apply(features, offset + k * length, channels, size[0], size[1], interpolation, fill);
        }
    }

    /** The operation one image gets, with its signed magnitude. */
    Step draw(SplittableRandom random) {
        AugmentOp op = space.drawOp(random);
        int bin = space.hasMagnitude(op) ? random.nextInt(numMagnitudeBins) : 0;
        return space.step(op, bin, random);
    }

    @Override
    public String toString() {
        return "TrivialAugmentWide(numMagnitudeBins=" + numMagnitudeBins + ", " + interpolation
                + AugmentOp.fillString(fill) + ")";
    }
}
