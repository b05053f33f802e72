package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.CharVocabulary;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CharLanguageModel}: the loss of a padded batch against each word scored alone through
 * {@link CharLanguageModel#forward} with the log-softmax written out here, perplexity as its exponential,
 * gradients against finite differences, and sampling.
 */
class CharLanguageModelTest {
    private static final CharVocabulary VOCABULARY = new CharVocabulary("abcd'");
    private static final List<String> WORDS = List.of("abc", "d", "", "cab'da", "ba");

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20250308L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Sum over the word's n + 1 predictions of -log p(target), from forward() on the word alone. */
    private static double wordNats(CharLanguageModel model, String word) {
        int steps = word.length() + 1;
        long[] ids = new long[steps];
        ids[0] = CharVocabulary.END;
        for (int t = 1; t < steps; t++) {
            ids[t] = VOCABULARY.id(word.charAt(t - 1));
        }
        double[] scores = model.forward(Tensor.fromArray(ids, steps, 1)).toDoubleArray();
        int v = VOCABULARY.size();
        double nats = 0;
        for (int t = 0; t < steps; t++) {
            int target = t < word.length() ? VOCABULARY.id(word.charAt(t)) : CharVocabulary.END;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, scores[t * v + j]);
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                sum += Math.exp(scores[t * v + j] - max);
            }
            nats += max + Math.log(sum) - scores[t * v + target];
        }
        return nats;
    }

    @Test
    void lossOfAPaddedBatchIsTheMeanOverEveryWordsPredictionsScoredAlone() {
        try (CharLanguageModel model = new CharLanguageModel(VOCABULARY, 4, 6, 2, 0)) {
            double nats = 0;
            for (String w : WORDS) {
                nats += wordNats(model, w);
            }
            assertEquals(17, CharLanguageModel.predictions(WORDS));
            assertEquals(nats / 17, model.loss(WORDS).item(), 1e-5);
            assertEquals(Math.exp(nats / 17), model.perplexity(WORDS, 2), 1e-4);
        }
    }

    @Test
    void perplexityWithABatchSizeBelowOneIsAClearError() {
        try (CharLanguageModel model = new CharLanguageModel(VOCABULARY, 4, 6, 1, 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.perplexity(WORDS, 0));
            assertEquals("CharLanguageModel.perplexity: batchSize must be at least 1, got 0", e.getMessage());
        }
    }

    @Test
    void perplexityOfNoWordsIsAClearError() {
        try (CharLanguageModel model = new CharLanguageModel(VOCABULARY, 4, 6, 1, 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.perplexity(List.of(), 8));
            assertEquals("CharLanguageModel.perplexity: needs at least one word, got an empty list", e.getMessage());
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (CharLanguageModel model = new CharLanguageModel(VOCABULARY, 2, 3, 2, 0)) {
            model.to(DType.F64);
            GradCheck.check("CharLanguageModel", in -> model.loss(WORDS), model.parameters().toArray(new Tensor[0]));
        }
    }

    @Test
    void samplingIsRepeatableForASeedAndUsesTheVocabulary() {
        try (CharLanguageModel model = new CharLanguageModel(VOCABULARY, 4, 6, 2, 0.5)) {
            List<String> a = model.sample(8, 1.0, 5, 3);
            assertEquals(a, model.sample(8, 1.0, 5, 3));
            assertNotEquals(a, model.sample(8, 1.0, 5, 4));
            for (String w : a) {
                assertTrue(w.length() <= 5 && w.chars().allMatch(c -> VOCABULARY.chars().indexOf(c) >= 0), w);
            }
            assertTrue(model.isTraining(), "the mode is restored after sampling");
        }
    }
}
