package dev.kiln.zoo;

import dev.kiln.data.CharVocabulary;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Recurrent;
import dev.kiln.nn.RecurrentOutput;
import dev.kiln.nn.RecurrentState;
import dev.kiln.train.DeviceSum;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A character-level language model of single words: {@code embedding} (padding row {@link CharVocabulary#PAD}),
 * a time-first stacked {@code lstm} with dropout between layers, and {@code fc} to one score per vocabulary
 * id. A word w of n characters is read as END, w1, ..., wn and must predict w1, ..., wn, END: n + 1
 * predictions, so the model also learns where words stop. Perplexity per character is
 * {@code exp(loss)} with the loss of {@link #loss}.
 */
public class CharLanguageModel extends Module {
    private final CharVocabulary vocabulary;

    public CharLanguageModel(CharVocabulary vocabulary, int embeddingDim, int hidden, int layers, double dropout) {
        this.vocabulary = vocabulary;
        registerModule("embedding", new Embedding(vocabulary.size(), embeddingDim, CharVocabulary.PAD));
        Recurrent lstm = registerModule("lstm", LSTM.builder(embeddingDim, hidden).layers(layers).dropout(dropout).build());
        registerModule("fc", new Linear(hidden, vocabulary.size()));
    }

    public CharVocabulary vocabulary() {
        return vocabulary;
    }

    /** Scores [T, B, vocabulary] for ids [T, B] (I64), every step of full-length sequences. */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.rank() != 2) {
            throw new IllegalArgumentException("CharLanguageModel: ids " + ids.shape() + " must be [time, batch]");
        }
        return module("fc").call(lstm().call(module("embedding").call(ids)));
    }

    /**
     * Mean cross-entropy in nats per predicted character over {@code words} (each word's characters and its
     * end), a scalar; padding is never scored. Multiply by {@link #predictions} for the sum.
     */
    public Tensor loss(List<String> words) {
        Batch b = batch(words);
        RecurrentOutput out = lstm().forward(module("embedding").call(b.inputs), null, b.lengths);
        int hidden = lstm().hiddenSize();
        Tensor real = out.output().reshape(-1, hidden).indexSelect(0, b.positions);
        return F.crossEntropy(module("fc").call(real), b.targets);
    }

    /** How many characters {@link #loss} scores for {@code words}: their lengths plus one end each. */
    public static long predictions(List<String> words) {
        long n = 0;
        for (String w : words) {
            n += w.length() + 1;
        }
        return n;
    }

    /** Inputs [T, B] padded, lengths, the flat indices t * B + b of real steps, and their targets. */
    private record Batch(Tensor inputs, int[] lengths, Tensor positions, Tensor targets) {
    }

    private Batch batch(List<String> words) {
        int batch = words.size();
        if (batch == 0) {
            throw new IllegalArgumentException("CharLanguageModel: no words");
        }
        int[] lengths = new int[batch];
        int steps = 0;
        for (int b = 0; b < batch; b++) {
            lengths[b] = words.get(b).length() + 1;
            steps = Math.max(steps, lengths[b]);
        }
        long[] inputs = new long[steps * batch];
        int n = Math.toIntExact(predictions(words));
        long[] positions = new long[n];
        long[] targets = new long[n];
        int k = 0;
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                if (t >= lengths[b]) {
                    continue;
                }
                String w = words.get(b);
                inputs[t * batch + b] = t == 0 ? CharVocabulary.END : vocabulary.id(w.charAt(t - 1));
                positions[k] = (long) t * batch + b;
                targets[k] = t < w.length() ? vocabulary.id(w.charAt(t)) : CharVocabulary.END;
                k++;
            }
        }
        return new Batch(Tensor.fromArray(inputs, steps, batch), lengths, Tensor.fromArray(positions, n),
                Tensor.fromArray(targets, n));
    }

    /**
     * {@code count} new words drawn one character at a time from the model's distribution sharpened by
     * {@code temperature} (1: as learned; lower: more likely characters), each stopping at the end marker
     * or after {@code maxLength} characters. Runs in evaluation mode (restored afterwards) without
     * gradients; the same seed gives the same words.
     */
    public List<String> sample(int count, double temperature, int maxLength, long seed) {
        if (count < 1 || maxLength < 1 || !(temperature > 0)) {
            throw new IllegalArgumentException("sample: needs count and maxLength >= 1 and temperature > 0, got " + count
                    + ", " + maxLength + ", " + temperature);
        }
        boolean wasTraining = isTraining();
        eval();
        Random random = new Random(seed);
        StringBuilder[] words = new StringBuilder[count];
        boolean[] done = new boolean[count];
        for (int i = 0; i < count; i++) {
            words[i] = new StringBuilder();
        }
        long[] ids = new long[count];
        Arrays.fill(ids, CharVocabulary.END);
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            RecurrentState state = null;
            for (int t = 0; t < maxLength; t++) {
                Tensor x = module("embedding").call(Tensor.fromArray(ids, 1, count));
                RecurrentOutput out = lstm().forward(x, state);
                state = out.state();
                double[] scores = module("fc").call(out.output().reshape(count, lstm().hiddenSize())).toDoubleArray();
                boolean all = true;
                for (int i = 0; i < count; i++) {
                    int next = draw(scores, i * vocabulary.size(), vocabulary.size(), temperature, random);
                    if (!done[i]) {
                        if (next == CharVocabulary.END) {
                            done[i] = true;
                        } else {
                            words[i].append(vocabulary.character(next));
                        }
                    }
                    ids[i] = next;
                    all &= done[i];
                }
                if (all) {
                    break;
                }
            }
        } finally {
            train(wasTraining);
        }
        List<String> out = new ArrayList<>();
        for (StringBuilder w : words) {
            out.add(w.toString());
        }
        return out;
    }

    /** An id drawn from softmax(scores / temperature) over ids 1.. (padding is never drawn). */
    private static int draw(double[] scores, int from, int size, double temperature, Random random) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 1; j < size; j++) {
            max = Math.max(max, scores[from + j]);
        }
        double[] p = new double[size];
        double sum = 0;
        for (int j = 1; j < size; j++) {
            p[j] = Math.exp((scores[from + j] - max) / temperature);
            sum += p[j];
        }
        double u = random.nextDouble() * sum;
        for (int j = 1; j < size; j++) {
            u -= p[j];
            if (u <= 0) {
                return j;
            }
        }
        return size - 1;
    }

    /** Per-character perplexity of {@code words} in batches of {@code batchSize}, in evaluation mode, no gradients. */
    public double perplexity(List<String> words, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("CharLanguageModel.perplexity: batchSize must be at least 1, got " + batchSize);
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("CharLanguageModel.perplexity: needs at least one word, got an empty list");
        }
        boolean wasTraining = isTraining();
        eval();
        try (Autograd.Guard g = Autograd.noGrad(); DeviceSum nats = new DeviceSum()) {
            for (int i = 0; i < words.size(); i += batchSize) {
                List<String> part = words.subList(i, Math.min(words.size(), i + batchSize));
                try (Scope s = Scope.open()) {
                    nats.add(loss(part), predictions(part));
                }
            }
            return Math.exp(nats.read() / predictions(words));
        } finally {
            train(wasTraining);
        }
    }

    /**
     * The recurrent layer, read through {@code module(name)} so that a copy ({@link Module#copy}, an averaged or a
     * quantised model) runs its own.
     */
    private Recurrent lstm() {
        return (Recurrent) module("lstm");
    }
}
