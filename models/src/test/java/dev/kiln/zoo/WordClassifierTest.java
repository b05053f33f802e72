package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.data.CharVocabulary;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WordClassifier}: a padded batch scores every word as if it were alone, and the features are the
 * final states of the directions, which the one-directional model reads from its last letter.
 */
class WordClassifierTest {
    private static final CharVocabulary VOCABULARY = new CharVocabulary("abcde");
    private static final List<String> WORDS = List.of("abc", "e", "beaded", "cab");

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20250309L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** [time, 1] ids of one word. */
    private static Tensor ids(String word) {
        long[] ids = new long[word.length()];
        for (int t = 0; t < ids.length; t++) {
            ids[t] = VOCABULARY.id(word.charAt(t));
        }
        return Tensor.fromArray(ids, ids.length, 1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void paddedBatchScoresEachWordAsIfAlone(boolean bidirectional) {
        try (WordClassifier model = new WordClassifier(VOCABULARY, 3, 5, bidirectional, 4)) {
            Tensor batch = model.scores(WORDS);
            assertArrayEquals(new int[] {4, 4}, batch.shape().dims());
            for (int b = 0; b < WORDS.size(); b++) {
                assertArrayEquals(model.forward(ids(WORDS.get(b))).toDoubleArray(),
                        batch.narrow(0, b, 1).toDoubleArray(), 1e-6, WORDS.get(b));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fcReadsOneFinalStatePerDirection(boolean bidirectional) {
        try (WordClassifier model = new WordClassifier(VOCABULARY, 3, 5, bidirectional, 4)) {
            assertEquals(bidirectional ? 10 : 5, model.namedParameters().get("fc.weight").dim(1));
        }
    }
}
