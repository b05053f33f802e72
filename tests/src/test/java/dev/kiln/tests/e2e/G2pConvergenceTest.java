package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataDirectory;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.g2p.ErrorRates;
import dev.kiln.g2p.G2pBatch;
import dev.kiln.g2p.G2pData;
import dev.kiln.g2p.G2pModels;
import dev.kiln.g2p.G2pTraining;
import dev.kiln.g2p.Pronunciation;
import dev.kiln.optim.Adam;
import dev.kiln.seq2seq.Seq2SeqModel;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The attention encoder-decoders end to end on real CMUdict: a model trained for one pass over 20,000 training
 * words (batch 64, Adam cosine-annealed), then greedy-decoded on the first 1,000 validation words. The
 * additive-attention LSTM model (embedding 32, hidden 128) and a small Transformer (width 64, 2 + 2 layers,
 * 4 heads); see the ceilings' measurements in {@link #MAX_PER} and {@link #MAX_PER_TRANSFORMER}.
 */
class G2pConvergenceTest {
    /**
     * The highest validation phoneme error rate that passes. Measured with seed 1: 0.354 (WER 0.854); the same
     * run with the attention replaced by the encoder's final state ({@code none}: what a decoder that cannot
     * look at the letters learns) reached 0.522 (WER 0.926). 0.44 sits between, 8.6 points above the correct
     * run. Time on the busy 2-core machine (four other jobs): 170 s; alone it is a fraction of that.
     */
    static final double MAX_PER = 0.44;

    /**
     * The Transformer's ceiling. Measured with seed 1: 0.351 (WER 0.826), 440 s with two training runs sharing the
     * two cores. A decoder cut off from the letters does no better than the no-attention LSTM's 0.522; 0.45 sits
     * 10 points above the correct run.
     */
    static final double MAX_PER_TRANSFORMER = 0.45;

    @Test
    void additiveAttentionLearnsSpellingToSoundInOnePass() throws IOException {
        ErrorRates rates = run(cmudict(), new G2pModels.Spec("additive", "lstm", 32, 128, 1, 0.1, 1), 3e-3);
        assertTrue(rates.phonemeErrorRate() <= MAX_PER, "validation PER " + rates.phonemeErrorRate() + " is above " + MAX_PER);
    }

    @Test
    void transformerLearnsSpellingToSoundInOnePass() throws IOException {
        ErrorRates rates = run(cmudict(), new G2pModels.Spec("transformer", "lstm", 64, 64, 2, 0.1, 4), 3e-3);
        assertTrue(rates.phonemeErrorRate() <= MAX_PER_TRANSFORMER,
                "validation PER " + rates.phonemeErrorRate() + " is above " + MAX_PER_TRANSFORMER);
    }

    private static G2pData cmudict() throws IOException {
        try {
            return G2pData.load(null);
        } catch (DataDirectory.DataMissingException e) {
            System.out.println("SKIPPED G2pConvergenceTest: " + e.getMessage());
            return Assumptions.abort("CMUdict is not available: " + e.getMessage());
        }
    }

    static ErrorRates run(G2pData data, G2pModels.Spec spec, double lr) {
        Engine.seed(1);
        List<Pronunciation> train = data.train().subList(0, 20_000);
        List<List<Pronunciation>> batches = dev.kiln.data.Datasets.lengthBatches(train, p -> p.word().length(), 64, 1);
        long start = System.nanoTime();
        try (Seq2SeqModel model = G2pModels.create(spec, data.letters(), data.phonemes());
             Adam adam = new Adam(model.trainableParameters(), lr)) {
            model.train();
            int step = 0;
            for (int b : dev.kiln.data.Datasets.permutation(batches.size(), 1)) {
                G2pTraining.setLearningRate(adam, G2pTraining.cosine(lr, step++, batches.size()));
                try (Scope batchScope = Scope.open()) {
                    G2pTraining.step(model, adam, G2pBatch.of(batches.get(b), data.letters(), data.phonemes()),
                            new G2pTraining.StepSettings(1, 0, 5));
                }
            }
            ErrorRates rates = G2pTraining.evaluate(model, data.letters(), data.phonemes(), data.validation().subList(0, 1000),
                    1, 1, 500);
            System.out.printf("g2p %s, one pass over 20,000 CMUdict words: validation PER %.4f, WER %.4f on 1,000 words, %.1f s,"
                    + " backend %s%n", spec.kind(), rates.phonemeErrorRate(), rates.wordErrorRate(), (System.nanoTime() - start) / 1e9,
                    Engine.get().backend().name());
            return rates;
        }
    }
}
