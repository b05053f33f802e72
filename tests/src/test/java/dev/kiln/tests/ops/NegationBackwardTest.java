package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/** A negation's backward pass negates the gradient with the negation kernel, not the generic derivative loop. */
class NegationBackwardTest extends CountingBackendTest {
    @Test
    void aNegationsGradientIsTheIncomingGradientNegatedByTheNegationKernel() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, -2, 3}, 3).to(counting).requiresGrad(true);
            Tensor g = Tensor.fromArray(new float[] {0.5f, -1, 0}, 3).to(counting);
            Tensor y = x.neg();
            long unary = count("operation.unary");
            long unaryBackward = count("operation.unaryBackward");
            y.backward(g);
            assertEquals(unary + 1, count("operation.unary"));
            assertEquals(unaryBackward, count("operation.unaryBackward"));
            assertArrayEquals(new float[] {-0.5f, 1, -0f}, x.grad().toFloatArray());
        }
    }
}
