package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The {@code Lambda} layer of PyTorch's "What is torch.nn really?" tutorial: a function as a layer of a
 * {@link Sequential}. Reference: models/src/test/pytorch/nn_tutorial_gaps.py (PyTorch 1.13).
 */
class LambdaTest {
    private static Sequential tutorialCnn() {
        return new Sequential(
                new Lambda(x -> x.view(-1, 1, 28, 28)),
                new Conv2d(1, 16, 3, 2, 1, 1, true),
                new ReLU(),
                new Conv2d(16, 16, 3, 2, 1, 1, true),
                new ReLU(),
                new Conv2d(16, 10, 3, 2, 1, 1, true),
                new ReLU(),
                new AvgPool2d(4),
                new Lambda(x -> x.view(x.dim(0), -1)));
    }

    @Test
    void theTutorialsSequentialPrintsAsPyTorchPrintsIt() {
        try (Sequential model = tutorialCnn()) {
            assertEquals("""
                    Sequential(
                      (0): Lambda()
                      (1): Conv2d(1, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
                      (2): ReLU()
                      (3): Conv2d(16, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
                      (4): ReLU()
                      (5): Conv2d(16, 10, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
                      (6): ReLU()
                      (7): AvgPool2d(kernel_size=4, stride=4, padding=0)
                      (8): Lambda()
                    )""", model.toString());
        }
    }

    @Test
    void theTutorialsSequentialMapsFlatImagesToTenScores() {
        try (Sequential model = tutorialCnn(); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {3, 10}, model.call(Tensor.zeros(3, 784)).shape().dims());
        }
    }

    @Test
    void forwardReturnsTheFunctionsResult() {
        try (Lambda square = new Lambda(x -> x.mul(x)); Scope s = Scope.open()) {
            Tensor y = square.call(Tensor.fromArray(new float[] {1, -2, 3}, 3));
            assertArrayEquals(new float[] {1, 4, 9}, y.toFloatArray());
        }
    }

    @Test
    void hasNoParametersNorState() {
        try (Lambda identity = new Lambda(x -> x)) {
            assertTrue(identity.parameters().isEmpty());
            assertTrue(identity.stateDict().isEmpty(), "PyTorch's Lambda state dict is empty");
        }
    }

    @Test
    void refusesANullFunctionAndANullResult() {
        assertThrows(IllegalArgumentException.class, () -> new Lambda(null));
        try (Lambda broken = new Lambda(x -> null); Scope s = Scope.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> broken.call(Tensor.zeros(2)));
            assertTrue(e.getMessage().contains("returned null"), e.getMessage());
        }
    }
}
