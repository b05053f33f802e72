package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Categorical's shapes: the last axis of the parameter holds the classes and the others are the batch; class indices
 * broadcast against the batch as any value does, I32 indices as well as I64.
 */
class CategoricalShapesTest {
    private static final double[] LOGITS = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3, 0.2, 0.4, 3.0, 3.0, -2.0, 1.0};

    @Test
    void theLastAxisHoldsTheClassesAndTheOthersAreTheBatch() {
        try (Scope scope = Scope.open()) {
            Categorical categorical = Categorical.ofLogits(Tensor.fromArray(LOGITS, 3, 4));
            assertEquals(Shape.of(3), categorical.batchShape());
            assertEquals(Shape.scalar(), categorical.eventShape());
            assertEquals(4, categorical.numEvents());
        }
    }

    @Test
    void oneClassIndexBroadcastsAgainstTheWholeBatch() {
        try (Scope scope = Scope.open()) {
            Tensor logits = Tensor.fromArray(LOGITS, 3, 4);
            double[] logProbabilities = F.logSoftmax(logits, 1).toDoubleArray();
            Categorical categorical = Categorical.ofLogits(logits);
            double[] expected = {logProbabilities[2], logProbabilities[6], logProbabilities[10]};
            assertArrayEquals(expected, categorical.logProb(Tensor.fromArray(new long[] {2}, 1)).toDoubleArray(), 1e-12);
            assertArrayEquals(expected, categorical.logProb(Tensor.fromArray(new int[] {2}, 1)).toDoubleArray(), 1e-12);
            assertEquals(DType.F64, categorical.logProb(Tensor.fromArray(new long[] {2}, 1)).dtype());
        }
    }
}
