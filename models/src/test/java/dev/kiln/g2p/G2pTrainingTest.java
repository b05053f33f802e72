package dev.kiln.g2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.CharVocabulary;
import dev.kiln.seq2seq.RecurrentSeq2Seq;
import java.util.List;
import org.junit.jupiter.api.Test;

class G2pTrainingTest {
    @Test
    void warmupRisesLinearlyToTheBaseRate() {
        assertEquals(0.1, G2pTraining.warmupCosine(1.0, 0, 100, 10), 1e-12);
        assertEquals(0.5, G2pTraining.warmupCosine(1.0, 4, 100, 10), 1e-12);
        assertEquals(1.0, G2pTraining.warmupCosine(1.0, 9, 100, 10), 1e-12);
    }

    @Test
    void afterWarmupTheRateFollowsTheCosineOverTheRemainingSteps() {
        assertEquals(1.0, G2pTraining.warmupCosine(1.0, 10, 100, 10), 1e-12);
        assertEquals(0.5, G2pTraining.warmupCosine(1.0, 55, 100, 10), 1e-12);
        assertEquals(0.0, G2pTraining.warmupCosine(1.0, 100, 100, 10), 1e-12);
    }

    @Test
    void withoutWarmupItIsThePlainCosine() {
        for (long step = 0; step <= 50; step += 7) {
            assertEquals(G2pTraining.cosine(2e-3, step, 50), G2pTraining.warmupCosine(2e-3, step, 50, 0), 1e-15);
        }
    }

    @Test
    void predictRejectsABatchSizeBelowOne() {
        CharVocabulary letters = new CharVocabulary("abc");
        try (RecurrentSeq2Seq model = new RecurrentSeq2Seq(new RecurrentSeq2Seq.Config(letters.size(), 6,
                RecurrentSeq2Seq.Cell.GRU, RecurrentSeq2Seq.Score.DOT, 4, 8, 1, 0))) {
            for (int batchSize : new int[] {0, -1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> G2pTraining.predict(model, letters, List.of("ab", "ca"), 2, 1, batchSize, null));
                assertTrue(e.getMessage().contains("batchSize must be at least 1, got " + batchSize), e.getMessage());
            }
        }
    }
}
