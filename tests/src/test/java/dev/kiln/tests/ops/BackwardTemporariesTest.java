package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gradient rules of element-wise ops free what they make on the way (a product before it is summed over the
 * broadcast axes, a comparison's mask, partial sums): a backward pass leaves the leaves' gradients and nothing else
 * in memory, where those temporaries used to stay until the step's scope closed.
 */
class BackwardTemporariesTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private final Backend backend = Engine.get().backend();
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(3);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void aBroadcastProductLeavesOnlyTheGradients() {
        assertBackwardLeavesOnlyTheGradients(Tensor::mul);
    }

    @Test
    void aBroadcastQuotientLeavesOnlyTheGradients() {
        assertBackwardLeavesOnlyTheGradients((a, b) -> a.div(b.abs().add(1)));
    }

    @Test
    void aBroadcastMaximumLeavesOnlyTheGradients() {
        assertBackwardLeavesOnlyTheGradients(Tensor::maximum);
    }

    @Test
    void aBroadcastSelectionLeavesOnlyTheGradients() {
        assertBackwardLeavesOnlyTheGradients((a, b) -> Tensor.where(a.gt(0), a, b));
    }

    /**
     * A grouped convolution (groups 2: group by group through copies of each group's channels) and a depthwise one
     * (groups 4) summed: after backward, memory holds the input's, weight's and bias's gradients more.
     */
    @Test
    void groupedConvolutionsLeaveOnlyTheGradients() {
        for (int groups : new int[] {2, 4}) {
            Tensor x = Tensor.randn(2, 4, 8, 8).requiresGrad(true);
            Tensor w = Tensor.randn(8, 4 / groups, 3, 3).requiresGrad(true);
            Tensor b = Tensor.randn(8).requiresGrad(true);
            Tensor loss = F.conv2d(x, w, b, null, new int[] {1}, null, groups).sum();
            long before = backend.bytesInUse();
            loss.backward();
            long kept = backend.bytesInUse() - before;
            assertEquals(BytesInUse.ofOneLike(x) + BytesInUse.ofOneLike(w) + BytesInUse.ofOneLike(b), kept,
                    "groups " + groups + ": bytes the backward pass left beside the three gradients");
        }
    }

    /** {@code op(a [16, 8, 32], b [8, 1])} summed: after backward, memory holds a's and b's gradients more. */
    private void assertBackwardLeavesOnlyTheGradients(BinaryOperator<Tensor> op) {
        Tensor a = Tensor.randn(16, 8, 32).requiresGrad(true);
        Tensor b = Tensor.randn(8, 1).requiresGrad(true);
        Tensor loss = op.apply(a, b).sum();
        long before = backend.bytesInUse();
        loss.backward();
        long kept = backend.bytesInUse() - before;
        assertEquals(BytesInUse.ofOneLike(a) + BytesInUse.ofOneLike(b), kept, "bytes the backward pass left beside the two gradients");
    }
}
