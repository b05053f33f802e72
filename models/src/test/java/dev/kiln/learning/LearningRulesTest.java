package dev.kiln.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BytesInUse;
import dev.kiln.nn.Linear;
import dev.kiln.optim.Optimizers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LearningRulesTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(21);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor labels(long... values) {
        return Tensor.fromArray(values, values.length);
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + ": element " + i);
        }
    }

    @Test
    void feedbackAlignmentLayerComputesTheLinearForward() {
        try (FeedbackAlignmentLinear fa = new FeedbackAlignmentLinear(5, 3)) {
            Tensor x = Tensor.randn(4, 5);
            assertClose(F.linear(x, fa.weight(), fa.bias()).toDoubleArray(), fa.forward(x).toDoubleArray(), 1e-6, "y");
        }
    }

    @Test
    void feedbackAlignmentSendsTheErrorThroughTheFixedMatrixNotTheWeights() {
        try (FeedbackAlignmentLinear fa = new FeedbackAlignmentLinear(5, 3)) {
            Tensor x = Tensor.randn(4, 5).requiresGrad(true);
            Tensor g = Tensor.randn(4, 3);
            fa.forward(x).backward(g);
            assertClose(g.matmul(fa.feedback()).toDoubleArray(), x.grad().toDoubleArray(), 1e-5, "input gradient");
            assertClose(g.t().matmul(x.detach()).toDoubleArray(), fa.weight().grad().toDoubleArray(), 1e-5, "weight gradient");
            assertClose(g.sum(0, false).toDoubleArray(), fa.bias().grad().toDoubleArray(), 1e-5, "bias gradient");
        }
    }

    @Test
    void feedbackAlignmentWeightAndBiasGradientsAreTheTrueOnesInF64() {
        try (FeedbackAlignmentLinear fa = new FeedbackAlignmentLinear(4, 3)) {
            fa.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 4);
            GradCheck.check("FeedbackAlignmentLinear", in -> fa.forward(x).tanh(), fa.weight(), fa.bias());
        }
    }

    @Test
    void feedbackMatrixIsSavedWithTheStateDictButNotTrained() {
        try (FeedbackAlignmentLinear fa = new FeedbackAlignmentLinear(4, 3)) {
            assertTrue(fa.stateDict().containsKey("feedback"));
            assertEquals(List.of("weight", "bias"), List.copyOf(fa.namedParameters().keySet()));
        }
    }

    /** Hidden layer i of DFA receives e B_i through its ReLU: dW_1 = ((e B_1) * [a_1 > 0])^T x, by hand. */
    @Test
    void directFeedbackAlignmentSendsTheOutputErrorStraightToTheHiddenLayer() {
        try (LayeredMlp mlp = new LayeredMlp(new int[] {6, 5, 3}, Linear::new);
             DirectFeedbackAlignment dfa = new DirectFeedbackAlignment(mlp, p -> Optimizers.create("sgd", p, 0.1))) {
            Tensor x = Tensor.randn(4, 6);
            Tensor y = labels(0, 2, 1, 2);
            dfa.computeGradients(x, y);
            Tensor a = F.linear(x, mlp.layer(0).weight(), mlp.layer(0).bias());
            Tensor logits = F.linear(a.relu(), mlp.layer(1).weight(), mlp.layer(1).bias());
            Tensor oneHot = Tensor.zeros(4, 3).scatterAdd(1, y.reshape(4, 1), Tensor.ones(4, 1));
            Tensor error = F.softmax(logits, 1).sub(oneHot).mul(0.25);
            Tensor delta = error.matmul(dfa.feedback(0)).mul(a.gt(Tensor.scalar(0)).to(DType.F32));
            assertClose(delta.t().matmul(x).toDoubleArray(), mlp.layer(0).weight().grad().toDoubleArray(), 1e-5,
                    "hidden weight update");
            assertClose(error.t().matmul(a.relu()).toDoubleArray(), mlp.layer(1).weight().grad().toDoubleArray(), 1e-5,
                    "output weight gradient (the true one)");
        }
    }

    @Test
    void backpropagationPointsExactlyAlongTheTrueGradient() {
        try (LayeredMlp mlp = new LayeredMlp(new int[] {6, 8, 8, 3}, Linear::new);
             Backpropagation bp = new Backpropagation("backprop", mlp, p -> Optimizers.create("sgd", p, 0.1))) {
            double[] angles = GradientAngles.measure(bp, Tensor.randn(16, 6), labels(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0));
            for (double angle : angles) {
                assertEquals(0, angle, 0.5);
            }
        }
    }

    @Test
    void feedbackAlignmentUpdatesTheOutputLayerTrulyAndTheHiddenLayersOtherwise() {
        try (LayeredMlp mlp = new LayeredMlp(new int[] {6, 8, 8, 3}, FeedbackAlignmentLinear::new);
             Backpropagation fa = new Backpropagation("fa", mlp, p -> Optimizers.create("sgd", p, 0.1))) {
            double[] angles = GradientAngles.measure(fa, Tensor.randn(16, 6), labels(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0));
            assertEquals(0, angles[2], 0.5, "output layer");
            assertTrue(angles[0] > 5 && angles[1] > 5, "hidden layers before any training: " + java.util.Arrays.toString(angles));
        }
    }

    @Test
    void anglesBetweenVectorsAreMeasuredInDegrees() {
        Tensor a = Tensor.fromArray(new float[] {1, 0, 0}, 3);
        assertEquals(0, GradientAngles.degrees(a, a.mul(2)), 1e-6);
        assertEquals(90, GradientAngles.degrees(a, Tensor.fromArray(new float[] {0, 3, 0}, 3)), 1e-6);
        assertEquals(180, GradientAngles.degrees(a, a.neg()), 1e-6);
        assertEquals(45, GradientAngles.degrees(a, Tensor.fromArray(new float[] {1, 1, 0}, 3)), 1e-4);
    }

    /** Created without an open scope, as kiln methods does: nothing may wait for the garbage collector. */
    @Test
    void syntheticGradientsLeaveNoTensorBehindOnceClosed() {
        long before = Engine.get().backend().bytesInUse();
        Scope.outside(() -> {
            LayeredMlp mlp = new LayeredMlp(new int[] {6, 8, 8, 3}, Linear::new);
            new SyntheticGradients(mlp, p -> Optimizers.create("adam", p, 1e-3)).close();
            return null;
        });
        assertEquals(before, Engine.get().backend().bytesInUse());
    }

    @Test
    void everyMethodStartsFromTheSameWeights() {
        int[] sizes = {6, 5, 4, 3};
        List<double[]> backprop = initialWeights("backprop", sizes);
        for (String method : MethodComparison.ALL) {
            List<double[]> weights = initialWeights(method, sizes);
            for (int i = 0; i < weights.size(); i++) {
                assertArrayEquals(backprop.get(i), weights.get(i), method + ": parameter " + i);
            }
        }
    }

    /** Each layer's weight and bias, as the method's model starts with seed 1. */
    private static List<double[]> initialWeights(String method, int[] sizes) {
        Engine.seed(1);
        try (TrainingMethod m = MethodComparison.create(method, sizes, 1e-3)) {
            return m.model().parameters().stream().map(Tensor::toDoubleArray).toList();
        }
    }

    @Test
    void syntheticGradientsUpdateEachLayerBeforeTheLayersAboveRunTheirBackward() {
        try (LayeredMlp mlp = new LayeredMlp(new int[] {6, 8, 8, 3}, Linear::new);
             SyntheticGradients dni = new SyntheticGradients(mlp, p -> Optimizers.create("adam", p, 1e-3))) {
            List<String> events = new ArrayList<>();
            dni.trace(events::add).step(Tensor.randn(4, 6), labels(0, 1, 2, 1));
            assertEquals(List.of("forward 0", "update 0", "forward 1", "update 1", "predictor 0", "forward 2", "update 2",
                    "predictor 1"), events);
        }
    }

    @Test
    void syntheticGradientsStartSilentThenMoveTheHiddenLayersOnceThePredictorsLearn() {
        try (LayeredMlp mlp = new LayeredMlp(new int[] {6, 8, 3}, Linear::new);
             SyntheticGradients dni = new SyntheticGradients(mlp, p -> Optimizers.create("adam", p, 1e-2))) {
            Tensor x = Tensor.randn(8, 6);
            Tensor y = labels(0, 1, 2, 1, 0, 2, 2, 1);
            double[] before = mlp.layer(0).weight().toDoubleArray();
            dni.step(x, y);
            assertArrayEquals(before, mlp.layer(0).weight().toDoubleArray(), "zero-initialised predictor: no signal yet");
            for (int i = 0; i < 5; i++) {
                dni.step(x, y);
            }
            assertFalse(java.util.Arrays.equals(before, mlp.layer(0).weight().toDoubleArray()));
        }
    }
}
