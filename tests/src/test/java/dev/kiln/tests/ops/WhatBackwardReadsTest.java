package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A backward pass reads what its ops read in the forward pass: inputs that need no gradient (the data of a
 * product, an index, the targets of a loss) and outputs (exp's). Closing one of those, or writing it in place,
 * before {@code backward()} is refused with a message naming the op, where it used to give gradients from freed
 * memory or from other values without a word. PyTorch refuses the in-place case the same way.
 */
class WhatBackwardReadsTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void closingTheDataOfAProductBeforeBackwardIsRefusedAndNoGradientIsWritten() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor w = Tensor.fromArray(new double[] {1, 0, 0, 1}, 2, 2).requiresGrad(true);
        Tensor loss = x.matmul(w).sum();
        x.close();
        Tensor.fromArray(new double[] {100, 200, 300, 400}, 2, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("closed"), e.getMessage());
        assertNull(w.grad(), "refused before any gradient is written");
    }

    @Test
    void closingTheIndexOfAGatherBeforeBackwardIsRefused() {
        Tensor src = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor index = Tensor.fromArray(new long[] {0, 1}, 2, 1);
        Tensor loss = src.gather(1, index).sum();
        index.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("gather"), e.getMessage());
    }

    @Test
    void closingTheTargetsOfCrossEntropyBeforeBackwardIsRefused() {
        Tensor logits = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor targets = Tensor.fromArray(new long[] {2, 0}, 2);
        Tensor loss = F.crossEntropy(logits, targets);
        targets.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("crossEntropy"), e.getMessage());
    }

    @Test
    void writingAnInputInPlaceAfterTheOpIsRefused() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3}, 3);
        Tensor w = Tensor.fromArray(new double[] {1, 1, 1}, 3).requiresGrad(true);
        Tensor loss = x.mul(w).sum();
        x.assign(Tensor.fromArray(new double[] {10, 20, 30}, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("mul") && e.getMessage().contains("in place"), e.getMessage());
    }

    @Test
    void writingAnOutputThroughADetachedViewIsRefused() {
        Tensor q = Tensor.fromArray(new double[] {0, 0}, 2).requiresGrad(true);
        Tensor e = q.exp();
        e.detach().assign(Tensor.fromArray(new double[] {5, 5}, 2));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> e.sum().backward());
        assertTrue(thrown.getMessage().contains("exp") && thrown.getMessage().contains("output"), thrown.getMessage());
    }

    @Test
    void anOptimizerStepBetweenForwardAndBackwardIsRefused() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor w = Tensor.fromArray(new double[] {1, 1, 1}, 3).requiresGrad(true);
        Tensor loss = x.mul(w).sum();
        try (Autograd.Guard g = Autograd.noGrad()) {
            Updates.sgd(w, Tensor.fromArray(new double[] {1, 1, 1}, 3), null, 0.1, 0, 0, 0, false, true);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("optimizer"), e.getMessage());
    }

    @Test
    void aWriteAfterBackwardLeavesTheNextForwardAndBackwardAlone() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3}, 3);
        Tensor w = Tensor.fromArray(new double[] {1, 1, 1}, 3).requiresGrad(true);
        x.mul(w).sum().backward();
        x.assign(Tensor.fromArray(new double[] {10, 20, 30}, 3));
        w.zeroGrad();
        x.mul(w).sum().backward();
        assertArrayEquals(new double[] {10, 20, 30}, w.grad().toDoubleArray(), "the new forward pass's values");
    }
}
