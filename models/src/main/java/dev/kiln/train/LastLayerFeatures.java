package dev.kiln.train;

import dev.kiln.data.Dataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * The features a classifier's last layer classifies, for the embedding projector
 * ({@link SummaryWriter#addEmbedding}): the input of the last layer whose forward pass finishes, found with forward
 * hooks on every leaf module (as a PyTorch user reads {@code model.fc}'s input with {@code register_forward_hook}),
 * when that layer's output is the logits and its input is [n, D]; else the logits themselves (a model whose last step
 * is no module, or whose last layer takes more than a row per example). A leaf that hands its input on as its output
 * (Identity, a dropout in evaluation mode) is no layer here: of {@code fc} then {@code Dropout}, fc is the last.
 */
public final class LastLayerFeatures {
    /** Examples per forward pass. */
    private static final int BATCH = 256;

    /**
     * The features of examples 0 to {@code n - 1}.
     *
     * @param features   [n, columns] in row-major order
     * @param predicted  each example's class, the logits' argmax
     * @param lastLayer  whether the features are the last layer's input (else the logits)
     */
    public record Features(float[] features, int columns, int[] predicted, boolean lastLayer) {
    }

    private LastLayerFeatures() {
    }

    /**
     * Runs {@code model} in evaluation mode without gradients on {@code data}'s first {@code n} examples, in batches,
     * and restores its mode.
     *
     * @throws IllegalArgumentException when {@code n} is not in [1, data.size()]
     */
    public static Features of(Module model, Dataset data, int n) {
        if (n < 1 || n > data.size()) {
            throw new IllegalArgumentException("LastLayerFeatures: n must be from 1 to the data's " + data.size()
                    + " examples, got " + n);
        }
        boolean training = model.isTraining();
        List<Capture> captures = new ArrayList<>();
        List<HookHandle> hooks = new ArrayList<>();
        for (Module m : model.modules()) {
            if (m != model && m.children().isEmpty()) {
                hooks.add(m.registerForwardHook((module, in, out) -> {
                    if (out != in) {
                        captures.add(new Capture(in, out));
                    }
                    return null;
                }));
            }
        }
        try (Autograd.Guard g = Autograd.noGrad()) {
            model.eval();
            return run(model, data, n, captures);
        } finally {
            hooks.forEach(HookHandle::remove);
            model.train(training);
        }
    }

    /** A leaf module's input and output, as its forward hook saw them, where the output is another tensor. */
    private record Capture(Tensor input, Tensor output) {
    }

    private static Features run(Module model, Dataset data, int n, List<Capture> captures) {
        float[] features = null;
        int columns = 0;
        boolean lastLayer = false;
        int[] predicted = new int[n];
        int size = data.featureSize();
        for (int from = 0; from < n; from += BATCH) {
            int rows = Math.min(BATCH, n - from);
            float[] x = new float[rows * size];
            for (int i = 0; i < rows; i++) {
                data.copyFeatures(from + i, x, i * size);
            }
            captures.clear();
            try (Scope s = Scope.open()) {
                Tensor logits = model.call(Tensor.fromArray(x, batchShape(rows, data.featureShape())));
                float[] scores = logits.toFloatArray();
                int classes = logits.dim(1);
                argmax(scores, classes, predicted, from);
                Tensor lastInput = lastLayerInput(captures, logits);
                if (from == 0) {
                    lastLayer = lastInput != null;
                    columns = lastLayer ? lastInput.dim(1) : classes;
                    features = new float[n * columns];
                } else if (lastLayer && lastInput == null) {
                    throw new IllegalStateException("LastLayerFeatures: the last layer ran for the first batch only");
                }
                Tensor chosen = lastLayer ? lastInput : logits;
                System.arraycopy(chosen.toFloatArray(), 0, features, from * columns, rows * columns);
            }
        }
        return new Features(features, columns, predicted, lastLayer);
    }

    /** The last capture's input when its output is the logits' shape and its input a row per example; else null. */
    private static Tensor lastLayerInput(List<Capture> captures, Tensor logits) {
        if (captures.isEmpty()) {
            return null;
        }
        Capture last = captures.get(captures.size() - 1);
        boolean logitsOut = last.output().shape().equals(logits.shape());
        boolean rows = last.input().rank() == 2 && last.input().dim(0) == logits.dim(0);
        return logitsOut && rows ? last.input() : null;
    }

    private static int[] batchShape(int rows, int[] featureShape) {
        int[] shape = new int[featureShape.length + 1];
        shape[0] = rows;
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        return shape;
    }

    private static void argmax(float[] scores, int classes, int[] predicted, int from) {
        for (int i = 0; i < scores.length / classes; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (scores[i * classes + c] > scores[i * classes + best]) {
                    best = c;
                }
            }
            predicted[from + i] = best;
        }
    }
}
