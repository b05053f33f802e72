package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.CounterRandom;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Checkpoint}: the gradients through a checkpointed segment are those of the plain graph, bit for bit on the
 * CPU, and its misuse is refused.
 */
class CheckpointTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor leaf(DType dtype, int... dims) {
        return Tensor.randn(dtype, dims).requiresGrad(true);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void anMlpSegmentGivesThePlainGradientsBitForBit(DType dtype) {
        Tensor x = leaf(dtype, 8, 6);
        Tensor w1 = leaf(dtype, 10, 6);
        Tensor b1 = leaf(dtype, 10);
        Tensor w2 = leaf(dtype, 4, 10);
        Tensor b2 = leaf(dtype, 4);
        assertSameGradients(h -> F.linear(F.linear(h, w1, b1).relu(), w2, b2).tanh(), x, x, w1, b1, w2, b2);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aSegmentWithDropoutRecomputesTheSameMask(DType dtype) {
        Tensor x = leaf(dtype, 16, 8);
        Tensor w = leaf(dtype, 12, 8);
        Tensor b = leaf(dtype, 12);
        UnaryOperator<Tensor> segment = h -> F.dropout(F.linear(h, w, b).tanh(), 0.5, true).mul(h.sum(1, true));
        assertSameGradients(segment, x, x, w, b);
    }

    @Test
    void theRandomStreamAfterACheckpointedStepIsWhereThePlainStepLeavesIt() {
        Tensor x = leaf(DType.F64, 16, 8);
        UnaryOperator<Tensor> segment = h -> F.dropout(h.tanh(), 0.3, true);
        long seed = Engine.get().seed();
        long start = Engine.get().counter();
        segment.apply(x).sum().backward();
        long plainEnd = Engine.get().counter();
        Engine.restoreRandomState(seed, start);
        Checkpoint.apply(segment, x).sum().backward();
        assertEquals(plainEnd, Engine.get().counter(), "the recomputation's draws are given back");
        assertTrue(plainEnd > start, "the segment draws random numbers");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aParameterUsedTwiceInTheSegmentGetsThePlainGradient(DType dtype) {
        Tensor x = leaf(dtype, 5, 7);
        Tensor w = leaf(dtype, 7, 7);
        assertSameGradients(h -> h.matmul(w).tanh().matmul(w), x, x, w);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nestedCheckpointsGiveThePlainGradients(DType dtype) {
        Tensor x = leaf(dtype, 6, 5);
        Tensor w1 = leaf(dtype, 9, 5);
        Tensor w2 = leaf(dtype, 3, 9);
        UnaryOperator<Tensor> inner = h -> F.dropout(F.linear(h, w1, null).sigmoid(), 0.4, true);
        assertSameGradients(h -> Checkpoint.apply(inner, h).matmul(w2.t()).tanh(), x, x, w1, w2);
        assertSameGradients(h -> F.linear(inner.apply(h), w2, null).tanh(),
                h -> Checkpoint.apply(g -> F.linear(Checkpoint.apply(inner, g), w2, null).tanh(), h), x, x, w1, w2);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void parametersGetTheirGradientsWhenTheInputNeedsNone(DType dtype) {
        Tensor x = Tensor.randn(dtype, 4, 6);
        Tensor w = leaf(dtype, 3, 6);
        Tensor b = leaf(dtype, 3);
        assertSameGradients(h -> F.linear(h, w, b).relu(), x, w, b);
        assertNull(x.grad(), "the input needs no gradient and gets none");
    }

    @Test
    void aLeafInputAndAParameterUsedAlsoAfterTheSegmentGetThePlainGradients() {
        Tensor x = leaf(DType.F32, 4, 5);
        Tensor w = leaf(DType.F32, 5, 5);
        UnaryOperator<Tensor> segment = h -> h.matmul(w).tanh();
        segment.apply(x).matmul(w).sum().backward();
        double[][] plain = LeafGradients.take(new Tensor[] {x, w});
        Checkpoint.apply(segment, x).matmul(w).sum().backward();
        double[][] checkpointed = LeafGradients.take(new Tensor[] {x, w});
        assertArrayEquals(plain[0], checkpointed[0], "the leaf input");
        assertArrayEquals(plain[1], checkpointed[1], "the parameter read inside and after the segment");
    }

    @Test
    void aTensorTheSegmentCapturesGetsItsGradientThroughItsOwnGraph() {
        Tensor x = leaf(DType.F64, 4, 3);
        Tensor scale = leaf(DType.F64, 3);
        Tensor captured = scale.exp();
        assertSameGradients(h -> h.mul(captured).tanh(), x, x, scale);
    }

    @Test
    void finiteDifferencesAgreeWithTheGradientsThroughACheckpoint() {
        Tensor x = leaf(DType.F64, 3, 4);
        Tensor w = leaf(DType.F64, 5, 4);
        Tensor b = leaf(DType.F64, 5);
        GradCheck.check("checkpoint", in -> Checkpoint.apply(h -> F.linear(h, in[1], in[2]).tanh().mul(h.sum(1, true)),
                in[0]), x, w, b);
    }

    @Test
    void theSegmentRunsOnceForwardAndOnceMoreInTheBackwardPass() {
        Tensor x = leaf(DType.F64, 2, 3);
        AtomicInteger runs = new AtomicInteger();
        Tensor y = Checkpoint.apply(h -> {
            runs.incrementAndGet();
            return h.exp();
        }, x);
        assertEquals(1, runs.get());
        y.sum().backward();
        assertEquals(2, runs.get());
        assertArrayEquals(x.exp().toDoubleArray(), x.grad().toDoubleArray(), 0);
    }

    @Test
    void withoutGradientsACheckpointIsJustItsSegment() {
        Tensor x = leaf(DType.F64, 2, 3);
        AtomicInteger runs = new AtomicInteger();
        Tensor y;
        try (Autograd.Guard g = Autograd.noGrad()) {
            y = Checkpoint.apply(h -> {
                runs.incrementAndGet();
                return h.mul(3);
            }, x);
        }
        assertFalse(y.requiresGrad(), "no graph under noGrad");
        assertNull(y.gradFnName());
        assertEquals(1, runs.get());
        assertArrayEquals(x.mul(3).toDoubleArray(), y.toDoubleArray(), 0);
    }

    @Test
    void anOutputThatDependsOnNothingRequiringGradientsRecordsNoGraphAsInPyTorch() {
        Tensor x = leaf(DType.F64, 2, 3);
        Tensor y = Checkpoint.apply(h -> Tensor.ones(DType.F64, 2, 3), x);
        assertFalse(y.requiresGrad());
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void aSegmentThatComputesSomethingElseWhenRecomputedIsRefused() {
        Tensor x = leaf(DType.F64, 2, 3);
        AtomicInteger runs = new AtomicInteger();
        Tensor y = Checkpoint.apply(h -> runs.incrementAndGet() == 1 ? h.exp() : h.exp().sum(1, true), x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("the same each time"), e.getMessage());
    }

    @Test
    void aSegmentThatReadsAnotherParameterWhenRecomputedIsRefused() {
        Tensor x = leaf(DType.F64, 2, 3);
        Tensor first = leaf(DType.F64, 3);
        Tensor second = leaf(DType.F64, 3);
        AtomicInteger runs = new AtomicInteger();
        Tensor y = Checkpoint.apply(h -> h.mul(runs.incrementAndGet() == 1 ? first : second), x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("did not"), e.getMessage());
    }

    @Test
    void aSegmentReturningNullIsRefused() {
        Tensor x = leaf(DType.F64, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.apply(h -> null, x));
        assertTrue(e.getMessage().contains("returned null"), e.getMessage());
    }

    @Test
    void anInputClosedBeforeTheBackwardPassIsRefusedAlsoWhenItNeedsNoGradient() {
        Tensor x = Tensor.randn(DType.F64, 2, 3);
        Tensor w = leaf(DType.F64, 3);
        Tensor y = Checkpoint.apply(h -> h.mul(w), x);
        x.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void theForwardPassKeepsOnlyTheSegmentsOutput() {
        Tensor x = leaf(DType.F32, 64, 256);
        Tensor w = leaf(DType.F32, 256, 256);
        BytesInUse.settle();
        long before = Engine.get().backend().bytesInUse();
        Tensor y = Checkpoint.apply(h -> F.linear(h, w, null).tanh().mul(h).sigmoid(), x);
        assertEquals(BytesInUse.ofOneLike(y), Engine.get().backend().bytesInUse() - before,
                "the segment's intermediates are freed when it returns");
    }

    /** {@link #assertSameGradients(UnaryOperator, UnaryOperator, Tensor, Tensor...)} of segment and its checkpoint. */
    private static void assertSameGradients(UnaryOperator<Tensor> segment, Tensor input, Tensor... leaves) {
        assertSameGradients(segment, h -> Checkpoint.apply(segment, h), input, leaves);
    }

    /**
     * Asserts that the leaves' gradients through {@code checkpointed} equal those through {@code plain} bit for bit,
     * from the same random state, with the input passed through an op first so that the checkpoint's gradient flows
     * on.
     */
    private static void assertSameGradients(UnaryOperator<Tensor> plain, UnaryOperator<Tensor> checkpointed,
                                                  Tensor input, Tensor... leaves) {
        long seed = Engine.get().seed();
        long counter = Engine.get().counter();
        double[][] expected = gradients(plain, input, leaves);
        Engine.restoreRandomState(seed, counter);
        double[][] actual = gradients(checkpointed, input, leaves);
        for (int k = 0; k < leaves.length; k++) {
            assertArrayEquals(expected[k], actual[k], "leaf " + k + " " + leaves[k].shape());
        }
    }

    private static double[][] gradients(UnaryOperator<Tensor> segment, Tensor input, Tensor... leaves) {
        try (Scope step = Scope.open()) {
            Tensor y = segment.apply(input.mul(1.5));
            y.mul(projection(y)).sum().backward();
        }
        return LeafGradients.take(leaves);
    }

    /** Fixed weights, distinct per element, so that a gradient routed to the wrong element shows. */
    private static Tensor projection(Tensor like) {
        double[] w = new double[Math.toIntExact(like.size())];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5 + CounterRandom.uniform(0xC0FFEE, i);
        }
        return Tensor.fromArray(w, like.shape().dims()).to(like.dtype());
    }
}
