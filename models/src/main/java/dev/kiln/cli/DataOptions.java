package dev.kiln.cli;

import dev.kiln.data.AugMix;
import dev.kiln.data.Augmentation;
import dev.kiln.data.AutoAugment;
import dev.kiln.data.BatchAugmentation;
import dev.kiln.data.CutMix;
import dev.kiln.data.Dataset;
import dev.kiln.data.Datasets;
import dev.kiln.data.GaussianBlur;
import dev.kiln.data.MixUp;
import dev.kiln.data.RandAugment;
import dev.kiln.data.RandomAffine;
import dev.kiln.data.RandomBatchChoice;
import dev.kiln.data.RandomCrop;
import dev.kiln.data.RandomErasing;
import dev.kiln.data.RandomHorizontalFlip;
import dev.kiln.data.RandomRotation;
import dev.kiln.data.RandomRotation.Interpolation;
import dev.kiln.data.RandomShift;
import dev.kiln.data.TrivialAugmentWide;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code --data}, {@code --data-dir}, {@code --train-size}, {@code --per-class} and {@code --augment} options
 * shared by the commands.
 */
final class DataOptions {
    private DataOptions() {
    }

    static String dataSet(Options o) {
        String data = o.get("data", "mnist");
        if (!data.equals("mnist") && !data.equals("fashion-mnist")) {
            throw new IllegalArgumentException("--data must be mnist or fashion-mnist, got '" + data + "'");
        }
        return data;
    }

    static Path dataDir(Options o) {
        String dir = o.get("data-dir", null);
        return dir == null ? null : Path.of(dir);
    }

    /** Which training images a command asked for: {@code --train-size N}, {@code --per-class N}, or all (0, 0). */
    record Sampling(int trainSize, int perClass) {
        /** A seeded random {@code trainSize} of {@code train}, {@code perClass} of each class, or all of it. */
        Dataset apply(Dataset train, long seed) {
            if (perClass > 0) {
                return Datasets.perClass(train, perClass, seed);
            }
            if (trainSize > train.size()) {
                throw new IllegalArgumentException("--train-size must be at most the " + train.size()
                        + " training images, got " + trainSize + "; leave it out to train on all of them");
            }
            return trainSize > 0 ? Datasets.take(train, trainSize, seed) : train;
        }
    }

    static Sampling sampling(Options o) {
        int trainSize = trainSize(o);
        int perClass = perClass(o);
        if (trainSize > 0 && perClass > 0) {
            throw new IllegalArgumentException("give --train-size or --per-class, not both");
        }
        return new Sampling(trainSize, perClass);
    }

    /**
     * {@code --train-size N}: how many of the training examples to train on, at least 1; 0 where the option is left
     * out, for the whole set. 0 itself is refused, as PyTorch has no convention that reads it as "all".
     */
    /**
     * {@code --per-class N}, N >= 1, or 0 where it is left out (all of each class). 0 given is refused, as
     * {@code --train-size 0} is: a count of 0 meaning "all" surprises.
     */
    private static int perClass(Options o) {
        if (!o.has("per-class")) {
            return 0;
        }
        int perClass = o.getInt("per-class", 0);
        if (perClass < 1) {
            throw new IllegalArgumentException("--per-class must be a positive number of training examples per class,"
                    + " got " + perClass + "; leave the option out to train on the whole set");
        }
        return perClass;
    }

    static int trainSize(Options o) {
        if (!o.has("train-size")) {
            return 0;
        }
        int trainSize = o.getInt("train-size", 0);
        if (trainSize < 1) {
            throw new IllegalArgumentException("--train-size must be a positive number of training examples, got "
                    + trainSize + "; leave the option out to train on the whole set");
        }
        return trainSize;
    }

    /** Largest move of {@code --augment shift}, in pixels (torchvision's RandomCrop(28, padding=2)). */
    static final int SHIFT_PIXELS = 2;
    /** Largest turn of {@code --augment rotate} either way, in degrees. */
    static final double ROTATE_DEGREES = 10;
    /** Kernel size of {@code --augment blur}, for images from MNIST's 28 x 28 up. */
    static final int BLUR_KERNEL = 3;
    private static final List<String> AUGMENTATIONS = List.of("shift", "flip", "crop", "rotate", "erase", "affine",
            "blur", "autoaugment", "randaugment", "trivialaugment", "augmix", "autoaugment-cifar10",
            "autoaugment-svhn");

