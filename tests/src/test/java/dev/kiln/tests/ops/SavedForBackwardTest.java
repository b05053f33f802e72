package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ops that keep something for their backward pass (max pooling's argmax, cross-entropy's probabilities, batch
 * norm's statistics) keep it only when they are recorded: without gradients an op leaves its output alone in
 * memory. Memory is compared with what a tensor of the output's shape takes on the same backend, so that any
 * allocator's rounding cancels out.
 */
class SavedForBackwardTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private final Backend backend = Engine.get().backend();
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(7);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void maxPoolingWithoutGradientsKeepsNoArgmax() {
        Tensor x = Tensor.randn(4, 3, 8, 8).requiresGrad(true);
        Supplier<Tensor> pool = () -> F.maxPool2d(x, 2, 2, 0);
        assertKeepsOnlyItsOutputWithoutGradients(pool);
        assertKeepsMoreWhenRecorded(pool);
    }

    @Test
    void crossEntropyWithoutGradientsKeepsNoProbabilitiesOrConvertedTargets() {
        Tensor logits = Tensor.randn(8, 10).requiresGrad(true);
        Tensor targets = Tensor.fromArray(new int[] {3, 1, 4, 1, 5, 9, 2, 6}, 8);
        Supplier<Tensor> loss = () -> F.crossEntropy(logits, targets);
        assertKeepsOnlyItsOutputWithoutGradients(loss);
        assertKeepsMoreWhenRecorded(loss);
    }

    @Test
    void batchNormWithoutGradientsKeepsNoStatisticsInTrainingOrEvaluation() {
        Tensor x = Tensor.randn(4, 3, 5, 5).requiresGrad(true);
        Tensor mean = Tensor.zeros(3);
        Tensor var = Tensor.ones(3);
        Tensor weight = Tensor.ones(3).requiresGrad(true);
        Tensor bias = Tensor.zeros(3).requiresGrad(true);
        for (boolean training : new boolean[] {true, false}) {
            Supplier<Tensor> norm = () -> F.batchNorm(x, mean, var, weight, bias, training, 0.1, 1e-5);
            assertKeepsOnlyItsOutputWithoutGradients(norm);
            assertKeepsMoreWhenRecorded(norm);
        }
    }

    @Test
    void aDenseLayerWithABiasMakesOneTensor() {
        Tensor x = Tensor.randn(16, 6);
        Tensor weight = Tensor.randn(4, 6).requiresGrad(true);
        Tensor bias = Tensor.randn(4).requiresGrad(true);
        Supplier<Tensor> dense = () -> F.linear(x, weight, bias);
        assertKeepsOnlyItsOutputWithoutGradients(dense);
        long before = backend.bytesInUse();
        Tensor y = dense.get();
        assertEquals(BytesInUse.ofOneLike(y), backend.bytesInUse() - before, "recorded: its output and nothing else");
    }

    private void assertKeepsOnlyItsOutputWithoutGradients(Supplier<Tensor> op) {
        long before = backend.bytesInUse();
        Tensor out;
        try (Autograd.Guard g = Autograd.noGrad()) {
            out = op.get();
        }
        assertEquals(BytesInUse.ofOneLike(out), backend.bytesInUse() - before, "bytes kept beside " + out);
    }

    private void assertKeepsMoreWhenRecorded(Supplier<Tensor> op) {
        long before = backend.bytesInUse();
        Tensor out = op.get();
        assertTrue(backend.bytesInUse() - before > BytesInUse.ofOneLike(out), "recorded, it keeps what its backward reads");
    }
}
