package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransformerDecoderTest {
    @Test
    void aPostNormStackAddsNoFinalNormAsPyTorchsWithNormNone() {
        Engine.seed(36);
        try (TransformerDecoder decoder = new TransformerDecoder(2, 8, 2, 16, 0.0, TransformerLayerOptions.postNorm());
             Scope s = Scope.open()) {
            decoder.to(DType.F64);
            Set<String> names = decoder.stateDict().keySet();
            assertFalse(names.stream().anyMatch(n -> n.startsWith("norm.")), names.toString());
            Tensor y = Tensor.randn(DType.F64, 2, 3, 8);
            Tensor memory = Tensor.randn(DType.F64, 2, 4, 8);
            Tensor causal = Attention.causalMask(3, DType.F64);
            Tensor layers = decoder.layer(1).forward(decoder.layer(0).forward(y, memory, causal, null).output(), memory,
                    causal, null).output();
            assertValues(layers.toDoubleArray(), decoder.forward(y, memory, causal, null).output(), 0);
        }
    }

    @Test
    void aPreNormStackEndsInAFinalNorm() {
        try (TransformerDecoder decoder = new TransformerDecoder(2, 8, 2, 16, 0.1)) {
            assertTrue(decoder.stateDict().containsKey("norm.weight"), decoder.stateDict().keySet().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void stepsWithCachesGiveTheCausalForwardOutputInEitherNormOrder(boolean normFirst) {
        Engine.seed(37);
        TransformerLayerOptions options = TransformerLayerOptions.postNorm().withNormFirst(normFirst).withActivation("gelu");
        try (TransformerDecoder decoder = new TransformerDecoder(2, 8, 2, 16, 0.1, options); Scope s = Scope.open()) {
            decoder.eval();
            decoder.to(DType.F64);
            Tensor memory = Tensor.randn(DType.F64, 2, 4, 8);
            Tensor memoryMask = Attention.paddingMask(new int[] {4, 3}, 4, DType.F64);
            Tensor y = Tensor.randn(DType.F64, 2, 5, 8);
            TransformerDecoderOutput whole = decoder.forward(y, memory, Attention.causalMask(5, DType.F64), memoryMask);
            List<KeyValueCache> caches = decoder.startCaches(memory);
            for (int t = 0; t < 5; t++) {
                TransformerDecoderStep step = decoder.step(y.narrow(1, t, 1).copy(), caches, memoryMask);
                assertValues(whole.output().narrow(1, t, 1).copy().toDoubleArray(), step.output(), 1e-12);
                assertValues(whole.crossAttention().narrow(1, t, 1).copy().toDoubleArray(), step.crossAttention(), 1e-12);
                caches = step.caches();
            }
        }
    }

    @Test
    void stepsWithAMemoryKeyPaddingMaskGiveTheForwardOutputOfTheStack() {
        Engine.seed(38);
        try (TransformerDecoder decoder = new TransformerDecoder(2, 8, 2, 16, 0.1); Scope s = Scope.open()) {
            decoder.eval();
            decoder.to(DType.F64);
            Tensor memory = Tensor.randn(DType.F64, 2, 4, 8);
            Tensor memoryPadding = Tensor.fromArray(new double[] {0, 0, 0, 0, 0, 0, 0, 1}, 2, 4).to(DType.F64);
            Tensor y = Tensor.randn(DType.F64, 2, 5, 8);
            TransformerDecoderOutput whole = decoder.forward(y, memory,
                    AttentionMask.masking(Attention.causalMask(5, DType.F64)), null, null, memoryPadding);
            List<KeyValueCache> caches = decoder.startCaches(memory);
            for (int t = 0; t < 5; t++) {
                TransformerDecoderStep step = decoder.step(y.narrow(1, t, 1).copy(), caches, null, memoryPadding);
                assertValues(whole.output().narrow(1, t, 1).copy().toDoubleArray(), step.output(), 1e-12);
                assertValues(whole.crossAttention().narrow(1, t, 1).copy().toDoubleArray(), step.crossAttention(), 1e-12);
                caches = step.caches();
            }
        }
    }

    @Test
    void unbatchedStepsGiveTheBatchOfOnesStepsAndTheUnbatchedForward() {
        Engine.seed(39);
        try (TransformerDecoder decoder = new TransformerDecoder(2, 8, 2, 16, 0.1); Scope s = Scope.open()) {
            decoder.eval();
            decoder.to(DType.F64);
            Tensor memory = Tensor.randn(DType.F64, 4, 8);
            Tensor memoryPadding = Tensor.fromArray(new double[] {0, 0, 0, 1}, 4).to(DType.F64);
            Tensor y = Tensor.randn(DType.F64, 3, 8);
            TransformerDecoderOutput whole = decoder.forward(y, memory,
                    AttentionMask.masking(Attention.causalMask(3, DType.F64)), null, null, memoryPadding);
            List<KeyValueCache> batched = decoder.startCaches(memory.unsqueeze(0));
            List<KeyValueCache> unbatched = decoder.startCaches(memory);
            for (int t = 0; t < 3; t++) {
                Tensor position = y.narrow(0, t, 1).copy();
                TransformerDecoderStep expected = decoder.step(position.unsqueeze(0), batched, null,
                        memoryPadding.unsqueeze(0));
                TransformerDecoderStep step = decoder.step(position, unbatched, null, memoryPadding);
                assertArrayEquals(new int[] {1, 8}, step.output().shape().dims());
                assertArrayEquals(new int[] {1, 4}, step.crossAttention().shape().dims());
                assertValues(expected.output().toDoubleArray(), step.output(), 0);
                assertValues(expected.crossAttention().toDoubleArray(), step.crossAttention(), 0);
                assertValues(whole.output().narrow(0, t, 1).copy().toDoubleArray(), step.output(), 1e-12);
                batched = expected.caches();
                unbatched = step.caches();
            }
        }
    }

    @Test
    void anUnbatchedStepOfMoreThanOnePositionIsRefusedNamingTheShapes() {
        try (TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16, 0.0); Scope s = Scope.open()) {
            KeyValueCache cache = layer.startCache(Tensor.randn(4, 8));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.step(Tensor.randn(2, 8), cache, null));
            assertEquals(layer.describe() + ": a step's target [2, 8] must be [rows, 1, 8] or unbatched [1, 8]", e.getMessage());
        }
    }
}
