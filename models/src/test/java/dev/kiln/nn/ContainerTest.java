package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sequential, Residual, Flatten and Unflatten. */
class ContainerTest {
    @BeforeEach
    void seed() {
        Engine.seed(5);
    }

    @Test
    void sequentialAppliesModulesInOrder() {
        try (Sequential seq = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(5, 3);
            Linear a = (Linear) seq.get(0);
            Linear b = (Linear) seq.get(2);
            Tensor expected = F.linear(F.linear(x, a.weight(), a.bias()).relu(), b.weight(), b.bias());
            assertValues(expected.toDoubleArray(), seq.forward(x), 1e-6);
        }
    }

    @Test
    void sequentialFusesALinearWithTheActivationAfterItWithoutChangingValuesOrGradients() {
        try (Sequential seq = new Sequential(new Linear(6, 8), new Tanh(), new Linear(8, 5), new LeakyReLU(0.2),
                new Linear(5, 3)); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(7, 6);
            Tensor upstream = Tensor.randn(7, 3);
            Tensor y = seq.forward(x);
            y.backward(upstream);
            List<double[]> fusedGrads = seq.parameters().stream().map(p -> p.grad().toDoubleArray()).toList();
            seq.parameters().forEach(Tensor::zeroGrad);
            Tensor h = x;
            for (int i = 0; i < seq.size(); i++) {
                h = seq.get(i).forward(h);
            }
            h.backward(upstream);
            assertArrayEquals(h.toDoubleArray(), y.toDoubleArray(), 0);
            for (int i = 0; i < fusedGrads.size(); i++) {
                assertArrayEquals(seq.parameters().get(i).grad().toDoubleArray(), fusedGrads.get(i), 0, "parameter " + i);
            }
        }
    }

    @Test
    void sequentialRunsALinearAndItsActivationAsOneOp() {
        try (Sequential pair = new Sequential(new Linear(8, 5), new LeakyReLU(0.2)); Scope s = Scope.open()) {
            assertEquals("linear+leaky_relu", pair.forward(Tensor.randn(7, 8)).gradFnName());
        }
    }

    @Test
    void sequentialLeavesASubclassOfLinearUnfused() {
        Linear doubled = new Linear(3, 4) {
            @Override
            public Tensor forward(Tensor x) {
                return super.forward(x).mul(2);
            }
        };
        try (Sequential seq = new Sequential(doubled, new Sigmoid()); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(5, 3);
            Tensor expected = F.linear(x, doubled.weight(), doubled.bias()).mul(2).sigmoid();
            Tensor y = seq.forward(x);
            assertEquals("sigmoid", y.gradFnName());
            assertValues(expected.toDoubleArray(), y, 0);
        }
    }

