package dev.kiln.g2p;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
