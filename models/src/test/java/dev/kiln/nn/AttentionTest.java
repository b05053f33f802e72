package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AttentionTest {
    // One query [1, 1, 2] against three keys [1, 3, 2]; values [1, 3, 2].
    private static final double[] QUERY = {1, 2};
    private static final double[] KEYS = {1, 0, 0, 1, 1, 1};
    private static final double[] VALUES = {1, 2, 3, 4, 5, 6};

    @BeforeEach
    void seed() {
        Engine.seed(7);
    }

    @Test
    void dotAttentionWeightsAreTheSoftmaxOfDotProducts() {
        try (Scope s = Scope.open()) {
            AttentionOutput out = new DotProductAttention(false).attend(query(), keys(), values(), null);
            double[] w = softmax(1, 2, 3);
            Tensors.assertValues(w, out.weights(), 1e-12);
            Tensors.assertValues(weightedValues(w), out.context(), 1e-12);
        }
    }

    @Test
    void scaledDotAttentionDividesScoresBySqrtOfWidth() {
        try (Scope s = Scope.open()) {
            AttentionOutput out = new DotProductAttention(true).attend(query(), keys(), values(), null);
            double r = Math.sqrt(2);
            Tensors.assertValues(softmax(1 / r, 2 / r, 3 / r), out.weights(), 1e-12);
        }
    }

    @Test
    void generalAttentionScoresQueryAgainstProjectedKeys() {
        try (Scope s = Scope.open()) {
            GeneralAttention a = (GeneralAttention) new GeneralAttention(2, 2).to(DType.F64);
            Linear w = (Linear) a.namedModules().get("linear_in");
            Tensors.set(w.weight(), 2, 0, 1, -1);
            // W k for k = (1,0), (0,1), (1,1): (2,1), (0,-1), (2,0); q = (1,2).
            AttentionOutput out = a.attend(query(), keys(), values(), null);
            Tensors.assertValues(softmax(4, -2, 2), out.weights(), 1e-12);
        }
    }

    @Test
    void additiveAttentionScoresWithOneTanhLayer() {
        try (Scope s = Scope.open()) {
            AdditiveAttention a = (AdditiveAttention) new AdditiveAttention(2, 2, 2).to(DType.F64);
            Tensors.set(((Linear) a.namedModules().get("query")).weight(), 1, 0, 0, 1);
            Tensors.set(((Linear) a.namedModules().get("key")).weight(), 1, 0, 0, -1);
            Tensors.set(((Linear) a.namedModules().get("key")).bias(), 0.5, 0);
            Tensors.set(((Linear) a.namedModules().get("v")).weight(), 1, 2);
            double[] expected = new double[3];
            for (int k = 0; k < 3; k++) {
                double h0 = Math.tanh(QUERY[0] + KEYS[2 * k] + 0.5);
                double h1 = Math.tanh(QUERY[1] - KEYS[2 * k + 1]);
                expected[k] = h0 + 2 * h1;
            }
            AttentionOutput out = a.attend(query(), keys(), values(), null);
            Tensors.assertValues(softmax(expected[0], expected[1], expected[2]), out.weights(), 1e-12);
        }
    }

    @Test
    void maskedKeysGetNoWeight() {
        try (Scope s = Scope.open()) {
            Tensor mask = Attention.paddingMask(new int[] {2}, 3, DType.F64);
            AttentionOutput out = new DotProductAttention(false).attend(query(), keys(), values(), mask);
            double[] w = softmax(1, 2);
            Tensors.assertValues(new double[] {w[0], w[1], 0}, out.weights(), 1e-12);
        }
    }

    @Test
    void paddingTheKeysChangesNoOutputOfAnyScore() {
        for (Attention a : List.of(new DotProductAttention(false), new GeneralAttention(2, 2), new AdditiveAttention(2, 2, 3))) {
            try (Scope s = Scope.open()) {
                Attention layer = (Attention) a.to(DType.F64);
                AttentionOutput alone = layer.attend(query(), keys(), values(), null);
                Tensor paddedKeys = Tensor.cat(List.of(keys(), Tensor.randn(DType.F64, 1, 2, 2)), 1);
                Tensor paddedValues = Tensor.cat(List.of(values(), Tensor.randn(DType.F64, 1, 2, 2)), 1);
                AttentionOutput padded = layer.attend(query(), paddedKeys, paddedValues,
                        Attention.paddingMask(new int[] {3}, 5, DType.F64));
                Tensors.assertValues(alone.context().toDoubleArray(), padded.context(), 1e-12);
                Tensors.assertValues(alone.weights().toDoubleArray(), padded.weights().narrow(2, 0, 3), 1e-12);
            }
        }
    }

    @Test
    void causalMaskHidesLaterSteps() {
        try (Scope s = Scope.open()) {
            Tensors.assertValues(new double[] {0, 1, 1, 0, 0, 1, 0, 0, 0}, Attention.causalMask(3, DType.F64), 0);
            Tensor x = Tensor.randn(DType.F64, 1, 3, 2);
            AttentionOutput out = new DotProductAttention(true).attend(x, x, x, Attention.causalMask(3, DType.F64));
            double[] w = out.weights().toDoubleArray();
            assertEquals(1.0, w[0], 1e-12, "the first step can only look at itself");
            assertEquals(0.0, w[5], 0, "step 1 never looks at step 2");
        }
    }

    @Test
    void gradientsOfEveryScoreMatchFiniteDifferences() {
        for (Attention a : List.of(new DotProductAttention(true), new GeneralAttention(2, 3), new AdditiveAttention(2, 3, 4))) {
            try (Scope s = Scope.open()) {
                Attention layer = (Attention) a.to(DType.F64);
                int keyWidth = a instanceof DotProductAttention ? 2 : 3;
                Tensor q = Tensor.randn(DType.F64, 2, 2, 2).requiresGrad(true);
                Tensor k = Tensor.randn(DType.F64, 2, 3, keyWidth).requiresGrad(true);
                Tensor v = Tensor.randn(DType.F64, 2, 3, 2).requiresGrad(true);
                Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
                Tensor[] inputs = java.util.stream.Stream.concat(java.util.stream.Stream.of(q, k, v),
                        layer.parameters().stream()).toArray(Tensor[]::new);
                GradCheck.check(layer.toString(), in -> layer.attend(in[0], in[1], in[2], mask).context(), inputs);
            }
        }
    }

    @Test
    void mismatchedShapesAreNamed() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DotProductAttention(false).attend(query(), keys(), Tensor.zeros(DType.F64, 1, 4, 2), null));
            assertTrue(e.getMessage().contains("[1, 4, 2]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Attention.paddingMask(new int[] {0}, 3, DType.F64));
        }
    }

    @Test
    void aMaskLargerThanTheScoresIsRejectedRatherThanGrowingTheOutput() {
        try (Scope s = Scope.open()) {
            Tensor queries = Tensor.randn(DType.F64, 1, 1, 4);
            Tensor keys = Tensor.randn(DType.F64, 1, 3, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DotProductAttention(false).attend(queries, keys, keys, Tensor.zeros(DType.F64, 1, 2, 3)));
            assertTrue(e.getMessage().contains("mask [1, 2, 3]") && e.getMessage().contains("[1, 1, 3]"), e.getMessage());
        }
    }

    @Test
    void aMaskOfAnotherKeyLengthIsRejectedNamingTheMask() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DotProductAttention(false).attend(query(), keys(), values(), Tensor.zeros(DType.F64, 1, 1, 4)));
            assertTrue(e.getMessage().contains("mask [1, 1, 4]") && e.getMessage().contains("[1, 1, 3]"), e.getMessage());
        }
    }

    @Test
    void aMaskThatBroadcastsIsAccepted() {
        try (Scope s = Scope.open()) {
            Tensor mask = Tensor.fromArray(new double[] {0, 0, 1}, 3);
            AttentionOutput out = new DotProductAttention(false).attend(query(), keys(), values(), mask);
            Tensors.assertValues(softmax(1, 2, -1e9), out.weights(), 1e-12);
        }
    }

    @Test
    void preparedKeysThatAreNotThreeDimensionalAreRejected() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DotProductAttention(false).attendPrepared(query(), Tensor.zeros(DType.F64, 1, 3), values(), null));
            assertTrue(e.getMessage().contains("prepared keys [1, 3]"), e.getMessage());
        }
    }

    private static Tensor query() {
        return Tensor.fromArray(QUERY, 1, 1, 2);
    }

    private static Tensor keys() {
        return Tensor.fromArray(KEYS, 1, 3, 2);
    }

    private static Tensor values() {
        return Tensor.fromArray(VALUES, 1, 3, 2);
    }

    private static double[] softmax(double... scores) {
        double sum = 0;
        double[] e = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            e[i] = Math.exp(scores[i]);
            sum += e[i];
        }
        for (int i = 0; i < e.length; i++) {
            e[i] /= sum;
        }
        return e;
    }

    private static double[] weightedValues(double[] w) {
        double[] c = new double[2];
        for (int k = 0; k < w.length; k++) {
            c[0] += w[k] * VALUES[2 * k];
            c[1] += w[k] * VALUES[2 * k + 1];
        }
        return c;
    }

    @Test
    void aScoreBiasIsAddedToTheScoresBeforeTheSoftmaxAndTheMaskOverridesIt() {
        try (Scope s = Scope.open()) {
            Tensor bias = Tensor.fromArray(new double[] {0.5, -1, 100}, 1, 1, 3).to(DType.F64);
            Tensor mask = Tensor.fromArray(new double[] {0, 0, 1}, 1, 1, 3).to(DType.F64);
            AttentionOutput out = new DotProductAttention(false).attend(query(), keys(), values(), mask, bias);
            Tensors.assertValues(softmax(1.5, 1, Attention.MASKED_SCORE), out.weights(), 1e-12);
        }
    }

    @Test
    void aScoreBiasLargerThanTheScoresIsRejectedNamingIt() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DotProductAttention(false)
                    .attend(query(), keys(), values(), null, Tensor.zeros(DType.F64, 2, 1, 3)));
            assertTrue(e.getMessage().contains("score bias [2, 1, 3]") && e.getMessage().contains("[1, 1, 3]"), e.getMessage());
        }
    }
}
