package dev.kiln.cli;

import dev.kiln.data.Augmentation;
import dev.kiln.data.Dataset;
import dev.kiln.data.Datasets;
import dev.kiln.data.RandomHorizontalFlip;
import dev.kiln.data.RandomShift;
import java.nio.file.Path;

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
            return trainSize > 0 ? Datasets.take(train, trainSize, seed) : train;
        }
    }

    static Sampling sampling(Options o) {
        int trainSize = trainSize(o);
        int perClass = o.getInt("per-class", 0);
        if (perClass < 0) {
            throw new IllegalArgumentException("--per-class must be positive, or 0 for all training images, got "
                    + perClass);
        }
        if (trainSize > 0 && perClass > 0) {
            throw new IllegalArgumentException("give --train-size or --per-class, not both");
        }
        return new Sampling(trainSize, perClass);
    }

    /** {@code --train-size N}: how many of the training images to train on, 0 (the default) for all. */
    static int trainSize(Options o) {
        int trainSize = o.getInt("train-size", 0);
        if (trainSize < 0) {
            throw new IllegalArgumentException("--train-size must be positive, or 0 for all, got "
                    + trainSize);
        }
        return trainSize;
    }

    /** Largest move of {@code --augment shift}, in pixels (torchvision's RandomCrop(28, padding=2)). */
    static final int SHIFT_PIXELS = 2;

    /**
     * {@code --augment}: none (default), or a comma-separated list of {@code shift} (random moves of up to
     * {@value #SHIFT_PIXELS} pixels) and {@code flip} (horizontal, probability 0.5), applied in that order.
     *
     * @return the augmentation, or null for none
     */
    static Augmentation augmentation(String spec) {
        if (spec.equals("none")) {
            return null;
        }
        Augmentation result = null;
        for (String name : spec.split(",", -1)) {
            Augmentation next = switch (name) {
                case "shift" -> new RandomShift(SHIFT_PIXELS);
                case "flip" -> new RandomHorizontalFlip(0.5);
                default -> throw new IllegalArgumentException("--augment takes none or a comma-separated list of shift"
                        + " and flip, got '" + spec + "'");
            };
            result = result == null ? next : result.andThen(next);
        }
        return result;
    }
}
