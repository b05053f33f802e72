package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#version()} moves on with every in-place write to a tensor's storage, whichever tensor or view makes
 * it, and with nothing else: a backend keeps oneDNN's layout of convolution weights while it stays the same, so a write
 * it missed would leave a convolution reading old weights.
 */
class TensorVersionTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor weights() {
        return Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
    }

    @Test
    void assignCopyFromAndAddInPlaceEachMoveTheVersion() {
        Tensor w = weights();
        int start = w.version();
        w.assign(Tensor.fromArray(new float[] {5, 6, 7, 8}, 2, 2));
        assertEquals(start + 1, w.version());
        w.copyFrom(new float[] {0, 0, 0, 0});
        assertEquals(start + 2, w.version());
        w.addInPlace(weights(), 0.5);
        assertEquals(start + 3, w.version());
    }

    @Test
    void optimizerStepsMoveTheVersion() {
        Tensor w = weights();
        int start = w.version();
        Updates.sgd(w, weights(), null, 0.1, 0, 0, 0, false, true);
        assertEquals(start + 1, w.version());
        Tensor expAvg = Tensor.fromArray(new float[4], 2, 2);
        Tensor expAvgSq = Tensor.fromArray(new float[4], 2, 2);
        Updates.adam(w, weights(), expAvg, expAvgSq, 0.1, 0.9, 0.999, 1e-8, 0, false, 1);
        assertEquals(start + 2, w.version());
        Updates.adam(List.of(w), List.of(weights()), List.of(expAvg), List.of(expAvgSq), 0.1, 0.9, 0.999, 1e-8, 0,
                true, 2);
        assertEquals(start + 3, w.version());
    }

    @Test
    void aWriteThroughAViewMovesTheVersionOfEveryTensorOnTheStorage() {
        Tensor w = weights();
        Tensor flat = w.reshape(4);
        Tensor detached = w.detach();
        int start = w.version();
        flat.copyFrom(new float[] {9, 9, 9, 9});
        assertEquals(start + 1, w.version());
        assertEquals(start + 1, detached.version());
    }

    @Test
    void accumulatingAndZeroingAGradientMoveTheGradientsVersion() {
        Tensor w = weights().requiresGrad(true);
        w.mul(w).sum().backward();
        int first = w.grad().version();
        w.mul(w).sum().backward();
        assertEquals(first + 1, w.grad().version(), "accumulation into the gradient");
        w.zeroGrad();
        assertEquals(first + 2, w.grad().version(), "zeroGrad");
    }

    @Test
    void opsThatMakeNewTensorsLeaveTheirInputsVersionAlone() {
        Tensor w = weights();
        int start = w.version();
        try (var g = Autograd.noGrad()) {
            w.add(w).mul(w).reshape(4).sum();
            w.copy();
        }
        assertEquals(start, w.version());
        assertNotEquals(start, w.assign(weights()).version());
    }
}
