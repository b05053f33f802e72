package dev.kiln.data;

import dev.kiln.data.AugmentOp.Step;
import dev.kiln.data.RandomRotation.Interpolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * torchvision's {@code RandAugment(num_ops, magnitude, num_magnitude_bins, interpolation)} (Cubuk et al., 2019) on
 * grey or RGB images [..., 1 or 3, height, width] with values in [0, 1]: {@code numOps} operations one after the other,
 * each drawn uniformly from the 14 of {@link AugmentSpace#randAugment} (Identity, shears, moves, rotation,
 * brightness, colour, contrast, sharpness, posterize, solarize, autocontrast, equalize), all at the magnitude of bin
 * {@code magnitude} of {@code numMagnitudeBins}, signed operations negated with probability 1/2. The operations act
 * as {@link AugmentOp} describes, pixels from outside the image 0 (torchvision's {@code fill=None})
 * unless {@link #withFill} names a fill.
 *
 * <p>Draws, per operation in torchvision's order: the operation, then its sign where it is signed.
 */
public final class RandAugment implements Augmentation {
    private final int numOps;
    private final int magnitude;
    private final int numMagnitudeBins;
    private final Interpolation interpolation;
    /** torchvision's fill, one value or one per channel; null for its None. */
    private final float[] fill;
    private final SizeSpaces spaces;

    /** torchvision's defaults: 2 operations at magnitude 9 of 31 bins, nearest interpolation. */
    public RandAugment() {
        this(2, 9, 31, Interpolation.NEAREST);
    }

    /**
     * @param numOps           operations per image, at least 0
     * @param magnitude        the bin of every operation's magnitude, in [0, numMagnitudeBins)
     * @param numMagnitudeBins how many magnitudes each operation's range is split into, at least 2 (torchvision's
     *                         posterize bins divide by numMagnitudeBins - 1)
     * @param interpolation    how geometric operations read the input between pixel centres
     */
    public RandAugment(int numOps, int magnitude, int numMagnitudeBins, Interpolation interpolation) {
        this(numOps, magnitude, numMagnitudeBins, interpolation, null);
    }

    private RandAugment(int numOps, int magnitude, int numMagnitudeBins, Interpolation interpolation, float[] fill) {
        if (numOps < 0) {
            throw new IllegalArgumentException("RandAugment: numOps must be >= 0, got " + numOps);
        }
        if (numMagnitudeBins < 2) {
            throw new IllegalArgumentException("RandAugment: numMagnitudeBins must be >= 2, got " + numMagnitudeBins);
        }
        if (magnitude < 0 || magnitude >= numMagnitudeBins) {
            throw new IllegalArgumentException("RandAugment: magnitude must be in [0, " + numMagnitudeBins + "), got "
                    + magnitude);
        }
        this.numOps = numOps;
        this.magnitude = magnitude;
        this.numMagnitudeBins = numMagnitudeBins;
        this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
        this.fill = fill;
        this.spaces = new SizeSpaces((height, width) -> AugmentSpace.randAugment(numMagnitudeBins, height, width));
    }

    /**
     * The same policy filling the pixels that geometric operations bring from outside the image with {@code fill}:
     * one value for every channel or one per RGB channel, in the image's [0, 1] units (torchvision's {@code fill};
     * none, its default None, leaves them 0 without blending).
     */
    public RandAugment withFill(float... fill) {
        float[] checked = AugmentOp.checkFill("RandAugment", Objects.requireNonNull(fill, "fill"));
        return new RandAugment(numOps, magnitude, numMagnitudeBins, interpolation, checked);
    }

    /** The fill, one value or one per channel, or null for torchvision's None. */
    public float[] fill() {
        return fill == null ? null : fill.clone();
    }

    public int numOps() {
        return numOps;
    }

    public int magnitude() {
        return magnitude;
    }

    public int numMagnitudeBins() {
        return numMagnitudeBins;
    }

    public Interpolation interpolation() {
        return interpolation;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int channels = ImageOps.greyOrRgbChannels("RandAugment", shape);
        int[] size = Datasets.imageSize("RandAugment", shape);
        AugmentOp.checkFillChannels("RandAugment", fill, channels);
        List<Step> steps = draw(size[0], size[1], random);
        int length = channels * size[0] * size[1];
        for (int k = 0; k < ImageOps.images(shape); k++) {
            for (Step step : steps) {
                step.apply(features, offset + k * length, channels, size[0], size[1], interpolation, fill);
            }
        }
    }

    /** The operations one [height, width] image gets, in order, with their signed magnitudes. */
    List<Step> draw(int height, int width, SplittableRandom random) {
        AugmentSpace space = spaces.get(height, width);
        List<Step> steps = new ArrayList<>(numOps);
        for (int i = 0; i < numOps; i++) {
            steps.add(space.step(space.drawOp(random), magnitude, random));
        }
        return steps;
    }

    @Override
    public String toString() {
        return "RandAugment(numOps=" + numOps + ", magnitude=" + magnitude + ", numMagnitudeBins=" + numMagnitudeBins
                + ", " + interpolation + AugmentOp.fillString(fill) + ")";
    }
}
