package dev.kiln.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One of several batch augmentations, chosen with equal probability for each batch, as torchvision's
 * {@code RandomChoice([cutmix, mixup])} of its classification recipe. The choice is drawn first from the random
 * stream, then the chosen augmentation's own draws.
 */
public final class RandomBatchChoice implements BatchAugmentation {
    private final List<BatchAugmentation> choices;

    /**
     * @param choices one or more augmentations, all giving targets of the same classes
     */
    public RandomBatchChoice(BatchAugmentation... choices) {
        if (choices.length == 0) {
            throw new IllegalArgumentException("RandomBatchChoice: give at least one augmentation to choose from");
        }
        this.choices = List.of(choices);
        for (BatchAugmentation c : choices) {
            if (c.classes() != choices[0].classes()) {
                throw new IllegalArgumentException("RandomBatchChoice: every choice must give targets of the same"
                        + " classes, but " + choices[0] + " gives " + choices[0].classes() + " and " + c + " gives "
                        + c.classes());
            }
        }
    }

    public List<BatchAugmentation> choices() {
        return choices;
    }

    @Override
    public int classes() {
        return choices.get(0).classes();
    }

    @Override
    public float[] apply(float[] features, long[] labels, int[] shape, SplittableRandom random) {
        return choices.get(random.nextInt(choices.size())).apply(features, labels, shape, random);
    }

    @Override
    public String toString() {
        return "RandomBatchChoice(" + choices + ")";
    }
}
