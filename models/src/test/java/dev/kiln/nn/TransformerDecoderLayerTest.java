package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

class TransformerDecoderLayerTest {
    @Test
    void namesItsPartsAsPyTorchDoes() {
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16, 0.1)) {
            Set<String> names = layer.stateDict().keySet();
            for (String name : List.of("self_attn.in_proj_weight", "multihead_attn.in_proj_bias", "linear1.weight",
                    "linear2.bias", "norm1.weight", "norm2.weight", "norm3.bias")) {
                assertEquals(true, names.contains(name), name + " missing from " + names);
            }
        }
    }

    @Test
    void underTheCausalMaskALaterTargetPositionChangesNoEarlierOutput() {
        Engine.seed(31);
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16, 0.0); Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor memory = Tensor.randn(DType.F64, 1, 4, 8);
            Tensor y = Tensor.randn(DType.F64, 1, 5, 8);
            Tensor changed = Tensor.cat(List.of(y.narrow(1, 0, 3), Tensor.randn(DType.F64, 1, 2, 8)), 1);
            Tensor causal = Attention.causalMask(5, DType.F64);
            Tensor a = layer.forward(y, memory, causal, null).output();
            Tensor b = layer.forward(changed, memory, causal, null).output();
            assertValues(a.narrow(1, 0, 3).toDoubleArray(), b.narrow(1, 0, 3), 1e-12);
            assertNotEquals(a.narrow(1, 3, 1).toDoubleArray()[0], b.narrow(1, 3, 1).toDoubleArray()[0]);
        }
    }

    @Test
    void stepsWithACacheGiveTheCausalForwardOutputPositionByPosition() {
        Engine.seed(33);
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16, 0.1); Scope s = Scope.open()) {
            layer.eval();
            layer.to(DType.F64);
            Tensor memory = Tensor.randn(DType.F64, 2, 4, 8);
            Tensor memoryMask = Attention.paddingMask(new int[] {4, 3}, 4, DType.F64);
            Tensor y = Tensor.randn(DType.F64, 2, 5, 8);
            TransformerDecoderOutput whole = layer.forward(y, memory, Attention.causalMask(5, DType.F64), memoryMask);
            KeyValueCache cache = layer.startCache(memory);
            for (int t = 0; t < 5; t++) {
                TransformerDecoderStep step = layer.step(y.narrow(1, t, 1).copy(), cache, memoryMask);
                assertValues(whole.output().narrow(1, t, 1).copy().toDoubleArray(), step.output(), 1e-12);
                assertValues(whole.crossAttention().narrow(1, t, 1).copy().toDoubleArray(), step.crossAttention(), 1e-12);
                cache = step.caches().get(0);
                assertEquals(t + 1, cache.selfKeys().dim(2), "cached positions after step " + t);
            }
        }
    }

    @Test
    void returnsTheCrossAttentionOverTheMemoryWithZeroAtPadding() {
        Engine.seed(32);
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16, 0.0); Scope s = Scope.open()) {
            layer.eval();
            Tensor memory = Tensor.randn(2, 4, 8);
            Tensor y = Tensor.randn(2, 3, 8);
            TransformerDecoderOutput out = layer.forward(y, memory, Attention.causalMask(3, DType.F32),
                    Attention.paddingMask(new int[] {4, 2}, 4, DType.F32));
            assertArrayEquals(new int[] {2, 3, 8}, out.output().shape().dims());
            assertArrayEquals(new int[] {2, 3, 4}, out.crossAttention().shape().dims());
            assertValues(new double[] {1, 1, 1, 1, 1, 1}, out.crossAttention().sum(-1, false), 1e-6);
            double[] w = out.crossAttention().toDoubleArray();
            for (int t = 0; t < 3; t++) {
                assertEquals(0.0, w[12 + t * 4 + 2], "sequence 1, step " + t + ", padded position 2");
                assertEquals(0.0, w[12 + t * 4 + 3], "sequence 1, step " + t + ", padded position 3");
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        Engine.seed(33);
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(4, 2, 6, 0.0); Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor y = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            Tensor memory = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            Tensor causal = Attention.causalMask(3, DType.F64);
            Tensor memoryMask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(y, memory));
            inputs.addAll(layer.parameters());
            GradCheck.check("TransformerDecoderLayer", in -> layer.forward(in[0], in[1], causal, memoryMask).output(),
                    inputs.toArray(new Tensor[0]));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "gelu"})
    void postNormStepsWithACacheGiveTheCausalForwardOutputPositionByPosition(String activation) {
        Engine.seed(34);
        TransformerLayerOptions options = TransformerLayerOptions.postNorm().withActivation(activation);
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16, 0.1, options); Scope s = Scope.open()) {
            layer.eval();
            layer.to(DType.F64);
            Tensor memory = Tensor.randn(DType.F64, 2, 4, 8);
            Tensor memoryMask = Attention.paddingMask(new int[] {4, 3}, 4, DType.F64);
            Tensor y = Tensor.randn(DType.F64, 2, 5, 8);
            TransformerDecoderOutput whole = layer.forward(y, memory, Attention.causalMask(5, DType.F64), memoryMask);
            KeyValueCache cache = layer.startCache(memory);
            for (int t = 0; t < 5; t++) {
                TransformerDecoderStep step = layer.step(y.narrow(1, t, 1).copy(), cache, memoryMask);
                assertValues(whole.output().narrow(1, t, 1).copy().toDoubleArray(), step.output(), 1e-12);
                assertValues(whole.crossAttention().narrow(1, t, 1).copy().toDoubleArray(), step.crossAttention(), 1e-12);
                cache = step.caches().get(0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "gelu"})
    void postNormGradientsMatchFiniteDifferencesInF64(String activation) {
        Engine.seed(35);
        TransformerLayerOptions options = TransformerLayerOptions.postNorm().withActivation(activation);
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(4, 2, 6, 0.0, options); Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor y = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            Tensor memory = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            Tensor causal = Attention.causalMask(3, DType.F64);
            Tensor memoryMask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(y, memory));
            inputs.addAll(layer.parameters());
            GradCheck.check("post-norm TransformerDecoderLayer, " + activation,
                    in -> layer.forward(in[0], in[1], causal, memoryMask).output(), inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void rejectsAnUnknownActivationNamingTheLayerAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TransformerDecoderLayer(8, 2,
                16, 0.1, TransformerLayerOptions.preNorm().withActivation("GELU")));
        assertTrue(e.getMessage().contains("TransformerDecoderLayer(8") && e.getMessage().contains("\"GELU\""),
                e.getMessage());
    }

    @Test
    void rejectsANegativeLayerNormEpsNamingTheLayerAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TransformerDecoderLayer(8, 2,
                16, 0.1, TransformerLayerOptions.postNorm().withLayerNormEps(-0.5)));
        assertTrue(e.getMessage().contains("TransformerDecoderLayer(8") && e.getMessage().contains("layerNormEps")
                && e.getMessage().contains("-0.5"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void stepsWithMemoryKeyPaddingAndAFloatMemoryMaskGiveTheForwardOutput(boolean normFirst) {
        Engine.seed(36);
        TransformerLayerOptions options = TransformerLayerOptions.postNorm().withNormFirst(normFirst);
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16, 0.1, options); Scope s = Scope.open()) {
            layer.eval();
            layer.to(DType.F64);
            Tensor memory = Tensor.randn(DType.F64, 2, 4, 8);
            Tensor memoryPadding = Tensor.fromArray(new double[] {0, 0, 0, 0, 0, 0, 1, 1}, 2, 4).to(DType.F64);
            Tensor memoryBias = Tensor.randn(DType.F64, 5, 4);
            Tensor y = Tensor.randn(DType.F64, 2, 5, 8);
            TransformerDecoderOutput whole = layer.forward(y, memory, AttentionMask.masking(Attention.causalMask(5, DType.F64)),
                    AttentionMask.additive(memoryBias), null, memoryPadding);
            KeyValueCache cache = layer.startCache(memory);
            for (int t = 0; t < 5; t++) {
                AttentionMask row = AttentionMask.additive(memoryBias.narrow(0, t, 1).copy());
                TransformerDecoderStep step = layer.step(y.narrow(1, t, 1).copy(), cache, row, memoryPadding);
                assertValues(whole.output().narrow(1, t, 1).copy().toDoubleArray(), step.output(), 1e-12);
                assertValues(whole.crossAttention().narrow(1, t, 1).copy().toDoubleArray(), step.crossAttention(), 1e-12);
                cache = step.caches().get(0);
            }
        }
    }

    @Test
    void floatMasksAndKeyPaddingGradientsMatchFiniteDifferencesInF64() {
        Engine.seed(37);
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(4, 2, 6, 0.0); Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor y = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            Tensor memory = Tensor.randn(DType.F64, 2, 2, 4).requiresGrad(true);
            Tensor targetBias = Tensor.randn(DType.F64, 4, 3, 3).requiresGrad(true);
            Tensor memoryBias = Tensor.randn(DType.F64, 2, 3, 2).requiresGrad(true);
            Tensor causal = Attention.causalMask(3, DType.F64);
            Tensor targetPadding = Tensor.fromArray(new double[] {0, 0, 0, 0, 0, 1}, 2, 3).to(DType.F64);
            Tensor memoryPadding = Tensor.fromArray(new double[] {0, 1, 0, 0}, 2, 2).to(DType.F64);
            List<Tensor> inputs = new ArrayList<>(List.of(y, memory, targetBias, memoryBias));
            inputs.addAll(layer.parameters());
            GradCheck.check("TransformerDecoderLayer with float masks", in -> layer.forward(in[0], in[1],
                    new AttentionMask(causal, in[2]), AttentionMask.additive(in[3]), targetPadding, memoryPadding).output(),
                    inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void rejectsAMemoryKeyPaddingMaskOfTheWrongShapeNamingTheLayerAndTheShapes() {
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16, 0.0); Scope s = Scope.open()) {
            Tensor y = Tensor.randn(2, 3, 8);
            Tensor memory = Tensor.randn(2, 4, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(y, memory, null, null, null, Tensor.zeros(2, 3)));
            assertTrue(e.getMessage().contains("TransformerDecoderLayer(d_model=8")
                    && e.getMessage().contains("memory key padding mask [2, 3]") && e.getMessage().contains("[batch, S] = [2, 4]"),
                    e.getMessage());
        }
    }
}
