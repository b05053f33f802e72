package dev.kiln.cli;

import dev.kiln.nn.Module;
import dev.kiln.zoo.Zoo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classifiers {@code kiln train MODEL} builds for a data set's feature shape: {@code mlp} for any shape,
 * {@code resnet18} for any image [channels, height, width], and the zoo's other models for MNIST's [1, 28, 28] only.
 */
final class ClassifierModels {
    private static final int[] MNIST_SHAPE = {1, 28, 28};
    private static final String RESNET18 = "resnet18";

    private ClassifierModels() {
    }

    /** The models {@link #create} builds. */
    static List<String> names() {
        List<String> names = new ArrayList<>(Zoo.names());
        names.add(RESNET18);
        return List.copyOf(names);
    }

    /**
     * A new model with fresh weights: [N, featureShape...] features to [N, classes] logits.
     *
     * @param data the {@code --data} the features come from, for the errors
     * @throws IllegalArgumentException when the model cannot read features of this shape, naming the shape it needs
     *                                  and the one {@code data} gives
     */
    static Module create(String model, int[] featureShape, int classes, double dropout, String data) {
        if (model.equals(RESNET18)) {
            if (featureShape.length != 3) {
                throw new IllegalArgumentException("resnet18 takes images [channels, height, width]; --data " + data
                        + " gives features of shape " + Arrays.toString(featureShape) + csvShapeHint(featureShape));
            }
            if (dropout > 0) {
                throw new IllegalArgumentException("resnet18 regularises with batch norm and takes no --dropout, got "
                        + dropout);
            }
            return Zoo.resnet18(featureShape[0], classes);
        }
        if (!model.equals("mlp") && Zoo.names().contains(model) && !Arrays.equals(featureShape, MNIST_SHAPE)) {
            throw new IllegalArgumentException(model + " takes MNIST-shaped images " + Arrays.toString(MNIST_SHAPE)
                    + "; --data " + data + " gives features of shape " + Arrays.toString(featureShape)
                    + (features(featureShape) == features(MNIST_SHAPE) && featureShape.length == 1
                    ? "; give --shape 1,28,28" : "; train mlp (any shape) or resnet18 (any image) on it"));
        }
        if (!Zoo.names().contains(model)) {
            throw new IllegalArgumentException("unknown model '" + model + "'; known: " + names());
        }
        return Zoo.create(model, features(featureShape), classes, dropout);
    }

    private static int features(int[] shape) {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    private static String csvShapeHint(int[] featureShape) {
        return featureShape.length == 1 ? "; give --shape C,H,W for rows that hold images" : "";
    }
}
