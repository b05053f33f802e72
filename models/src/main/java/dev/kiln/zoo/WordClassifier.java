package dev.kiln.zoo;

import dev.kiln.data.CharVocabulary;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Recurrent;
import dev.kiln.nn.RecurrentOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifies words from their spelling: {@code embedding} of the characters (padding row
 * {@link CharVocabulary#PAD}), a one-layer time-first {@code lstm}, one- or two-directional, over each word's
 * real characters, and {@code fc} from the final states to class scores. One-directional, the features are
 * the state after the last letter [batch, H]; bidirectional, that state concatenated with the backward
 * direction's state after the first letter [batch, 2H], so both ends of the word are read last by one
 * direction.
 */
public class WordClassifier extends Module {
    private final CharVocabulary vocabulary;

    public WordClassifier(CharVocabulary vocabulary, int embeddingDim, int hidden, boolean bidirectional, int classes) {
        this.vocabulary = vocabulary;
        registerModule("embedding", new Embedding(vocabulary.size(), embeddingDim, CharVocabulary.PAD));
        Recurrent lstm = registerModule("lstm", LSTM.builder(embeddingDim, hidden).bidirectional(bidirectional).build());
        registerModule("fc", new Linear(hidden * lstm.directions(), classes));
    }

    public CharVocabulary vocabulary() {
        return vocabulary;
    }

    /** Scores [batch, classes] for ids [time, batch] (I64) of full-length words. */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.rank() != 2) {
            throw new IllegalArgumentException("WordClassifier: ids " + ids.shape() + " must be [time, batch]");
        }
        return classify(ids, null);
    }

    /** Scores [words, classes] for {@code words} (at least one character each), padded into one batch. */
    public Tensor scores(List<String> words) {
        int batch = words.size();
        int[] lengths = new int[batch];
        int steps = 0;
        for (int b = 0; b < batch; b++) {
            lengths[b] = words.get(b).length();
            if (lengths[b] == 0) {
                throw new IllegalArgumentException("WordClassifier: word " + b + " is empty");
            }
            steps = Math.max(steps, lengths[b]);
        }
        long[] ids = new long[steps * batch];
        for (int b = 0; b < batch; b++) {
            int[] encoded = vocabulary.encode(words.get(b));
            for (int t = 0; t < encoded.length; t++) {
                ids[t * batch + b] = encoded[t];
            }
        }
        return classify(Tensor.fromArray(ids, steps, batch), lengths);
    }

    private Tensor classify(Tensor ids, int[] lengths) {
        RecurrentOutput out = lstm().forward(module("embedding").call(ids), null, lengths);
        int batch = ids.dim(1);
        int hidden = lstm().hiddenSize();
        List<Tensor> finals = new ArrayList<>();
        for (int d = 0; d < lstm().directions(); d++) {
            finals.add(out.hN().narrow(0, d, 1).reshape(batch, hidden));
        }
        Tensor features = finals.size() == 1 ? finals.get(0) : Tensor.cat(finals, 1);
        return module("fc").call(features);
    }

    /**
     * The recurrent layer, read through {@code module(name)} so that a copy ({@link Module#copy}, an averaged or a
     * quantised model) runs its own.
     */
    private Recurrent lstm() {
        return (Recurrent) module("lstm");
    }
}
