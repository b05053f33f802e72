package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransformerEncoderLayerTest {
    @Test
    void namesItsPartsAsPyTorchDoes() {
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.1)) {
            Set<String> names = layer.stateDict().keySet();
            for (String name : List.of("self_attn.in_proj_weight", "self_attn.out_proj.bias", "linear1.weight", "linear2.bias",
                    "norm1.weight", "norm2.bias")) {
                assertEquals(true, names.contains(name), name + " missing from " + names);
            }
            assertArrayEquals(new int[] {16, 8}, layer.stateDict().get("linear1.weight").shape().dims());
        }
    }

    @Test
    void paddedPositionsChangeNoOutputAtRealPositions() {
        Engine.seed(21);
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.0); Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor real = Tensor.randn(DType.F64, 1, 3, 8);
            Tensor mask = Attention.paddingMask(new int[] {3}, 5, DType.F64);
            Tensor a = layer.forward(Tensor.cat(List.of(real, Tensor.randn(DType.F64, 1, 2, 8)), 1), mask);
            Tensor b = layer.forward(Tensor.cat(List.of(real, Tensor.randn(DType.F64, 1, 2, 8).mul(5)), 1), mask);
            assertValues(a.narrow(1, 0, 3).toDoubleArray(), b.narrow(1, 0, 3), 1e-12);
            assertValues(layer.forward(real, null).toDoubleArray(), a.narrow(1, 0, 3), 1e-12);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        Engine.seed(22);
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6, 0.0); Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(x));
            inputs.addAll(layer.parameters());
            GradCheck.check("TransformerEncoderLayer", in -> layer.forward(in[0], mask), inputs.toArray(new Tensor[0]));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "gelu"})
    void postNormGradientsMatchFiniteDifferencesInF64(String activation) {
        Engine.seed(23);
        TransformerLayerOptions options = TransformerLayerOptions.postNorm().withActivation(activation);
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6, 0.0, options); Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(x));
            inputs.addAll(layer.parameters());
            GradCheck.check("post-norm TransformerEncoderLayer, " + activation, in -> layer.forward(in[0], mask),
                    inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void aPostNormLayerEndsInItsSecondNorm() {
        Engine.seed(24);
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.0, TransformerLayerOptions.postNorm());
             Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor y = layer.forward(Tensor.randn(DType.F64, 2, 3, 8).mul(5), null);
            assertValues(new double[6], y.mean(-1, false), 1e-12);
            assertValues(new double[] {1, 1, 1, 1, 1, 1}, y.square().mean(-1, false), 1e-4);
        }
    }

    @Test
    void rejectsAnUnknownActivationNamingTheLayerAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2,
                16, 0.1, TransformerLayerOptions.postNorm().withActivation("tanh")));
        assertTrue(e.getMessage().contains("TransformerEncoderLayer(8") && e.getMessage().contains("\"tanh\""),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1e-5, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsALayerNormEpsThatIsNotPositiveAndFiniteNamingTheLayerAndTheValue(double eps) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2,
                16, 0.1, TransformerLayerOptions.preNorm().withLayerNormEps(eps)));
        assertTrue(e.getMessage().contains("TransformerEncoderLayer(8") && e.getMessage().contains("layerNormEps")
                && e.getMessage().contains(Double.toString(eps)), e.getMessage());
    }

    @Test
    void floatSrcMaskAndKeyPaddingGradientsMatchFiniteDifferencesInF64() {
        Engine.seed(26);
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6, 0.0, TransformerLayerOptions.postNorm());
             Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            Tensor bias = Tensor.randn(DType.F64, 3, 3).requiresGrad(true);
            Tensor padding = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 0}, 2, 3).to(DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(x, bias));
            inputs.addAll(layer.parameters());
            GradCheck.check("TransformerEncoderLayer with a float src mask",
                    in -> layer.forward(in[0], AttentionMask.additive(in[1]), padding), inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void rejectsASrcKeyPaddingMaskOfTheWrongShapeNamingTheLayerAndTheShapes() {
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.0); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(x, null, Tensor.zeros(3, 2)));
            assertTrue(e.getMessage().contains("TransformerEncoderLayer(d_model=8")
                    && e.getMessage().contains("src key padding mask [3, 2]")
                    && e.getMessage().contains("[batch, S] = [2, 3]"), e.getMessage());
        }
    }

    @Test
    void rejectsASrcMaskOfTheWrongShapeNamingTheLayerAndTheShapes() {
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.0); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(x, AttentionMask.additive(Tensor.zeros(4, 4)), null));
            assertTrue(e.getMessage().contains("TransformerEncoderLayer(d_model=8") && e.getMessage().contains("src mask bias [4, 4]")
                    && e.getMessage().contains("[2, 3, 3]"), e.getMessage());
        }
    }
}
