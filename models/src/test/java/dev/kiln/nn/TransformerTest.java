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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Transformer}'s behaviour; {@link TransformerPyTorchParityTest} holds its parity with PyTorch. */
class TransformerTest {
    @BeforeEach
    void seed() {
        Engine.seed(41);
    }

    private static Transformer tiny(boolean batchFirst) {
        return Transformer.builder().dModel(4).nhead(2).numEncoderLayers(1).numDecoderLayers(1).dimFeedforward(6)
                .dropout(0.0).batchFirst(batchFirst).build();
    }

    @Test
    void gradientsOfTheInputsAndAFinalNormMatchFiniteDifferences() {
        try (Transformer model = tiny(false); Scope s = Scope.open()) {
            model.to(DType.F64);
            Tensor src = Tensor.randn(DType.F64, 3, 2, 4).requiresGrad(true);
            Tensor tgt = Tensor.randn(DType.F64, 2, 2, 4).requiresGrad(true);
            AttentionMask causal = AttentionMask.additive(Transformer.generateSquareSubsequentMask(2, DType.F64));
            Tensor padding = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 0}, 2, 3);
            GradCheck.check("Transformer", in -> model.forward(in[0], in[1], null, causal, null, padding, null, padding),
                    src, tgt, model.getParameter("encoder.norm.weight"), model.getParameter("decoder.norm.bias"));
        }
    }

    @Test
    void theOutputIsTheDecoderOverTheEncodersMemoryWithSequenceFirstInputsTransposed() {
        try (Transformer model = tiny(false); Scope s = Scope.open()) {
            model.to(DType.F64);
            Tensor src = Tensor.randn(DType.F64, 3, 2, 4);
            Tensor tgt = Tensor.randn(DType.F64, 5, 2, 4);
            Tensor memory = model.encoder().forward(src.transpose(0, 1));
            Tensor expected = model.decoder().forward(tgt.transpose(0, 1), memory, null, null).output().transpose(0, 1);
            assertValues(expected.toDoubleArray(), model.forward(src, tgt), 0);
        }
    }

    @Test
    void bothStacksEndInAFinalNormAfterPostNormLayers() {
        try (Transformer model = tiny(true)) {
            assertTrue(model.stateDict().containsKey("encoder.norm.weight"), model.stateDict().keySet().toString());
            assertTrue(model.stateDict().containsKey("decoder.norm.bias"), model.stateDict().keySet().toString());
        }
    }

    @Test
    void theSquareSubsequentMaskIsMinusInfinityAboveTheDiagonal() {
        try (Scope s = Scope.open()) {
            Tensor mask = Transformer.generateSquareSubsequentMask(3);
            double inf = Double.NEGATIVE_INFINITY;
            assertEquals(DType.F32, mask.dtype());
            assertArrayEquals(new int[] {3, 3}, mask.shape().dims());
            assertArrayEquals(new double[] {0, inf, inf, 0, 0, inf, 0, 0, 0}, mask.toDoubleArray());
        }
    }

    @Test
    void theBuilderStartsAtPyTorchsDefaults() {
        try (Transformer model = Transformer.builder().build()) {
            // sum(p.numel() for p in torch.nn.Transformer().parameters()), PyTorch 1.13
            assertEquals(44_140_544, model.parameterCount());
            assertEquals("Transformer(d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,"
                    + " dim_feedforward=2048, dropout=0.1, batch_first=False, norm_first=False)", model.describe());
        }
    }

    @Test
    void weightMatricesAreXavierUniformAsPyTorchResetsThem() {
        try (Transformer model = Transformer.builder().dModel(8).nhead(2).numEncoderLayers(1).numDecoderLayers(1)
                .dimFeedforward(64).build(); Scope s = Scope.open()) {
            // linear2.weight [8, 64]: Linear's own bound is 1 / sqrt(64) = 0.125, Xavier's sqrt(6 / 72) = 0.289.
            double largest = model.getParameter("decoder.layers.0.linear2.weight").abs().max().item();
            assertTrue(largest > 0.125 && largest <= Math.sqrt(6.0 / 72), "largest |weight| " + largest);
            // in_proj_weight [24, 8]: Xavier of the whole packed matrix, sqrt(6 / 32) = 0.433 (a part's would be
            // sqrt(6 / 16) = 0.612), above Linear's 1 / sqrt(8) = 0.354.
            double projection = model.getParameter("encoder.layers.0.self_attn.in_proj_weight").abs().max().item();
            assertTrue(projection > 1 / Math.sqrt(8) && projection <= Math.sqrt(6.0 / 32),
                    "largest |in_proj_weight| " + projection);
        }
    }

    @Test
    void inputsOfDifferentBatchSizesAreRefusedNamingBoth() {
        try (Transformer model = tiny(false); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(3, 2, 4), Tensor.zeros(5, 1, 4)));
            assertTrue(e.getMessage().endsWith(": src [3, 2, 4] and tgt [5, 1, 4] must both be [steps, N, 4] with the"
                    + " same N, or both unbatched [steps, 4]"), e.getMessage());
        }
    }

    @Test
    void inputsOfAnotherWidthAreRefusedNamingBoth() {
        try (Transformer model = tiny(true); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 5, 6)));
            assertTrue(e.getMessage().endsWith(": src [2, 3, 4] and tgt [2, 5, 6] must both be [N, steps, 4] with the"
                    + " same N, or both unbatched [steps, 4]"), e.getMessage());
        }
    }

    @Test
    void aBatchedAndAnUnbatchedInputTogetherAreRefusedNamingBoth() {
        try (Transformer model = tiny(false); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(3, 4), Tensor.zeros(5, 1, 4)));
            assertTrue(e.getMessage().endsWith(": src [3, 4] and tgt [5, 1, 4] must both be [steps, N, 4] with the"
                    + " same N, or both unbatched [steps, 4]"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void unbatchedInputsGiveTheOutputOfABatchOfOne(boolean batchFirst) {
        try (Transformer model = tiny(batchFirst); Scope s = Scope.open()) {
            model.eval();
            int batchAxis = batchFirst ? 0 : 1;
            Tensor src = Tensor.randn(3, 4);
            Tensor tgt = Tensor.randn(5, 4);
            Tensor padding = Tensor.fromArray(new float[] {0, 0, 1}, 3);
            AttentionMask causal = AttentionMask.additive(Transformer.generateSquareSubsequentMask(5));
            Tensor y = model.forward(src, tgt, null, causal, null, padding, null, padding);
            Tensor batched = model.forward(src.unsqueeze(batchAxis), tgt.unsqueeze(batchAxis), null, causal, null,
                    padding.reshape(1, 3), null, padding.reshape(1, 3));
            assertArrayEquals(new int[] {5, 4}, y.shape().dims());
            assertArrayEquals(batched.toDoubleArray(), y.toDoubleArray());
        }
    }

    @Test
    void theOneInputForwardIsRefused() {
        try (Transformer model = tiny(true); Scope s = Scope.open()) {
            assertThrows(UnsupportedOperationException.class, () -> model.forward(Tensor.zeros(2, 3, 4)));
        }
    }
}
