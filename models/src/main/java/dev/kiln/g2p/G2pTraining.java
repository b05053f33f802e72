package dev.kiln.g2p;

import dev.kiln.data.CharVocabulary;
import dev.kiln.engine.PendingItem;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.seq2seq.BeamSearch;
import dev.kiln.seq2seq.Decoding;
import dev.kiln.seq2seq.Hypothesis;
import dev.kiln.seq2seq.Seq2SeqModel;
import dev.kiln.seq2seq.SequenceLoss;
import dev.kiln.seq2seq.SourceBatch;
import dev.kiln.train.StepLosses;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * The pieces of grapheme-to-phoneme training: one optimisation step, and
 * prediction and error rates by greedy decoding or beam search.
 */
public final class G2pTraining {
    /** Outputs longer than this many phonemes are cut off (CMUdict's longest kept word has 20). */
    public static final int MAX_PHONEMES = 32;

    private G2pTraining() {
    }

    /**
     * How a step trains: the share of decoder steps fed the gold phoneme ({@code teacherForcing}, in [0, 1]),
     * the loss's {@code labelSmoothing} (0: plain cross-entropy), the gradient norm {@code clip} (0: none).
     */
    public record StepSettings(double teacherForcing, double labelSmoothing, double clip) {
        public StepSettings {
            if (!(teacherForcing >= 0 && teacherForcing <= 1) || !(labelSmoothing >= 0 && labelSmoothing < 1) || !(clip >= 0)) {
                throw new IllegalArgumentException("g2p step: teacher forcing must be in [0, 1], label smoothing in [0, 1)"
                        + " and clip at least 0, got " + teacherForcing + ", " + labelSmoothing + " and " + clip);
            }
        }
    }

    /**
     * One optimisation step on {@code batch}: cross-entropy per target token (EOS included) with the
     * settings' teacher forcing and label smoothing, the gradient norm clipped, an optimizer step. Returns the loss on
     * its way from the device ({@link Tensor#itemAsync}): read it once the next step is queued ({@link StepLosses}),
     * so that a GPU runs that step meanwhile instead of waiting for the host.
     */
    public static PendingItem step(Seq2SeqModel model, Optimizer optimizer, G2pBatch batch, StepSettings settings) {
        try (Scope scope = Scope.open()) {
            Tensor logits = model.logits(batch.source(), batch.decoderInputs(), settings.teacherForcing());
            Tensor loss = SequenceLoss.crossEntropy(logits, batch.targets(), settings.labelSmoothing());
            loss.backward();
            if (settings.clip() > 0) {
                Optimizer.clipGradNorm(model.trainableParameters(), settings.clip());
            }
            optimizer.step();
            optimizer.zeroGrad();
            return loss.itemAsync();
        }
    }

    /** Sets every parameter group's learning rate. */
    public static void setLearningRate(Optimizer optimizer, double lr) {
        for (ParamGroup g : optimizer.groups()) {
            g.setLr(lr);
        }
    }

    /** The learning rate at {@code step} of {@code steps} under cosine annealing from {@code base} to 0. */
    public static double cosine(double base, long step, long steps) {
        return 0.5 * base * (1 + Math.cos(Math.PI * Math.min(step, steps) / steps));
    }

    /**
     * The learning rate at {@code step} of {@code steps}: rising linearly from base/warmup to {@code base} over
     * the first {@code warmup} steps, then cosine-annealed to 0 over the rest.
     */
    public static double warmupCosine(double base, long step, long steps, long warmup) {
        if (step < warmup) {
            return base * (step + 1) / warmup;
        }
        return cosine(base, step - warmup, Math.max(1, steps - warmup));
    }

    /**
     * Decodes {@code words} (lower-case a-z) in batches of {@code batchSize} (at least 1): greedy for {@code beam} 1
     * (with attention weights), else beam search of that width with length normalisation {@code alpha}.
     * {@code done} (may be null) hears the number of words finished after each batch.
     */
    public static List<Hypothesis> predict(Seq2SeqModel model, CharVocabulary letters, List<String> words, int beam,
                                           double alpha, int batchSize, DoubleConsumer done) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("G2pTraining.predict: batchSize must be at least 1, got " + batchSize);
        }
        List<Hypothesis> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i += batchSize) {
            List<int[]> encoded = new ArrayList<>();
            for (String w : words.subList(i, Math.min(words.size(), i + batchSize))) {
                encoded.add(letters.encode(w));
            }
            try (Scope scope = Scope.open()) {
                SourceBatch source = SourceBatch.of(encoded);
                out.addAll(beam == 1 ? Decoding.greedy(model, source, MAX_PHONEMES)
                        : BeamSearch.decode(model, source, beam, MAX_PHONEMES, alpha));
            }
            if (done != null) {
                done.accept(out.size());
            }
        }
        return out;
    }

    /** Word and phoneme error rates of the model's outputs for {@code reference}. */
    public static ErrorRates evaluate(Seq2SeqModel model, CharVocabulary letters, PhonemeVocabulary phonemes,
                                      List<Pronunciation> reference, int beam, double alpha, int batchSize) {
        List<String> words = reference.stream().map(Pronunciation::word).toList();
        List<Hypothesis> predicted = predict(model, letters, words, beam, alpha, batchSize, null);
        List<int[]> outputs = predicted.stream().map(Hypothesis::tokens).toList();
        List<int[]> gold = reference.stream().map(p -> phonemes.encode(p.phonemes())).toList();
        return ErrorRates.of(outputs, gold);
    }
}
