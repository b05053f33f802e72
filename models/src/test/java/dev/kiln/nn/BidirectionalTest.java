package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Bidirectional}: its forward half is the forward layer alone, its backward half the backward layer
 * on each sequence reversed within its length (reversed here on the host) and reversed back; SUM adds the
 * halves; with CONCAT it equals PyTorch-style {@code bidirectional(true)} carrying the same weights; and
 * its gradients match finite differences.
 */
class BidirectionalTest {
    private static final int STEPS = 5;
    private static final int[] LENGTHS = {3, 5, 1};

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20250306L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Bidirectional gru(Bidirectional.Merge merge) {
        return new Bidirectional(GRU.builder(3, 4).batchFirst(true).build(), GRU.builder(3, 4).batchFirst(true).build(), merge);
    }

    /** x [B, T, F] with each sequence's first lengths[b] steps reversed; padding left where it is. */
    private static Tensor reverseWithinLengths(Tensor x) {
        int batch = x.dim(0);
        int features = x.dim(2);
        double[] v = x.toDoubleArray();
        double[] r = v.clone();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < LENGTHS[b]; t++) {
                System.arraycopy(v, (b * STEPS + LENGTHS[b] - 1 - t) * features, r, (b * STEPS + t) * features, features);
            }
        }
        return Tensor.fromArray(r, batch, STEPS, features).to(x.dtype());
    }

    @Test
    void concatenatesTheForwardLayerAndTheBackwardLayerOnTheReversedSequence() {
        try (Bidirectional bi = gru(Bidirectional.Merge.CONCAT)) {
            Tensor x = Tensor.randn(3, STEPS, 3);
            RecurrentOutput out = bi.forward(x, null, LENGTHS);
            RecurrentOutput forward = bi.forwardLayer().forward(x, null, LENGTHS);
            RecurrentOutput backward = bi.backwardLayer().forward(reverseWithinLengths(x), null, LENGTHS);
            assertArrayEquals(new int[] {3, STEPS, 8}, out.output().shape().dims());
            assertArrayEquals(forward.output().toDoubleArray(), out.output().narrow(2, 0, 4).toDoubleArray(), 1e-6);
            assertArrayEquals(reverseWithinLengths(backward.output()).toDoubleArray(),
                    out.output().narrow(2, 4, 4).toDoubleArray(), 1e-6);
            assertArrayEquals(Tensor.cat(List.of(forward.hN(), backward.hN()), 0).toDoubleArray(), out.hN().toDoubleArray(), 1e-6);
        }
    }

    @Test
    void sumAddsTheTwoHalves() {
        try (Bidirectional concat = gru(Bidirectional.Merge.CONCAT); Bidirectional sum = gru(Bidirectional.Merge.SUM)) {
            sum.loadStateDict(concat.stateDict(), true);
            Tensor x = Tensor.randn(3, STEPS, 3);
            Tensor halves = concat.forward(x, null, LENGTHS).output();
            Tensor expected = halves.narrow(2, 0, 4).add(halves.narrow(2, 4, 4));
            Tensor out = sum.forward(x, null, LENGTHS).output();
            assertArrayEquals(new int[] {3, STEPS, 4}, out.shape().dims());
            assertArrayEquals(expected.toDoubleArray(), out.toDoubleArray(), 1e-6);
        }
    }

    @Test
    void concatEqualsABidirectionalLstmWithTheSameWeights() {
        try (Bidirectional wrapper = new Bidirectional(new LSTM(3, 4), new LSTM(3, 4), Bidirectional.Merge.CONCAT);
             LSTM builtIn = LSTM.builder(3, 4).bidirectional(true).build()) {
            builtIn.namedParameters().forEach((name, p) -> Tensors.set(p, wrapper.stateDict()
                    .get(name.endsWith("_reverse") ? "backward." + name.replace("_reverse", "") : "forward." + name)
                    .toDoubleArray()));
            Tensor x = Tensor.randn(STEPS, 3, 3);
            RecurrentOutput a = wrapper.forward(x, null, LENGTHS);
            RecurrentOutput b = builtIn.forward(x, null, LENGTHS);
            assertArrayEquals(b.output().toDoubleArray(), a.output().toDoubleArray(), 1e-6);
            assertArrayEquals(b.hN().toDoubleArray(), a.hN().toDoubleArray(), 1e-6);
            assertArrayEquals(b.cN().toDoubleArray(), a.cN().toDoubleArray(), 1e-6);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (Bidirectional bi = new Bidirectional(RNN.builder(2, 3).batchFirst(true).build(),
                RNN.builder(2, 3).batchFirst(true).build(), Bidirectional.Merge.SUM)) {
            bi.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 3, STEPS, 2).requiresGrad(true);
            List<Tensor> inputs = new ArrayList<>(List.of(x));
            inputs.addAll(bi.parameters());
            GradCheck.check("Bidirectional", in -> {
                RecurrentOutput out = bi.forward(in[0], null, LENGTHS);
                return Tensor.cat(List.of(out.output().reshape(-1), out.hN().reshape(-1)), 0);
            }, inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void layersMustBeTwoMatchingUnidirectionalInstances() {
        try (LSTM lstm = new LSTM(3, 4); GRU gru = new GRU(3, 4); LSTM both = LSTM.builder(3, 4).bidirectional(true).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Bidirectional(lstm, gru, Bidirectional.Merge.SUM));
            assertTrue(e.getMessage().contains("LSTM(3, 4)") && e.getMessage().contains("GRU(3, 4)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new Bidirectional(lstm, both, Bidirectional.Merge.SUM));
            assertTrue(e.getMessage().contains("unidirectional"), e.getMessage());
        }
    }

    @Test
    void aCopyGivesTheSameOutputsFromTensorsOfItsOwn() {
        try (Bidirectional layer = gru(Bidirectional.Merge.CONCAT); Bidirectional copy = (Bidirectional) layer.copy()) {
            Tensor x = Tensor.randn(3, STEPS, 3);
            assertArrayEquals(layer.forward(x).toDoubleArray(), copy.forward(x).toDoubleArray(), 0);
            assertTrue(copy.forwardLayer() != layer.forwardLayer() && copy.backwardLayer() != layer.backwardLayer());
            assertTrue(copy.parameters().get(0) != layer.parameters().get(0), "the copy's own weights");
        }
    }

    @Test
    void anInitialStateWithoutHOrWithACOfAnotherShapeIsRefusedNamingIt() {
        try (Bidirectional layer = new Bidirectional(LSTM.builder(3, 4).build(), LSTM.builder(3, 4).build(),
                Bidirectional.Merge.CONCAT)) {
            Tensor x = Tensor.randn(STEPS, 2, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(x, new RecurrentState(null, Tensor.zeros(2, 2, 4)), null));
            assertTrue(e.getMessage().contains("initial h null must be [2, batch, hidden]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(x, new RecurrentState(Tensor.zeros(2, 2, 4), Tensor.zeros(1, 2, 4)), null));
            assertTrue(e.getMessage().contains("initial c [1, 2, 4] must have h's shape [2, 2, 4]"), e.getMessage());
        }
    }
}