    @Test
    void aCheckpointedSequentialGivesThePlainValuesAndGradientsWithDropout() {
        try (Sequential plain = blocks(); Sequential checkpointed = plain.copy().checkpoint(true);
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 5, 6).requiresGrad(true);
            Tensors.assertSameStep(plain, plain::forward, checkpointed, checkpointed::forward, x);
            assertTrue(checkpointed.checkpointing() && !plain.checkpointing(), "off by default, copied as it is");
        }
    }

    @Test
    void checkpointSequentialGivesThePlainValuesAndGradientsWithDropout() {
        try (Sequential plain = blocks(); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 5, 6).requiresGrad(true);
            for (int segments = 1; segments <= plain.size(); segments++) {
                int n = segments;
                Tensors.assertSameStep(plain, plain::forward, plain, h -> plain.checkpointSequential(n, h), x);
            }
        }
    }

    @Test
    void checkpointSequentialNamesASegmentCountOutOfRange() {
        try (Sequential seq = new Sequential(new Linear(2, 2), new Tanh()); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> seq.checkpointSequential(3, Tensor.randn(1, 2)));
            assertEquals("Sequential.checkpointSequential: segments must be in [1, 2] for 2 modules, got 3", e.getMessage());
        }
    }

    /** Residual blocks with dropout and a fused Linear and Tanh between them, F64. */
    private static Sequential blocks() {
        Sequential seq = new Sequential(
                new Residual(new Sequential(new Linear(6, 12), new GELU(), new Dropout(0.3), new Linear(12, 6))),
                new Linear(6, 6), new Tanh(),
                new Residual(new Sequential(new LayerNorm(6), new Linear(6, 6), new Dropout(0.5))), new Sigmoid());
        seq.to(DType.F64);
        return seq;
    }

    @Test
    void sequentialAddGetAndSize() {
        Sequential seq = new Sequential(List.of(new Tanh()));
        ReLU relu = new ReLU();
        assertSame(seq, seq.add(relu));
        assertEquals(2, seq.size());
        assertSame(relu, seq.get(1));
        assertEquals(List.of("", "0", "1"), List.copyOf(seq.namedModules().keySet()));
        assertThrows(IndexOutOfBoundsException.class, () -> seq.get(2));
    }

    @Test
    void emptySequentialIsTheIdentity() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 2);
            assertSame(x, new Sequential().forward(x));
        }
    }

    @Test
    void residualAddsInputToInnerOutput() {
        try (Residual r = new Residual(new Linear(3, 3)); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(4, 3);
            Linear inner = (Linear) r.inner();
            Tensor expected = x.add(F.linear(x, inner.weight(), inner.bias()));
            assertValues(expected.toDoubleArray(), r.forward(x), 1e-6);
            assertEquals(List.of("inner.weight", "inner.bias"), List.copyOf(r.stateDict().keySet()));
        }
    }

    @Test
    void residualWithShapeChangingInnerNamesBothShapes() {
        try (Residual r = new Residual(new Linear(3, 5)); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.forward(Tensor.zeros(4, 3)));
            assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
        }
    }

    @Test
    void residualGradientsMatchFiniteDifferences() {
        try (Residual r = new Residual(new Sequential(new Linear(3, 3), new Tanh())); Scope s = Scope.open()) {
            r.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
            Tensor[] inputs = new Tensor[1 + r.parameters().size()];
            inputs[0] = x;
            for (int i = 0; i < r.parameters().size(); i++) {
                inputs[i + 1] = r.parameters().get(i);
            }
            GradCheck.check("Residual", in -> r.forward(in[0]), inputs);
        }
    }

    @Test
    void flattenKeepsTheBatchDimension() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.arange(120).reshape(2, 3, 4, 5);
            Tensor y = new Flatten().forward(x);
            assertArrayEquals(new int[] {2, 60}, y.shape().dims());
            assertArrayEquals(x.toFloatArray(), y.toFloatArray());
            assertArrayEquals(new int[] {2, 3, 20}, new Flatten(2).forward(x).shape().dims());
        }
    }

    @Test
    void unflattenExpandsOneAxisAndUndoesFlatten() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.arange(120).reshape(2, 3, 4, 5);
            Tensor flat = new Flatten().forward(x);
            Tensor back = new Unflatten(1, 3, 4, 5).forward(flat);
            assertArrayEquals(new int[] {2, 3, 4, 5}, back.shape().dims());
            assertArrayEquals(x.toFloatArray(), back.toFloatArray());
            assertArrayEquals(new int[] {2, 3, 2, 10}, new Unflatten(2, 2, 10).forward(new Flatten(2).forward(x)).shape().dims());
        }
    }

    @Test
    void unflattenNamesTheAxisItCannotSplit() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Unflatten(1, 32, 7, 7).forward(Tensor.zeros(2, 1500)));
            assertTrue(e.getMessage().contains("Unflatten(dim=1, unflattened_size=(32, 7, 7))") && e.getMessage().contains("[2, 1500]")
                    && e.getMessage().contains("1568"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Unflatten(1, 0, 7));
        }
    }
}
