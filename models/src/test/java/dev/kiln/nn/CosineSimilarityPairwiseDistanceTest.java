package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link CosineSimilarity} and {@link PairwiseDistance}, the two-input modules without parameters. */
class CosineSimilarityPairwiseDistanceTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor randn(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }

    @Test
    void gradientsOfBothInputsMatchFiniteDifferences() {
        CosineSimilarity cosine = new CosineSimilarity();
        GradCheck.check(cosine.toString(), in -> cosine.forward(in[0], in[1]), randn(3, 4), randn(3, 4));
        CosineSimilarity broadcast = new CosineSimilarity(-1, 1e-8);
        GradCheck.check(broadcast + " broadcast", in -> broadcast.forward(in[0], in[1]), randn(2, 3, 4), randn(3, 4));
        for (double p : new double[] {1, 2, 3, 0.5, Double.POSITIVE_INFINITY}) {
            PairwiseDistance distance = new PairwiseDistance(p, 1e-6, p == 3);
            GradCheck.check(distance.toString(), in -> distance.forward(in[0], in[1]), randn(3, 4), randn(3, 4));
        }
    }

    @Test
    void theCosineOfAZeroVectorIsZeroWithAFiniteGradientAsPyTorchs() {
        // torch.nn.CosineSimilarity()(zeros, x): 0, and x's gradient 0 (PyTorch 1.13)
        Tensor zero = Tensor.zeros(DType.F64, 1, 3).requiresGrad(true);
        Tensor x = Tensor.fromArray(new double[] {1, 2, 2}, 1, 3).requiresGrad(true);
        Tensor y = new CosineSimilarity().forward(zero, x);
        y.sum().backward();
        assertValues(new double[] {0}, y, 0);
        assertValues(new double[] {0, 0, 0}, x.grad(), 0);
        assertValues(new double[] {1 / 3e-8, 2 / 3e-8, 2 / 3e-8}, zero.grad(), 1e-3);
    }

    @Test
    void inputsThatDoNotBroadcastNameTheModuleAndBothShapes() {
        assertEquals("CosineSimilarity(dim=1, eps=1e-08): shapes [2, 3] and [2, 4] do not broadcast (dimension 1: 3 vs 4)",
                assertThrows(IllegalArgumentException.class,
                        () -> new CosineSimilarity().forward(Tensor.zeros(2, 3), Tensor.zeros(2, 4))).getMessage());
        assertEquals("PairwiseDistance(p=2.0, eps=1e-06, keepdim=False): shapes [2, 3] and [2, 4] do not broadcast"
                + " (dimension 1: 3 vs 4)", assertThrows(IllegalArgumentException.class,
                () -> new PairwiseDistance().forward(Tensor.zeros(2, 3), Tensor.zeros(2, 4))).getMessage());
    }

    @Test
    void anAxisTheInputsLackAndScalarInputsAreRefused() {
        assertEquals("CosineSimilarity(dim=1, eps=1e-08): inputs [4] and [4] have no axis 1",
                assertThrows(IllegalArgumentException.class,
                        () -> new CosineSimilarity().forward(Tensor.zeros(4), Tensor.zeros(4))).getMessage());
        assertEquals("PairwiseDistance(p=2.0, eps=1e-06, keepdim=False): inputs [] and [] are scalars; they need an"
                + " axis to measure along", assertThrows(IllegalArgumentException.class,
                () -> new PairwiseDistance().forward(Tensor.scalar(1), Tensor.scalar(2))).getMessage());
    }

    @Test
    void badSettingsAndTheOneInputForwardAreRefused() {
        assertEquals("PairwiseDistance: p must be positive (or infinity), got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new PairwiseDistance(0, 1e-6, false)).getMessage());
        assertEquals("CosineSimilarity: eps must be at least 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> new CosineSimilarity(1, -1)).getMessage());
        assertEquals("CosineSimilarity(dim=1, eps=1e-08) takes two inputs; call forward(x1, x2)",
                assertThrows(UnsupportedOperationException.class,
                        () -> new CosineSimilarity().forward(Tensor.zeros(2, 3))).getMessage());
        assertThrows(UnsupportedOperationException.class, () -> new PairwiseDistance().forward(Tensor.zeros(2, 3)));
    }
}
