package dev.kiln.zoo;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Recurrent;

/**
 * Classifies a sample read as a sequence (W3 of the benchmark protocol: an MNIST image's 28 rows as 28
 * steps of 28 pixels): input [batch, ...] of {@code steps * features} values per sample, e.g.
 * [batch, 1, 28, 28] or [batch, 784], is viewed as [batch, steps, features]; a time-first, one-directional
 * recurrent layer {@code rnn} runs over the steps; its output at the last step (its top layer's h_n) goes
 * through optional dropout and {@code fc} to scores [batch, classes].
 */
public class SequenceClassifier extends Module {
    private final int steps;
    private final int features;

    /**
     * @param rnn         time-first and one-directional, with input size {@code features}
     * @param dropoutProb dropout on the last hidden state before {@code fc} (0 for none)
     */
    public SequenceClassifier(Recurrent rnn, int steps, int features, int classes, double dropoutProb) {
        if (rnn.isBatchFirst() || rnn.directions() != 1 || rnn.inputSize() != features) {
            throw new IllegalArgumentException("SequenceClassifier: needs a time-first one-directional layer of input size "
                    + features + ", got " + rnn);
        }
        registerModule("rnn", rnn);
        if (dropoutProb > 0) {
            registerModule("dropout", new Dropout(dropoutProb));
        }
        registerModule("fc", new Linear(rnn.hiddenSize(), classes));
        this.steps = steps;
        this.features = features;
    }

    /** Steps each sample is read as. */
    public int steps() {
        return steps;
    }

    /** Features of each step. */
    public int features() {
        return features;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor rows = SampleSequences.view("SequenceClassifier", x, steps, features);
        int batch = x.dim(0);
        // Read through module(name), so that a copy or a quantised copy (Quantization.quantizeDynamic) runs its own.
        Recurrent rnn = (Recurrent) module("rnn");
        Module dropout = module("dropout");
        // The layer runs time-first: transposing the small input is cheaper than the output of every step.
        Tensor sequence = rows.transpose(0, 1);
        Tensor last = rnn.call(sequence).narrow(0, steps - 1, 1).reshape(batch, rnn.hiddenSize());
        return module("fc").call(dropout == null ? last : dropout.call(last));
    }
}
