package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Adam;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gradients through the distributions drive learning to known answers: maximum likelihood fits a Normal to the
 * sample's mean and (biased) standard deviation, and REINFORCE with a Categorical policy finds a bandit's best arm.
 */
class DistributionLearningTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(31);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void maximumLikelihoodFitsANormalToTheSampleMeanAndStandardDeviation() {
        Tensor data = Tensor.normal(3, 2, DType.F64, 1000);
        double[] x = data.toDoubleArray();
        double mean = Arrays.stream(x).average().orElseThrow();
        double deviation = Math.sqrt(Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / x.length);
        Tensor loc = Tensor.zeros(DType.F64, 1).requiresGrad(true);
        Tensor logScale = Tensor.zeros(DType.F64, 1).requiresGrad(true);
        try (Adam adam = new Adam(List.of(loc, logScale), 0.05)) {
            for (int step = 0; step < 800; step++) {
                try (Scope s = Scope.open()) {
                    adam.zeroGrad();
                    new Normal(loc, logScale.exp()).logProb(data).mean().neg().backward();
                    adam.step();
                }
            }
        }
        assertEquals(mean, loc.item(), 1e-3, "the fitted location against the sample mean");
        assertEquals(deviation, Math.exp(logScale.item()), 1e-3, "the fitted scale against the sample deviation");
    }

    @Test
    void reinforceWithACategoricalPolicyLearnsTheBestArmOfABandit() {
        Tensor rewards = Tensor.fromArray(new double[] {0.2, 0.5, 0.9}, 3);
        Tensor logits = Tensor.zeros(DType.F64, 3).requiresGrad(true);
        try (Adam adam = new Adam(List.of(logits), 0.1)) {
            for (int step = 0; step < 150; step++) {
                try (Scope s = Scope.open()) {
                    adam.zeroGrad();
                    Categorical policy = Categorical.ofLogits(logits);
                    Tensor arms = policy.sample(64);
                    Tensor reward = rewards.indexSelect(0, arms);
                    Tensor advantage = reward.sub(reward.mean());
                    policy.logProb(arms).mul(advantage).mean().neg().backward();
                    adam.step();
                }
            }
        }
        double best = Categorical.ofLogits(logits).probs().toDoubleArray()[2];
        assertTrue(best > 0.95, "probability of the best arm after training: " + best);
    }
}
