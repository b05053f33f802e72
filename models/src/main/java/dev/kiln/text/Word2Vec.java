package dev.kiln.text;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.Optimizers;
import dev.kiln.train.DeviceSum;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Word2vec (Mikolov et al. 2013) with negative sampling, written with the engine's tensor ops: skip-gram
 * (a word predicts each word of its window) or CBOW (the mean of the window predicts the word). Each
 * (input, target) pair is scored against the target and {@code negatives} words drawn from the unigram^0.75
 * table, less any negative that is the target itself; the loss is {@code -log s(u_t . v) - sum log s(-u_n . v)}
 * summed over the batch, minimised by SGD whose learning rate falls linearly with the words read, to 1/10,000 of
 * its start after the last, as in the original C code. Frequent words are subsampled, and every window is
 * shortened to a uniform 1..window, also as there.
 *
 * <p>Input vectors start uniform in +-0.5/dim, output vectors at zero. The input vectors are the embeddings.
 */
public final class Word2Vec {
    /** Skip-gram or continuous bag of words. */
    public enum Mode { SKIPGRAM, CBOW }

    /**
     * @param subsample threshold t of the subsampling of frequent words (1e-3 in the C code; 0 keeps all)
     * @param batch     (input, target) pairs per update
     */
    public record Config(Mode mode, int dim, int window, int negatives, int minCount, double subsample,
                         double learningRate, int epochs, int batch, long seed) {
        public Config {
            if (dim < 1 || window < 1 || negatives < 1 || minCount < 1 || epochs < 1 || batch < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("Word2Vec: dim, window, negatives, minCount, epochs and batch must be"
                        + " at least 1 and the learning rate positive, got " + this);
            }
        }

        /** Skip-gram, 100 dimensions, window 5, 5 negatives, min count 5, t = 1e-3, lr 0.025, 3 epochs, batches of 4,096 pairs. */
        public static Config defaults() {
            return new Config(Mode.SKIPGRAM, 100, 5, 5, 5, 1e-3, 0.025, 3, 4096, 1);
        }
    }

    /**
     * Progress after a batch: epoch (1-based), words read so far in all epochs (before subsampling) out of the
     * corpus's words times the epochs, the learning rate of the batch, and the mean loss per pair since the last
     * report.
     */
    public record Progress(int epoch, long wordsDone, long wordsPlanned, double learningRate, double meanLoss) {
    }

    private static final int TABLE_SIZE = 10_000_000;
    private static final int REPORT_EVERY = 200;

    private Word2Vec() {
    }

