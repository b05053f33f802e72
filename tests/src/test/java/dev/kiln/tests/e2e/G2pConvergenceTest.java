package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataDirectory;
import dev.kiln.engine.Engine;
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
 * The attention encoder-decoder end to end on real CMUdict: the additive-attention LSTM model (embedding 32,
 * hidden 128) trained for one pass over 20,000 training words (batch 64, Adam 3e-3 cosine-annealed), then
 * greedy-decoded on the first 1,000 validation words. See the ceiling's measurements in {@link #MAX_PER}.
 */
class G2pConvergenceTest {
    /**
     * The highest validation phoneme error rate that passes. Measured with seed 1: 0.354 (WER 0.854); the same
     * run with the attention replaced by the encoder's final state ({@code none}: what a decoder that cannot
     * look at the letters learns) reached 0.522 (WER 0.926). 0.44 sits between, 8.6 points above the correct
     * run. Time on the busy 2-core machine (four other jobs): 170 s; alone it is a fraction of that.
     */
    static final double MAX_PER = 0.44;

    @Test
    void additiveAttentionLearnsSpellingToSoundInOnePass() throws IOException {
        G2pData data;
        try {
            data = G2pData.load(null);
        } catch (DataDirectory.DataMissingException e) {
            System.out.println("SKIPPED G2pConvergenceTest: " + e.getMessage());
            Assumptions.abort("CMUdict is not available: " + e.getMessage());
            return;
        }
        ErrorRates rates = run(data, "additive");
        assertTrue(rates.phonemeErrorRate() <= MAX_PER, "validation PER " + rates.phonemeErrorRate() + " is above " + MAX_PER);
    }

    static ErrorRates run(G2pData data, String kind) {
        Engine.seed(1);
        List<Pronunciation> train = data.train().subList(0, 20_000);
        List<List<Pronunciation>> batches = dev.kiln.data.Datasets.lengthBatches(train, p -> p.word().length(), 64, 1);
        long start = System.nanoTime();
        try (Seq2SeqModel model = G2pModels.create(new G2pModels.Spec(kind, "lstm", 32, 128, 1, 0.1, 4), data.letters(),
                data.phonemes()); Adam adam = new Adam(model.trainableParameters(), 3e-3)) {
            model.train();
            int step = 0;
            for (int b : dev.kiln.data.Datasets.permutation(batches.size(), 1)) {
                G2pTraining.setLearningRate(adam, G2pTraining.cosine(3e-3, step++, batches.size()));
                G2pTraining.step(model, adam, G2pBatch.of(batches.get(b), data.letters(), data.phonemes()), 1, 5);
            }
            ErrorRates rates = G2pTraining.evaluate(model, data.letters(), data.phonemes(), data.validation().subList(0, 1000),
                    1, 1, 500);
            System.out.printf("g2p %s, one pass over 20,000 CMUdict words: validation PER %.4f, WER %.4f on 1,000 words, %.1f s,"
                    + " backend %s%n", kind, rates.phonemeErrorRate(), rates.wordErrorRate(), (System.nanoTime() - start) / 1e9,
                    Engine.get().backend().name());
            return rates;
        }
    }
}
