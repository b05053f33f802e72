package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Transformer's layers and stacks take unbatched inputs as PyTorch 1.13 does, as {@link Transformer} does: a
 * sequence [steps, dModel] with key padding masks [steps] gives exactly the output of a batch of one, without its
 * batch axis.
 */
class TransformerUnbatchedInputsTest {
    private static final int D_MODEL = 8;
    private Scope scope;
    private Tensor src;
    private Tensor tgt;
    private Tensor srcPadding;
    private Tensor tgtPadding;
    private AttentionMask causal;

    @BeforeEach
    void inputs() {
        scope = Scope.open();
        Engine.seed(41);
        src = Tensor.randn(DType.F64, 3, D_MODEL);
        tgt = Tensor.randn(DType.F64, 4, D_MODEL);
        srcPadding = Tensor.fromArray(new double[] {0, 0, 1}, 3);
        tgtPadding = Tensor.fromArray(new double[] {0, 0, 0, 1}, 4);
        causal = AttentionMask.additive(Transformer.generateSquareSubsequentMask(4, DType.F64));
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void anEncoderLayerGivesTheOutputOfABatchOfOne() {
        TransformerEncoderLayer layer = (TransformerEncoderLayer) new TransformerEncoderLayer(D_MODEL, 2, 16, 0.0,
                TransformerLayerOptions.postNorm()).to(DType.F64);
        Tensor y = layer.forward(src, null, srcPadding);
        Tensor batched = layer.forward(src.unsqueeze(0), null, srcPadding.unsqueeze(0));
        assertSameValues(batched, y, 3, D_MODEL);
    }

    @Test
    void anEncoderStackGivesTheOutputOfABatchOfOne() {
        TransformerEncoder encoder = (TransformerEncoder) new TransformerEncoder(2, D_MODEL, 2, 16, 0.0).to(DType.F64);
        Tensor y = encoder.forward(src, null, srcPadding);
        Tensor batched = encoder.forward(src.unsqueeze(0), null, srcPadding.unsqueeze(0));
        assertSameValues(batched, y, 3, D_MODEL);
    }

    @Test
    void aDecoderLayerGivesTheOutputAndCrossAttentionOfABatchOfOne() {
        TransformerDecoderLayer layer = (TransformerDecoderLayer) new TransformerDecoderLayer(D_MODEL, 2, 16, 0.0,
                TransformerLayerOptions.postNorm()).to(DType.F64);
        TransformerDecoderOutput y = layer.forward(tgt, src, causal, null, tgtPadding, srcPadding);
        TransformerDecoderOutput batched = layer.forward(tgt.unsqueeze(0), src.unsqueeze(0), causal, null,
                tgtPadding.unsqueeze(0), srcPadding.unsqueeze(0));
        assertSameValues(batched.output(), y.output(), 4, D_MODEL);
        assertSameValues(batched.crossAttention(), y.crossAttention(), 4, 3);
    }

    @Test
    void aDecoderStackGivesTheOutputAndCrossAttentionOfABatchOfOne() {
        TransformerDecoder decoder = (TransformerDecoder) new TransformerDecoder(2, D_MODEL, 2, 16, 0.0).to(DType.F64);
        TransformerDecoderOutput y = decoder.forward(tgt, src, causal, null, tgtPadding, srcPadding);
        TransformerDecoderOutput batched = decoder.forward(tgt.unsqueeze(0), src.unsqueeze(0), causal, null,
                tgtPadding.unsqueeze(0), srcPadding.unsqueeze(0));
        assertSameValues(batched.output(), y.output(), 4, D_MODEL);
        assertSameValues(batched.crossAttention(), y.crossAttention(), 4, 3);
    }

    @Test
    void aDecoderRefusesABatchedMemoryForAnUnbatchedTargetNamingBoth() {
        TransformerDecoder decoder = new TransformerDecoder(1, D_MODEL, 2, 16, 0.0);
        Tensor target = Tensor.zeros(4, D_MODEL);
        Tensor memory = Tensor.zeros(1, 3, D_MODEL);
        assertEquals("TransformerDecoder: memory [1, 3, 8] must be unbatched [steps, 8] for the unbatched target [4, 8]",
                assertThrows(IllegalArgumentException.class,
                        () -> decoder.forward(target, memory, null, null, null, null)).getMessage());
    }

    @Test
    void anEncoderStackRefusesAnUnbatchedInputOfAnotherWidthNamingItsShape() {
        TransformerEncoder encoder = new TransformerEncoder(1, D_MODEL, 2, 16, 0.0);
        Tensor input = Tensor.zeros(3, 5);
        String message = assertThrows(IllegalArgumentException.class,
                () -> encoder.forward(input, null, null)).getMessage();
        assertTrue(message.endsWith(": input [3, 5] must be [batch, steps, 8] or unbatched [steps, 8]"), message);
    }

    @Test
    void aDecoderStackRefusesAnUnbatchedTargetOfAnotherWidthNamingItsShape() {
        TransformerDecoder decoder = new TransformerDecoder(1, D_MODEL, 2, 16, 0.0);
        Tensor target = Tensor.zeros(4, 5);
        Tensor memory = Tensor.zeros(3, D_MODEL);
        String message = assertThrows(IllegalArgumentException.class,
                () -> decoder.forward(target, memory, null, null, null, null)).getMessage();
        assertTrue(message.endsWith(": target [4, 5] must be [batch, steps, 8] or unbatched [steps, 8]"), message);
    }

    private static void assertSameValues(Tensor batched, Tensor unbatched, int... dims) {
        assertArrayEquals(dims, unbatched.shape().dims());
        assertArrayEquals(batched.toDoubleArray(), unbatched.toDoubleArray());
    }
}