    /**
     * {@code --augment}: none (default), or a comma-separated list of {@code shift} (random moves of up to
     * {@value #SHIFT_PIXELS} pixels), {@code flip} (horizontal, probability 0.5), {@code crop} (torchvision's
     * RandomCrop, padding {@link #cropPadding}), {@code rotate} (up to {@value #ROTATE_DEGREES} degrees either way),
     * {@code erase} (torchvision's RandomErasing with its defaults), {@code affine} ({@link #affine}), {@code blur}
     * (torchvision's GaussianBlur, kernel {@value #BLUR_KERNEL}, sigma 0.1 to 2) and torchvision's automatic
     * policies with their defaults, {@code autoaugment} (AutoAugment, IMAGENET policy), {@code randaugment},
     * {@code trivialaugment} (TrivialAugmentWide) and {@code augmix}, and AutoAugment's other policies,
     * {@code autoaugment-cifar10} and {@code autoaugment-svhn}, applied in the order given.
     *
     * @return the names, checked, in order; empty for none
     */
    static List<String> augmentations(String spec) {
        if (spec.equals("none")) {
            return List.of();
        }
        List<String> names = List.of(spec.split(",", -1));
        if (!AUGMENTATIONS.containsAll(names)) {
            throw new IllegalArgumentException("--augment takes none or a comma-separated list of shift, flip, crop,"
                    + " rotate, erase, affine, blur, autoaugment, randaugment, trivialaugment, augmix,"
                    + " autoaugment-cifar10 and autoaugment-svhn, got '" + spec + "'");
        }
        return names;
    }

    /**
     * The augmentations {@code names} of {@link #augmentations} one after the other, for examples of
     * {@code featureShape} [channels, height, width]; null for none.
     */
    static Augmentation augmentation(List<String> names, int[] featureShape) {
        Augmentation result = null;
        for (String name : names) {
            Augmentation next = switch (name) {
                case "shift" -> new RandomShift(SHIFT_PIXELS);
                case "flip" -> new RandomHorizontalFlip(0.5);
                case "crop" -> new RandomCrop(cropPadding(featureShape));
                case "rotate" -> new RandomRotation(ROTATE_DEGREES);
                case "erase" -> new RandomErasing();
                case "affine" -> affine();
                case "blur" -> new GaussianBlur(BLUR_KERNEL);
                case "autoaugment" -> new AutoAugment();
                case "randaugment" -> new RandAugment();
                case "trivialaugment" -> new TrivialAugmentWide();
                case "augmix" -> new AugMix();
                case "autoaugment-cifar10" -> new AutoAugment(AutoAugment.Policy.CIFAR10);
                case "autoaugment-svhn" -> new AutoAugment(AutoAugment.Policy.SVHN);
                default -> throw new IllegalArgumentException("--augment: no augmentation '" + name + "'");
            };
            result = result == null ? next : result.andThen(next);
        }
        return result;
    }

    /**
     * {@code --augment affine}: the common MNIST recipe, torchvision's {@code RandomAffine(degrees=10,
     * translate=(0.1, 0.1), scale=(0.9, 1.1), interpolation=BILINEAR)} (bilinear, as nearest reading of a scaled
     * image doubles or drops rows of pen strokes).
     */
    static RandomAffine affine() {
        return new RandomAffine(ROTATE_DEGREES).withTranslate(0.1, 0.1).withScale(0.9, 1.1)
                .withInterpolation(Interpolation.BILINEAR);
    }

    /**
     * Padding of {@code --augment crop}: 2 pixels for images up to 28 x 28 (MNIST), 4 for larger ones
     * (torchvision's CIFAR recipe, RandomCrop(32, padding=4)).
     */
    static int cropPadding(int[] featureShape) {
        if (featureShape.length < 2) {
            throw new IllegalArgumentException("--augment crop needs images [..., height, width], got examples of shape "
                    + Arrays.toString(featureShape));
        }
        int height = featureShape[featureShape.length - 2];
        int width = featureShape[featureShape.length - 1];
        return Math.max(height, width) <= 28 ? 2 : 4;
    }

    /**
     * {@code --mixup ALPHA} and {@code --cutmix ALPHA}: torchvision's {@code MixUp} or {@code CutMix} of every training
     * batch, or with both, as its classification recipe, {@code RandomChoice([cutmix, mixup])}: one of them for each
     * batch, with probability 1/2; null with neither.
     *
     * @param mixup  MixUp's alpha, or null
     * @param cutmix CutMix's alpha, or null
     * @throws IllegalArgumentException unless the examples are images [channels, height, width]
     */
    static BatchAugmentation batchAugmentation(Double mixup, Double cutmix, int[] featureShape, int classes) {
        if (mixup == null && cutmix == null) {
            return null;
        }
        if (featureShape.length != 3) {
            throw new IllegalArgumentException("--mixup and --cutmix mix images [channels, height, width], but the"
                    + " examples have shape " + Arrays.toString(featureShape));
        }
        if (mixup == null) {
            return new CutMix(cutmix, classes);
        }
        return cutmix == null ? new MixUp(mixup, classes)
                : new RandomBatchChoice(new CutMix(cutmix, classes), new MixUp(mixup, classes));
    }
}
