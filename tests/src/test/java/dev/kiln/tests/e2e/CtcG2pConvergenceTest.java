package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.CharVocabulary;
import dev.kiln.data.DataDirectory;
import dev.kiln.data.Datasets;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.g2p.ErrorRates;
import dev.kiln.g2p.G2pData;
import dev.kiln.g2p.G2pTraining;
import dev.kiln.g2p.PhonemeVocabulary;
import dev.kiln.g2p.Pronunciation;
import dev.kiln.nn.CTCLoss;
import dev.kiln.nn.CtcDecoding;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link CTCLoss} end to end on real CMUdict: letters to phonemes without attention or a decoder. A bidirectional
 * LSTM reads the letters (embedding 32, hidden 64 each way), a Linear maps each letter's state to the phonemes and
 * the blank, and CTC aligns the phonemes with the letters; greedy decoding ({@link CtcDecoding#greedy}) reads the
 * held-out words. CTC emits at most one label per letter, so words whose phonemes (plus a blank between repeated
 * ones) outnumber their letters cannot be aligned: they are left out of training and evaluation (1.8% of the
 * training words, e.g. "ax" -> AE1 K S). One pass over 38,400 training words (batch 64, Adam 1e-2 cosine-annealed,
 * gradients clipped at norm 5), then the phoneme error rate of greedy decoding on the first 1,000 alignable
 * validation words.
 */
class CtcG2pConvergenceTest {
    /**
     * The highest validation phoneme error rate that passes. Measured with seeds 1-3: 0.1856, 0.1845, 0.1819 (the
     * untrained model: 1.0065); training 6-15 s on the shared 2-core machine. Broken recursions measured with seed 1:
     * each step adding the previous step's log-probabilities (an off-by-one) 0.2801; alpha detached between steps
     * (the gradient through the recursion lost) 0.4603; skips allowed from every position (labels may be left
     * out) 0.6892. 0.23 sits 4.4 points above the worst correct run and 5 under the off-by-one.
     */
    static final double MAX_PER = 0.23;
    private static final int TRAINING_WORDS = 38_400;
    private static final int BATCH = 64;
    private static final int HELD_OUT = 1000;
    private static final double LR = 1e-2;

    @Test
    void aBidirectionalLstmWithCtcLearnsLettersToPhonemes() throws IOException {
        G2pData data = cmudict();
        List<Pronunciation> train = alignable(data.train()).subList(0, TRAINING_WORDS);
        List<Pronunciation> heldOut = alignable(data.validation()).subList(0, HELD_OUT);
        Engine.seed(1);
        try (Tagger model = new Tagger(data.letters().size(), data.phonemes().size());
             Adam adam = new Adam(model.trainableParameters(), LR)) {
            double untrained = phonemeErrorRate(model, data, heldOut);
            long start = System.nanoTime();
            double[] losses = train(model, adam, data, train);
            double seconds = (System.nanoTime() - start) / 1e9;
            double trained = phonemeErrorRate(model, data, heldOut);
            System.out.printf("CTC g2p, one pass over %,d alignable CMUdict words (%,d of %,d training words alignable):"
                    + " validation PER %.4f on %,d words (untrained %.4f), loss %.3f over the first 10 batches, %.3f"
                    + " over the last 10, training %.1f s, backend %s%n", train.size(), alignable(data.train()).size(),
                    data.train().size(), trained, heldOut.size(), untrained, mean(losses, 0, 10),
                    mean(losses, losses.length - 10, losses.length), seconds, Engine.get().backend().name());
            assertTrue(trained <= MAX_PER, "validation PER " + trained + " is above " + MAX_PER);
        }
    }

    private static G2pData cmudict() throws IOException {
        try {
            return G2pData.load(null);
        } catch (DataDirectory.DataMissingException e) {
            System.out.println("SKIPPED CtcG2pConvergenceTest: " + e.getMessage());
            return Assumptions.abort("CMUdict is not available: " + e.getMessage());
        }
    }

    /** The words whose phonemes, with a blank between each repeated pair, fit in one step per letter. */
    static List<Pronunciation> alignable(List<Pronunciation> words) {
        List<Pronunciation> kept = new ArrayList<>();
        for (Pronunciation p : words) {
            int needed = p.phonemes().size();
            for (int i = 1; i < p.phonemes().size(); i++) {
                needed += p.phonemes().get(i).equals(p.phonemes().get(i - 1)) ? 1 : 0;
            }
            if (needed <= p.word().length()) {
                kept.add(p);
            }
        }
        return kept;
    }

    /** One pass in batches of words of similar length, the rate cosine-annealed; each batch's loss. */
    private static double[] train(Tagger model, Optimizer adam, G2pData data, List<Pronunciation> words) {
        List<List<Pronunciation>> batches = Datasets.lengthBatches(words, p -> p.word().length(), BATCH, 1);
        CTCLoss ctc = new CTCLoss(Tagger.BLANK, Reduction.MEAN, false);
        double[] losses = new double[batches.size()];
        model.train();
        int step = 0;
        for (int b : Datasets.permutation(batches.size(), 1)) {
            G2pTraining.setLearningRate(adam, G2pTraining.cosine(LR, step, batches.size()));
            try (Scope scope = Scope.open()) {
                Batch batch = Batch.of(batches.get(b), data.letters(), data.phonemes());
                Tensor loss = ctc.compute(model.logProbs(batch.letters(), batch.lengths()), batch.targets(),
                        batch.lengths(), batch.targetLengths());
                loss.backward();
                Optimizer.clipGradNorm(model.trainableParameters(), 5);
                adam.step();
                adam.zeroGrad();
                losses[step++] = loss.item();
            }
        }
        return losses;
    }

    private static double phonemeErrorRate(Tagger model, G2pData data, List<Pronunciation> words) {
        model.eval();
        List<int[]> predicted = new ArrayList<>();
        List<int[]> reference = new ArrayList<>();
        for (int from = 0; from < words.size(); from += 500) {
            try (Scope scope = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                Batch batch = Batch.of(words.subList(from, Math.min(words.size(), from + 500)), data.letters(),
                        data.phonemes());
                predicted.addAll(CtcDecoding.greedy(model.logProbs(batch.letters(), batch.lengths()), batch.lengths(),
                        Tagger.BLANK));
                reference.addAll(batch.phonemes());
            }
        }
        return ErrorRates.of(predicted, reference).phonemeErrorRate();
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }

    /**
     * Letters [T, batch] I64 (padded with {@link CharVocabulary#PAD}), their lengths, the phoneme ids padded into
     * [batch, longest] and their lengths.
     */
    private record Batch(Tensor letters, int[] lengths, Tensor targets, int[] targetLengths, List<int[]> phonemes) {
        static Batch of(List<Pronunciation> words, CharVocabulary letterIds, PhonemeVocabulary phonemeIds) {
            int n = words.size();
            int[] lengths = new int[n];
            int[] targetLengths = new int[n];
            List<int[]> phonemes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                lengths[i] = words.get(i).word().length();
                phonemes.add(phonemeIds.encode(words.get(i).phonemes()));
                targetLengths[i] = phonemes.get(i).length;
            }
            int steps = Arrays.stream(lengths).max().orElse(0);
            int width = Arrays.stream(targetLengths).max().orElse(0);
            long[] letters = new long[steps * n];
            long[] targets = new long[n * width];
            for (int i = 0; i < n; i++) {
                int[] ids = letterIds.encode(words.get(i).word());
                for (int t = 0; t < ids.length; t++) {
                    letters[t * n + i] = ids[t];
                }
                for (int s = 0; s < targetLengths[i]; s++) {
                    targets[i * width + s] = phonemes.get(i)[s];
                }
            }
            return new Batch(Tensor.fromArray(letters, steps, n), lengths, Tensor.fromArray(targets, n, width),
                    targetLengths, phonemes);
        }
    }

    /**
     * Letters to per-letter phoneme log-probabilities [T, batch, classes]: embedding, bidirectional LSTM, Linear,
     * log-softmax. The classes are the phoneme vocabulary's ids; its PAD id 0, never a target, is the blank (its
     * BOS and EOS ids are never targets either and learn to be improbable).
     */
    private static final class Tagger extends Module {
        static final int BLANK = 0;

        Tagger(int letters, int classes) {
            registerModule("embedding", new Embedding(letters, 32, CharVocabulary.PAD));
            registerModule("lstm", LSTM.builder(32, 64).bidirectional(true).build());
            registerModule("output", new Linear(128, classes));
        }

        @Override
        public Tensor forward(Tensor letters) {
            return logProbs(letters, null);
        }

        Tensor logProbs(Tensor letters, int[] lengths) {
            Tensor embedded = module("embedding").forward(letters);
            Tensor states = ((LSTM) module("lstm")).forward(embedded, null, lengths).output();
            return F.logSoftmax(module("output").forward(states), 2);
        }
    }
}
