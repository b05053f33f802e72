package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad temperatures, parameters and values of the relaxed families throw an {@link IllegalArgumentException} naming the
 * distribution, the parameter or value, its shape, the constraint and the first element outside it.
 */
class RelaxedDistributionsValidationTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor values(double... v) {
        return Tensor.fromArray(v, v.length);
    }

    private static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void aNonPositiveTemperatureIsRefused() {
        assertEquals("LogitRelaxedBernoulli(probs: [2]): parameter temperature [] must be positive (> 0), found 0.0"
                + " at []", message(() -> RelaxedBernoulli.ofProbs(Tensor.full(0, DType.F64), values(0.5, 0.5))));
        assertEquals("ExpRelaxedCategorical(logits: [3]) at temperature [1]: parameter temperature [1] must be"
                + " positive (> 0), found -1.0 at [0]",
                message(() -> RelaxedOneHotCategorical.ofLogits(values(-1), values(0, 1, 2))));
    }

    @Test
    void probabilitiesOutsideTheUnitIntervalAreRefused() {
        assertEquals("LogitRelaxedBernoulli(probs: [2]): parameter probs [2] must be in [0, 1], found 1.5 at [1]",
                message(() -> RelaxedBernoulli.ofProbs(values(1), values(0.5, 1.5))));
    }

    @Test
    void valuesOutsideTheSupportAreRefused() {
        assertEquals("RelaxedBernoulli(probs: [2], temperature: [1]).logProb: value [2] must be in [0, 1], found -0.5"
                + " at [1]", message(() -> RelaxedBernoulli.ofProbs(values(1), values(0.5, 0.5))
                        .logProb(values(0.5, -0.5))));
        assertEquals("RelaxedOneHotCategorical(logits: [3]) at temperature [1].logProb: value [3] must be a"
                + " probability vector (>= 0, summing to 1 over the last axis), found [0.5, 0.2, 0.2] at []",
                message(() -> RelaxedOneHotCategorical.ofLogits(values(1), values(0, 1, 2))
                        .logProb(values(0.5, 0.2, 0.2))));
    }

    @Test
    void aValueWhoseLastAxisIsNotTheClassesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RelaxedOneHotCategorical.ofLogits(values(1), values(0, 1, 2))
                .logProb(values(0.5, 0.5)));
    }
}
