package dev.kiln.cli;

import dev.kiln.data.Dataset;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.train.LastLayerFeatures;
import dev.kiln.train.SummaryWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kiln train --tensorboard-embeddings N}: the trained model's features of the first N test examples for
 * TensorBoard's projector (PyTorch's {@code add_embedding}), tag {@code test}: the input of its last layer (else its
 * logits, see {@link LastLayerFeatures}), with each example's label and predicted class as metadata and, for images
 * of 1 or 3 channels, the images as the sprite.
 */
final class TensorBoardEmbeddings {
    private TensorBoardEmbeddings() {
    }

    /** Writes the embedding at {@code step} (N is capped at the test set's size) and prints where. */
    static void write(SummaryWriter board, Module model, ClassificationData.Split test, int n, long step,
                      PrintStream out) {
        Dataset data = test.data();
        int count = Math.min(n, data.size());
        LastLayerFeatures.Features f = LastLayerFeatures.of(model, data, count);
        List<List<String>> metadata = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            metadata.add(List.of(test.classNames().get((int) data.label(i)), test.classNames().get(f.predicted()[i])));
        }
        int[] shape = data.featureShape();
        boolean images = shape.length == 3 && (shape[0] == 1 || shape[0] == 3);
        Path dir;
        try (Tensor mat = Tensor.fromArray(f.features(), count, f.columns());
             Tensor sprite = images ? Tensor.fromArray(features(data, count), count, shape[0], shape[1], shape[2])
                     : null) {
            dir = board.addEmbedding(mat, List.of("label", "predicted"), metadata, sprite, step, "test");
        }
        out.printf("TensorBoard: the features of %d test %s (%s, %d wide) in %s%n", count, images ? "images"
                : "examples", f.lastLayer() ? "the input of the last layer" : "the logits", f.columns(), dir);
    }

    private static float[] features(Dataset data, int count) {
        int size = data.featureSize();
        float[] x = new float[count * size];
        for (int i = 0; i < count; i++) {
            data.copyFeatures(i, x, i * size);
        }
        return x;
    }
}
