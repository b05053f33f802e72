package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link AdaptiveLogSoftmaxWithLoss}: its structure, gradients, the full distribution and the errors. */
class AdaptiveLogSoftmaxWithLossTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(31);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static AdaptiveLogSoftmaxWithLoss twoClusters() {
        return (AdaptiveLogSoftmaxWithLoss) new AdaptiveLogSoftmaxWithLoss(8, 12, new int[] {4, 9}, 2.0, true)
                .to(DType.F64);
    }

    @Test
    void parametersHavePyTorchsNamesAndShapes() {
        Map<String, List<Integer>> shapes = new LinkedHashMap<>();
        twoClusters().namedParameters().forEach((name, p) -> shapes.put(name,
                java.util.Arrays.stream(p.shape().dims()).boxed().toList()));
        assertEquals(Map.of("head.weight", List.of(6, 8), "head.bias", List.of(6),
                "tail.0.0.weight", List.of(4, 8), "tail.0.1.weight", List.of(5, 4),
                "tail.1.0.weight", List.of(2, 8), "tail.1.1.weight", List.of(3, 2)), shapes);
    }

    @Test
    void theFullDistributionSumsToOneAndForwardReadsItAtTheTargets() {
        AdaptiveLogSoftmaxWithLoss asm = twoClusters();
        Tensor x = Tensor.randn(DType.F64, 5, 8);
        Tensor logProb = asm.logProb(x);
        double[] rowSums = logProb.exp().sum(1, false).toDoubleArray();
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, rowSums, 1e-12);
        long[] targets = {0, 5, 11, 3, 9};
        AdaptiveSoftmaxOutput out = asm.forward(x, Tensor.fromArray(targets, 5));
        double[] all = logProb.toDoubleArray();
        double[] picked = new double[5];
        double mean = 0;
        for (int r = 0; r < 5; r++) {
            picked[r] = all[r * 12 + (int) targets[r]];
            mean -= picked[r] / 5;
        }
        assertArrayEquals(picked, out.output().toDoubleArray(), 1e-12);
        assertEquals(mean, out.loss().item(), 1e-12);
    }

    @Test
    void predictIsTheMostProbableClass() {
        AdaptiveLogSoftmaxWithLoss asm = twoClusters();
        Tensor x = Tensor.randn(DType.F64, 20, 8).mul(3.0);
        assertArrayEquals(asm.logProb(x).argmax(1, false).toLongArray(), asm.predict(x).toLongArray());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        AdaptiveLogSoftmaxWithLoss asm = twoClusters();
        Tensor x = Tensor.randn(DType.F64, 6, 8).requiresGrad(true);
        Tensor targets = Tensor.fromArray(new long[] {1, 10, 4, 8, 11, 0}, 6);
        List<Tensor> params = List.copyOf(asm.namedParameters().values());
        Tensor[] inputs = new Tensor[params.size() + 1];
        inputs[0] = x;
        for (int i = 0; i < params.size(); i++) {
            inputs[i + 1] = params.get(i);
        }
        GradCheck.check("AdaptiveLogSoftmaxWithLoss loss", in -> asm.forward(in[0], targets).loss(), inputs);
        GradCheck.check("AdaptiveLogSoftmaxWithLoss logProb", in -> asm.logProb(in[0]), inputs);
    }

    @Test
    void withoutGradientsOnlyTheOutputAndLossOutliveTheForwardPass() {
        AdaptiveLogSoftmaxWithLoss asm = twoClusters();
        Tensor x = Tensor.randn(DType.F64, 4, 8);
        Tensor targets = Tensor.fromArray(new long[] {1, 10, 4, 8}, 4);
        List<Tensor> held;
        try (Autograd.Guard g = Autograd.noGrad()) {
            Scope inner = Scope.open();
            AdaptiveSoftmaxOutput out = asm.forward(x, targets);
            held = inner.detach();
            assertEquals(List.of(out.output(), out.loss()), held);
        }
        held.forEach(Tensor::close);
    }

    @Test
    void aCopyGivesTheSameLoss() {
        AdaptiveLogSoftmaxWithLoss asm = twoClusters();
        Tensor x = Tensor.randn(DType.F64, 3, 8);
        Tensor targets = Tensor.fromArray(new long[] {2, 7, 11}, 3);
        Module copy = asm.copy();
        assertEquals(asm.forward(x, targets).loss().item(),
                ((AdaptiveLogSoftmaxWithLoss) copy).forward(x, targets).loss().item(), 0);
    }

    @Test
    void i32TargetsGiveTheSameOutputAsI64() {
        AdaptiveLogSoftmaxWithLoss asm = twoClusters();
        Tensor x = Tensor.randn(DType.F64, 3, 8);
        assertArrayEquals(asm.forward(x, Tensor.fromArray(new long[] {2, 7, 11}, 3)).output().toDoubleArray(),
                asm.forward(x, Tensor.fromArray(new int[] {2, 7, 11}, 3)).output().toDoubleArray(), 0);
    }

    @Test
    void anEmptyBatchGivesAnEmptyOutputAndANaNLossAsPyTorch() {
        AdaptiveLogSoftmaxWithLoss asm = new AdaptiveLogSoftmaxWithLoss(4, 6, new int[] {2, 4}, 2.0, false);
        AdaptiveSoftmaxOutput result = asm.forward(Tensor.zeros(0, 4), Tensor.zeros(DType.I64, 0));
        assertArrayEquals(new int[] {0}, result.output().shape().dims());
        assertTrue(Double.isNaN(result.loss().item()));
    }

    @Test
    void aDivValueThatLeavesATailClusterNoFeaturesIsRefusedNamingTheLayer() {
        assertEquals("AdaptiveLogSoftmaxWithLoss: tail cluster 1 would project 3 features to floor(3 / 4.0^2) = 0 (an"
                + " empty Linear, which Kiln does not make); give a divValue of at most 1.7320508075688772 or fewer"
                + " cutoffs", assertThrows(IllegalArgumentException.class,
                        () -> new AdaptiveLogSoftmaxWithLoss(3, 6, new int[] {2, 4})).getMessage());
        assertEquals("AdaptiveLogSoftmaxWithLoss: divValue must be a positive number, got NaN",
                assertThrows(IllegalArgumentException.class,
                        () -> new AdaptiveLogSoftmaxWithLoss(3, 6, new int[] {2}, Double.NaN, false)).getMessage());
    }

    @Test
    void badCutoffsAreRefused() {
        assertEquals("AdaptiveLogSoftmaxWithLoss: cutoffs should be unique, positive integers sorted in increasing"
                + " order, each between 1 and nClasses - 1 = 9, got [3, 3]",
                assertThrows(IllegalArgumentException.class,
                        () -> new AdaptiveLogSoftmaxWithLoss(4, 10, new int[] {3, 3})).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveLogSoftmaxWithLoss(4, 10, new int[] {2, 10}));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveLogSoftmaxWithLoss(4, 10, new int[] {0, 5}));
    }

    @Test
    void mismatchedInputAndTargetsAreRefusedNamingBothShapes() {
        AdaptiveLogSoftmaxWithLoss asm = twoClusters();
        assertEquals("AdaptiveLogSoftmaxWithLoss(in_features=8, n_classes=12, cutoffs=[4, 9], div_value=2.0): input"
                + " [3, 8] and target [4] must be [batch, 8] and [batch], or [8] and a scalar",
                assertThrows(IllegalArgumentException.class, () -> asm.forward(Tensor.zeros(DType.F64, 3, 8),
                        Tensor.fromArray(new long[] {0, 1, 2, 3}, 4))).getMessage());
        assertEquals("AdaptiveLogSoftmaxWithLoss(in_features=8, n_classes=12, cutoffs=[4, 9], div_value=2.0): input"
                + " [2, 7] must be [batch, 8]",
                assertThrows(IllegalArgumentException.class, () -> asm.logProb(Tensor.zeros(DType.F64, 2, 7)))
                        .getMessage());
    }

    @Test
    void aTargetOutOfRangeIsRefused() {
        AdaptiveLogSoftmaxWithLoss asm = twoClusters();
        assertEquals("AdaptiveLogSoftmaxWithLoss(in_features=8, n_classes=12, cutoffs=[4, 9], div_value=2.0): target"
                + " 12 is out of range [0, 12)",
                assertThrows(IllegalArgumentException.class, () -> asm.forward(Tensor.zeros(DType.F64, 2, 8),
                        Tensor.fromArray(new long[] {3, 12}, 2))).getMessage());
    }

    @Test
    void theOneInputForwardIsRefused() {
        assertThrows(UnsupportedOperationException.class, () -> twoClusters().forward(Tensor.zeros(DType.F64, 2, 8)));
    }
}