    /**
     * Trains vectors for the words of {@code vocabulary} on {@code corpus}; {@code progress} receives a report
     * every 200 batches and at the end of each epoch.
     */
    public static WordVectors train(Corpus corpus, Vocabulary vocabulary, Config config, Consumer<Progress> progress) {
        if (vocabulary.size() < 2) {
            throw new IllegalArgumentException("Word2Vec: the vocabulary has " + vocabulary.size()
                    + " words; lower the minimum count or give a bigger corpus");
        }
        Engine.seed(config.seed());
        int[][] sentences = encode(corpus, vocabulary);
        int[] table = vocabulary.unigramTable(TABLE_SIZE);
        int v = vocabulary.size();
        int d = config.dim();
        Tensor input = Scope.outside(() -> Tensor.uniform(-0.5 / d, 0.5 / d, DType.F32, v, d)).requiresGrad(true);
        Tensor output = Scope.outside(() -> Tensor.zeros(DType.F32, v, d)).requiresGrad(true);
        long plannedWords = java.util.Arrays.stream(sentences).mapToLong(x -> x.length).sum() * config.epochs();
        // The losses since the last report, summed on the device: read every REPORT_EVERY steps, not at each one.
        try (Optimizer sgd = Optimizers.create("sgd", List.of(input, output), config.learningRate());
             DeviceSum lossSum = new DeviceSum()) {
            int longest = java.util.Arrays.stream(sentences).mapToInt(x -> x.length).max().orElse(0);
            Batcher batcher = new Batcher(config, vocabulary, table, longest);
            long done = 0;
            double rate = config.learningRate();
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                SplittableRandom random = new SplittableRandom(config.seed() * 1_000_003L + epoch);
                long lossPairs = 0;
                int batches = 0;
                for (int[] sentence : shuffled(sentences, random)) {
                    batcher.add(sentence, random);
                    done += sentence.length;
                    while (batcher.ready()) {
                        rate = learningRate(config, done, plannedWords);
                        sgd.setLearningRate(rate);
                        lossPairs += batcher.pending();
                        step(batcher, input, output, sgd, random, lossSum);
                        if (++batches % REPORT_EVERY == 0) {
                            progress.accept(new Progress(epoch, done, plannedWords, rate, lossSum.readAndReset() / lossPairs));
                            lossPairs = 0;
                        }
                    }
                }
                if (batcher.pending() > 0) {
                    rate = learningRate(config, done, plannedWords);
                    sgd.setLearningRate(rate);
                    lossPairs += batcher.pending();
                    step(batcher, input, output, sgd, random, lossSum);
                }
                double sum = lossSum.readAndReset();
                progress.accept(new Progress(epoch, done, plannedWords, rate, lossPairs == 0 ? Double.NaN : sum / lossPairs));
            }
            return new WordVectors(vocabulary, input.toFloatArray(), d);
        } finally {
            input.close();
            output.close();
        }
    }

    private static int[][] encode(Corpus corpus, Vocabulary vocabulary) {
        List<int[]> out = new ArrayList<>();
        for (String[] sentence : corpus.sentences()) {
            int[] ids = java.util.Arrays.stream(sentence).mapToInt(vocabulary::indexOf).filter(i -> i >= 0).toArray();
            if (ids.length > 1) {
                out.add(ids);
            }
        }
        return out.toArray(int[][]::new);
    }

    private static List<int[]> shuffled(int[][] sentences, SplittableRandom random) {
        List<int[]> list = new ArrayList<>(List.of(sentences));
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int[] t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
        return list;
    }

    /**
     * The start rate times {@code 1 - wordsDone / plannedWords}, never below 1/10,000 of it: word_count_actual /
     * (iter * train_words) of the C code, which counts the words read before subsampling.
     */
    private static double learningRate(Config config, long wordsDone, long plannedWords) {
        double fraction = wordsDone / (double) Math.max(1, plannedWords);
        return config.learningRate() * Math.max(1e-4, 1 - fraction);
    }

    /**
     * One SGD step on the batcher's pairs; adds their summed loss to {@code lossSum} (on the device). Skip-gram:
     * input = the centre word's vector. CBOW: input = the mean of the window's vectors (a weighted sum with weights
     * 1/count, 0 in padding).
     */
    private static void step(Batcher b, Tensor input, Tensor output, Optimizer sgd, SplittableRandom random,
                             DeviceSum lossSum) {
        try (Scope s = Scope.open()) {
            int n = b.pending();
            int k = b.negatives;
            int width = b.inputWidth();
            Tensor inputIds = Tensor.fromArray(java.util.Arrays.copyOf(b.inputs, n * width), n * width);
            Tensor weights = Tensor.fromArray(java.util.Arrays.copyOf(b.weights, n * width), n, width, 1);
            Tensor hidden = input.indexSelect(0, inputIds).reshape(n, width, input.dim(1)).mul(weights).sum(1, false);
            long[] targets = new long[n * (1 + k)];
            float[] signs = new float[n * (1 + k)];
            // A negative that is the target itself is skipped, as in the C code and gensim: its term weighs 0.
            float[] used = new float[n * (1 + k)];
            for (int p = 0; p < n; p++) {
                targets[p * (1 + k)] = b.targets[p];
                signs[p * (1 + k)] = 1;
                used[p * (1 + k)] = 1;
                for (int j = 1; j <= k; j++) {
                    int negative = b.table[random.nextInt(b.table.length)];
                    targets[p * (1 + k) + j] = negative;
                    signs[p * (1 + k) + j] = -1;
                    used[p * (1 + k) + j] = negative == b.targets[p] ? 0 : 1;
                }
            }
            Tensor u = output.indexSelect(0, Tensor.fromArray(targets, targets.length)).reshape(n, 1 + k, input.dim(1));
            Tensor z = u.mul(hidden.reshape(n, 1, input.dim(1))).sum(2, false).mul(Tensor.fromArray(signs, n, 1 + k));
            Tensor loss = F.softplus(z.neg()).mul(Tensor.fromArray(used, n, 1 + k)).sum();
            sgd.zeroGrad();
            loss.backward();
            sgd.step();
            b.clear();
            lossSum.add(loss, 1);
        }
    }

    /** Turns sentences into (input, target) pairs, a batch at a time. */
    private static final class Batcher {
        final Config config;
        final Vocabulary vocabulary;
        final int[] table;
        final int negatives;
        final long[] inputs;
        final float[] weights;
        final long[] targets;
        int count;

        /** Room for a full batch plus every pair of the longest sentence, so that no pair is ever dropped. */
        Batcher(Config config, Vocabulary vocabulary, int[] table, int longestSentence) {
            this.config = config;
            this.vocabulary = vocabulary;
            this.table = table;
            this.negatives = config.negatives();
            int perWord = config.mode() == Mode.SKIPGRAM ? 2 * config.window() : 1;
            int capacity = config.batch() + longestSentence * perWord;
            this.inputs = new long[capacity * inputWidth()];
            this.weights = new float[capacity * inputWidth()];
            this.targets = new long[capacity];
        }

        int inputWidth() {
            return config.mode() == Mode.SKIPGRAM ? 1 : 2 * config.window();
        }

        int pending() {
            return count;
        }

        boolean ready() {
            return count >= config.batch();
        }

        void clear() {
            count = 0;
        }

        /** Adds the pairs of one sentence (called only when the batch is not yet full). */
        void add(int[] sentence, SplittableRandom random) {
            int[] kept = java.util.Arrays.stream(sentence)
                    .filter(w -> random.nextDouble() < vocabulary.keepProbability(w, config.subsample())).toArray();
            for (int centre = 0; centre < kept.length; centre++) {
                int reach = 1 + random.nextInt(config.window());
                int from = Math.max(0, centre - reach);
                int to = Math.min(kept.length - 1, centre + reach);
                if (config.mode() == Mode.SKIPGRAM) {
                    for (int c = from; c <= to; c++) {
                        if (c != centre) {
                            inputs[count] = kept[centre];
                            weights[count] = 1;
                            targets[count++] = kept[c];
                        }
                    }
                } else if (to > from) {
                    int width = inputWidth();
                    int slots = 0;
                    for (int c = from; c <= to; c++) {
                        if (c != centre) {
                            inputs[count * width + slots++] = kept[c];
                        }
                    }
                    for (int j = 0; j < width; j++) {
                        weights[count * width + j] = j < slots ? 1f / slots : 0f;
                        if (j >= slots) {
                            inputs[count * width + j] = 0;
                        }
                    }
                    targets[count++] = kept[centre];
                }
            }
        }
    }
}
