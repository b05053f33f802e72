package dev.kiln.data;

import dev.kiln.data.AugmentOp.Step;
import dev.kiln.data.RandomRotation.Interpolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * torchvision's {@code AutoAugment(policy, interpolation)} (Cubuk et al., 2018) on grey or RGB images
 * [..., 1 or 3, height, width] with values in [0, 1]: each image gets one of the policy's 25 sub-policies, drawn
 * uniformly, whose two operations are each applied with their own probability and magnitude (one of 10 bins of
 * {@link AugmentSpace#autoAugment}), signed operations negated with probability 1/2. The operations act as
 * {@link AugmentOp} describes, pixels from outside the image 0 (torchvision's {@code fill=None})
 * unless {@link #withFill} names a fill.
 *
 * <p>Draws, in torchvision's order: the sub-policy, two uniform numbers (operation i runs when the i-th is at most
 * its probability), two signs.
 */
public final class AutoAugment implements Augmentation {
    /** The sub-policies torchvision learned on each data set. */
    public enum Policy {
        IMAGENET(AutoAugmentPolicies.IMAGENET),
        CIFAR10(AutoAugmentPolicies.CIFAR10),
        SVHN(AutoAugmentPolicies.SVHN);

        private final List<SubPolicy> subPolicies;

        Policy(List<SubPolicy> subPolicies) {
            this.subPolicies = subPolicies;
        }

        List<SubPolicy> subPolicies() {
            return subPolicies;
        }
    }

    /** One operation of a sub-policy: applied with probability {@code p}, magnitude bin {@code bin} (-1: none). */
    record Entry(AugmentOp op, double p, int bin) {
    }

    /** Two operations applied one after the other, each with its own probability. */
    record SubPolicy(Entry first, Entry second) {
    }

    private final Policy policy;
    private final Interpolation interpolation;
    /** torchvision's fill, one value or one per channel; null for its None. */
    private final float[] fill;
    private final SizeSpaces spaces = new SizeSpaces(AugmentSpace::autoAugment);

    /** torchvision's default: the IMAGENET policy, nearest interpolation. */
    public AutoAugment() {
        this(Policy.IMAGENET);
    }

    /** The {@code policy}'s sub-policies, nearest interpolation (torchvision's default). */
    public AutoAugment(Policy policy) {
        this(policy, Interpolation.NEAREST);
    }

    /** The {@code policy}'s sub-policies, geometric operations reading the input as {@code interpolation} says. */
    public AutoAugment(Policy policy, Interpolation interpolation) {
        this(policy, interpolation, null);
    }

    private AutoAugment(Policy policy, Interpolation interpolation, float[] fill) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
        this.fill = fill;
    }

    /**
     * The same policy filling the pixels that geometric operations bring from outside the image with {@code fill}:
     * one value for every channel or one per RGB channel, in the image's [0, 1] units (torchvision's {@code fill};
     * none, its default None, leaves them 0 without blending).
     */
    public AutoAugment withFill(float... fill) {
        float[] checked = AugmentOp.checkFill("AutoAugment", Objects.requireNonNull(fill, "fill"));
        return new AutoAugment(policy, interpolation, checked);
    }

    /** The fill, one value or one per channel, or null for torchvision's None. */
    public float[] fill() {
        return fill == null ? null : fill.clone();
    }

    public Policy policy() {
        return policy;
    }

    public Interpolation interpolation() {
        return interpolation;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int channels = ImageOps.greyOrRgbChannels("AutoAugment", shape);
        int[] size = Datasets.imageSize("AutoAugment", shape);
        AugmentOp.checkFillChannels("AutoAugment", fill, channels);
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
        List<SubPolicy> subPolicies = policy.subPolicies();
        SubPolicy subPolicy = subPolicies.get(random.nextInt(subPolicies.size()));
        double[] probabilities = {random.nextDouble(), random.nextDouble()};
        boolean[] positive = {random.nextBoolean(), random.nextBoolean()};
        AugmentSpace space = spaces.get(height, width);
        List<Step> steps = new ArrayList<>(2);
        Entry[] entries = {subPolicy.first(), subPolicy.second()};
        for (int i = 0; i < 2; i++) {
            Entry entry = entries[i];
            if (probabilities[i] <= entry.p()) {
                double magnitude = entry.bin() < 0 ? 0 : space.magnitude(entry.op(), entry.bin());
                steps.add(new Step(entry.op(), entry.op().signed() && !positive[i] ? -magnitude : magnitude));
            }
        }
        return steps;
    }

    @Override
    public String toString() {
        return "AutoAugment(" + policy + ", " + interpolation + AugmentOp.fillString(fill) + ")";
    }
}
