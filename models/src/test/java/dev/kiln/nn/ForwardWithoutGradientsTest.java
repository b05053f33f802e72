package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Composite modules free what their forward pass made along the way once the next layer has read it, where
 * gradients are off ({@link Module#releaseConsumed}): an evaluation holds a few activations, not all of them.
 */
class ForwardWithoutGradientsTest {
    private final Backend backend = Engine.get().backend();

    @BeforeEach
    void seed() {
        Engine.seed(11);
    }

    @Test
    void aSequentialHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        try (Sequential seq = new Sequential(new Linear(6, 32), new Tanh(), new Linear(32, 32), new ReLU(),
                new Linear(32, 32), new Sigmoid(), new Linear(32, 3)); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(16, 6);
            Tensor y = withoutGradients(() -> seq.forward(x));
            assertEquals(0, madeButStillHeld(() -> seq.forward(x)), "bytes held besides the output");
            assertArrayEquals(seq.forward(x).toDoubleArray(), y.toDoubleArray(), 0,
                    "the same values as with gradients");
        }
    }

    @Test
    void withGradientsTheActivationsAreKeptForTheBackwardPass() {
        try (Sequential seq = new Sequential(new Linear(6, 32), new Tanh(), new Linear(32, 3)); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(16, 6);
            BytesInUse.settle();
            long before = backend.bytesInUse();
            Tensor y = seq.forward(x);
            assertTrue(backend.bytesInUse() - before > BytesInUse.ofOneLike(y), "the hidden layer's output is kept");
            y.sum().backward();
            assertTrue(seq.parameters().get(0).grad() != null);
        }
    }

    @Test
    void aLayerThatHandsOnItsInputAndTheCallersInputAreNotFreed() {
        try (Sequential seq = new Sequential(new Linear(5, 8), new Dropout(0.5), new Linear(8, 2)); Scope s = Scope.open()) {
            seq.eval();
            Tensor x = Tensor.randn(4, 5);
            Tensor y = withoutGradients(() -> seq.forward(x));
            assertFalse(x.isClosed(), "the caller's input");
            assertArrayEquals(seq.forward(x).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void aViewOfAFreedOutputKeepsItsValues() {
        try (Sequential seq = new Sequential(Conv2d.builder(2, 3, 3).padding(1).build(), new Flatten(),
                new Linear(3 * 5 * 5, 4)); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 2, 5, 5);
            Tensor y = withoutGradients(() -> seq.forward(x));
            assertArrayEquals(seq.forward(x).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void aResidualBlockHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        for (int stride : new int[] {1, 2}) {
            try (BasicBlock block = new BasicBlock(4, stride == 1 ? 4 : 8, stride); Scope s = Scope.open()) {
                block.eval();
                Tensor x = Tensor.randn(3, 4, 8, 8);
                Tensor y = withoutGradients(() -> block.forward(x));
                assertEquals(0, madeButStillHeld(() -> block.forward(x)), "stride " + stride);
                assertFalse(x.isClosed(), "the block's input, which the identity shortcut reads");
                assertArrayEquals(block.forward(x).toDoubleArray(), y.toDoubleArray(), 0, "stride " + stride);
            }
        }
    }

    @Test
    void aResidualConnectionHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        try (Residual residual = new Residual(new Sequential(new Linear(8, 8), new Tanh(), new Linear(8, 8)));
             Residual identity = new Residual(new Dropout(0.5)); Scope s = Scope.open()) {
            identity.eval();
            Tensor x = Tensor.randn(5, 8);
            Tensor y = withoutGradients(() -> residual.forward(x));
            assertEquals(0, madeButStillHeld(() -> residual.forward(x)));
            assertArrayEquals(residual.forward(x).toDoubleArray(), y.toDoubleArray(), 0);
            Tensor doubled = withoutGradients(() -> identity.forward(x));
            assertFalse(x.isClosed(), "the input, which dropout in evaluation hands back");
            assertArrayEquals(x.mul(2).toDoubleArray(), doubled.toDoubleArray(), 0);
        }
    }

    /**
     * The layers of volumes free their own intermediates: conv3d's selected depth slices, 2-D output and index, the
     * poolings' first passes, a dilated max pooling's selected taps and positions, adaptive pooling's windows and
     * matrices and trilinear upsampling's.
     */
    @Test
    void aNetworkOfVolumesHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        try (Sequential seq = new Sequential(Conv3d.builder(2, 4, 3).padding(1).build(), new BatchNorm3d(4),
                new ReLU(), new MaxPool3d(new int[] {1, 2, 2}, null, new int[] {0}, false),
                Conv3d.builder(4, 4, 3).padding(1).paddingMode(PaddingMode.REFLECT).stride(2, 1, 1).build(),
                new AvgPool3d(2, 1, 1), new MaxPool3d(new int[] {2}, new int[] {1}, new int[] {1}, new int[] {2},
                        false), new AdaptiveMaxPool3d(2, 3, 3), new Upsample(2, "trilinear"),
                new AdaptiveAvgPool3d(3, 5, 4)); Scope s = Scope.open()) {
            seq.eval();
            Tensor x = Tensor.randn(2, 2, 6, 8, 8);
            Tensor y = withoutGradients(() -> seq.forward(x));
            assertEquals(0, madeButStillHeld(() -> seq.forward(x)), "bytes held besides the output");
            assertFalse(x.isClosed(), "the caller's input");
            assertArrayEquals(seq.forward(x).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void multiHeadSelfAttentionHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        try (MultiHeadAttention attention = new MultiHeadAttention(16, 4, 0.1); Scope s = Scope.open()) {
            attention.eval();
            Tensor x = Tensor.randn(3, 7, 16);
            Tensor y = withoutGradients(() -> attention.forward(x));
            assertEquals(0, madeButStillHeld(() -> attention.forward(x)), "bytes held besides the output");
            assertArrayEquals(attention.forward(x).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void aTransformerEncoderHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        try (TransformerEncoder encoder = new TransformerEncoder(2, 16, 4, 32, 0.1); Scope s = Scope.open()) {
            encoder.eval();
            Tensor x = Tensor.randn(3, 7, 16);
            Tensor mask = Attention.paddingMask(new int[] {7, 4, 2}, 7, x.dtype());
            Tensor y = withoutGradients(() -> encoder.forward(x, mask));
            assertEquals(0, madeButStillHeld(() -> encoder.forward(x, mask)), "bytes held besides the output");
            assertFalse(x.isClosed() || mask.isClosed(), "the caller's input and mask");
            assertArrayEquals(encoder.forward(x, mask).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void aTransformerDecoderHoldsOnlyItsOutputAndAttentionAfterAForwardPassWithoutGradients() {
        try (TransformerDecoder decoder = new TransformerDecoder(2, 16, 4, 32, 0.1); Scope s = Scope.open()) {
            decoder.eval();
            Tensor y = Tensor.randn(3, 5, 16);
            Tensor memory = Tensor.randn(3, 7, 16);
            Tensor causal = Attention.causalMask(5, y.dtype());
            Supplier<TransformerDecoderOutput> forward = () -> decoder.forward(y, memory, causal, null);
            BytesInUse.settle();
            long before = backend.bytesInUse();
            TransformerDecoderOutput out;
            try (Autograd.Guard g = Autograd.noGrad()) {
                out = forward.get();
            }
            assertEquals(BytesInUse.ofOneLike(out.output()) + BytesInUse.ofOneLike(out.crossAttention()), backend.bytesInUse() - before,
                    "bytes held besides the output and the last layer's cross-attention");
            assertArrayEquals(forward.get().output().toDoubleArray(), out.output().toDoubleArray(), 0);
        }
    }

    @Test
    void aTransformerEncoderWithAFloatMaskAndKeyPaddingHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        try (TransformerEncoder encoder = new TransformerEncoder(2, 16, 4, 32, 0.1); Scope s = Scope.open()) {
            encoder.eval();
            Tensor x = Tensor.randn(3, 7, 16);
            Tensor causal = Attention.causalMask(7, x.dtype());
            Tensor bias = Tensor.randn(3 * 4, 7, 7);
            AttentionMask mask = new AttentionMask(causal, bias);
            Tensor padding = Attention.paddingMask(new int[] {7, 4, 2}, 7, x.dtype()).reshape(3, 7);
            Tensor y = withoutGradients(() -> encoder.forward(x, mask, padding));
            assertEquals(0, madeButStillHeld(() -> encoder.forward(x, mask, padding)), "bytes held besides the output");
            assertFalse(x.isClosed() || causal.isClosed() || bias.isClosed() || padding.isClosed(),
                    "the caller's input and masks");
            assertArrayEquals(encoder.forward(x, mask, padding).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void aPostNormGeluTransformerEncoderHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        TransformerLayerOptions options = TransformerLayerOptions.postNorm().withActivation("gelu");
        try (TransformerEncoder encoder = new TransformerEncoder(2, 16, 4, 32, 0.1, options); Scope s = Scope.open()) {
            encoder.eval();
            Tensor x = Tensor.randn(3, 7, 16);
            Tensor mask = Attention.paddingMask(new int[] {7, 4, 2}, 7, x.dtype());
            Tensor y = withoutGradients(() -> encoder.forward(x, mask));
            assertEquals(0, madeButStillHeld(() -> encoder.forward(x, mask)), "bytes held besides the output");
            assertFalse(x.isClosed() || mask.isClosed(), "the caller's input and mask");
            assertArrayEquals(encoder.forward(x, mask).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void aPostNormTransformerDecoderHoldsOnlyItsOutputAndAttentionAfterAForwardPassWithoutGradients() {
        try (TransformerDecoder decoder = new TransformerDecoder(2, 16, 4, 32, 0.1, TransformerLayerOptions.postNorm());
             Scope s = Scope.open()) {
            decoder.eval();
            Tensor y = Tensor.randn(3, 5, 16);
            Tensor memory = Tensor.randn(3, 7, 16);
            Tensor causal = Attention.causalMask(5, y.dtype());
            Supplier<TransformerDecoderOutput> forward = () -> decoder.forward(y, memory, causal, null);
            BytesInUse.settle();
            long before = backend.bytesInUse();
            TransformerDecoderOutput out;
            try (Autograd.Guard g = Autograd.noGrad()) {
                out = forward.get();
            }
            assertEquals(BytesInUse.ofOneLike(out.output()) + BytesInUse.ofOneLike(out.crossAttention()), backend.bytesInUse() - before,
                    "bytes held besides the output and the last layer's cross-attention");
            assertFalse(y.isClosed() || memory.isClosed(), "the caller's target and memory");
            assertArrayEquals(forward.get().output().toDoubleArray(), out.output().toDoubleArray(), 0);
        }
    }

    @Test
    void compositeActivationsHoldOnlyTheirOutputAfterAForwardPassWithoutGradients() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(4, 3, 5).mul(4);
            for (Module m : new Module[] {new PReLU(), new PReLU(3), new Softplus(), new Mish(), new Hardswish(),
                    new Hardsigmoid(), new SELU(), new CELU(0.5), new Softsign(), new Hardtanh(), new ReLU6(), new GLU(0),
                    new LogSigmoid(), new Softmin(), new Softshrink(), new Hardshrink(), new Tanhshrink(),
                    new Threshold(0.1, 20), new RReLU().eval(), new ChannelShuffle(3), new LocalResponseNorm(3)}) {
                Tensor y = withoutGradients(() -> m.forward(x));
                assertEquals(0, madeButStillHeld(() -> m.forward(x)), m + ": bytes held besides the output");
                assertArrayEquals(m.forward(x).toDoubleArray(), y.toDoubleArray(), 0, m + ": the same values as with gradients");
            }
        }
    }

    @Test
    void conv1dAndPool1dRunOnViewsAndHoldOnlyTheirOutputWithoutGradients() {
        try (Conv1d conv = Conv1d.builder(3, 4, 3).padding(1).build(); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, 9);
            for (Module m : new Module[] {conv, new AvgPool1d(3, 2, 1)}) {
                // The first pass lays the weights out for oneDNN on the CPU, which keeps them for the next.
                withoutGradients(() -> m.forward(x));
                assertEquals(0, madeButStillHeld(() -> m.forward(x)), m + ": bytes held besides the output");
            }
        }
    }

    /** Bytes that {@code forward} leaves in use beyond its output, run without gradients. */
    /** The weight is computed at each read, into the caller's scope; the u and v copies it divided by are not kept. */
    @Test
    void aSpectralNormalisedLayerHoldsOnlyItsOutputAndComputedWeightAfterAForwardPassWithoutGradients() {
        try (Linear lin = SpectralNorm.apply(new Linear(6, 4)); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(3, 6);
            long weight = BytesInUse.ofOne(DType.F32, 4, 6);
            assertEquals(weight, madeButStillHeld(() -> lin.forward(x)), "training mode");
            lin.eval();
            assertEquals(weight, madeButStillHeld(() -> lin.forward(x)), "evaluation mode");
        }
    }

    @Test
    void powerPoolingsHoldOnlyTheirOutputAfterAForwardPassWithoutGradients() {
        try (LPPool1d pool1d = new LPPool1d(2, 2); LPPool2d pool2d = new LPPool2d(2, 2); Scope s = Scope.open()) {
            Tensor x = Tensor.rand(DType.F32, 2, 4, 6);
            assertEquals(0, madeButStillHeld(() -> pool1d.forward(x)), "LPPool1d");
            Tensor image = Tensor.rand(DType.F32, 2, 2, 4, 6);
            assertEquals(0, madeButStillHeld(() -> pool2d.forward(image)), "LPPool2d");
        }
    }

    /** Windows that do not divide the input are averaged by two matrix products, whose matrices are not kept. */
    @Test
    void unevenAdaptiveAveragePoolingsHoldOnlyTheirOutputAfterAForwardPassWithoutGradients() {
        try (AdaptiveAvgPool1d pool1d = new AdaptiveAvgPool1d(4); AdaptiveAvgPool2d pool2d = new AdaptiveAvgPool2d(3, 4);
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 4, 6);
            assertEquals(0, madeButStillHeld(() -> pool1d.forward(x)), "AdaptiveAvgPool1d");
            Tensor image = Tensor.randn(2, 2, 5, 6);
            assertEquals(0, madeButStillHeld(() -> pool2d.forward(image)), "AdaptiveAvgPool2d");
        }
    }

    @Test
    void anEmbeddingBagHoldsOnlyItsOutputAfterAForwardPassWithoutGradients() {
        for (EmbeddingBag.Mode mode : EmbeddingBag.Mode.values()) {
            try (EmbeddingBag bag = EmbeddingBag.builder(10, 4).mode(mode).paddingIdx(0).build(); Scope s = Scope.open()) {
                Tensor indices = Tensor.fromArray(new long[] {1, 0, 3, 4, 5, 0, 2}, 7);
                Tensor offsets = Tensor.fromArray(new long[] {0, 2, 2, 5}, 4);
                assertEquals(0, madeButStillHeld(() -> bag.forward(indices, offsets)), "mode " + mode);
                assertFalse(indices.isClosed() || offsets.isClosed(), "the caller's indices and offsets");
            }
        }
    }

    /**
     * What {@code forward} leaves in memory besides its output, measured once what earlier code dropped unclosed has
     * been freed ({@link BytesInUse#settle}): the cleaner frees it in its own thread, which could move the count.
     */
    private long madeButStillHeld(Supplier<Tensor> forward) {
        BytesInUse.settle();
        long before = backend.bytesInUse();
        Tensor y = withoutGradients(forward);
        return backend.bytesInUse() - before - BytesInUse.ofOneLike(y);
    }

    private static Tensor withoutGradients(Supplier<Tensor> forward) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            return forward.get();
        }
    }

    /**
     * An unbatched RNNCell step runs as a batch of one: the views of x, h and the batched step it makes are closed
     * with them, so closing the caller's tensors and the output gives all the memory back; the zero state too.
     */
    @Test
    void anUnbatchedRnnCellStepKeepsNoViewsOfItsTensors() {
        try (RNNCell cell = new RNNCell(3, 4)) {
            BytesInUse.settle();
            long before = backend.bytesInUse();
            Tensor x = Tensor.randn(3);
            Tensor h = Tensor.randn(4);
            Tensor y = withoutGradients(() -> cell.forward(x, h));
            Tensor fromZero = withoutGradients(() -> cell.forward(x));
            for (Tensor t : List.of(x, h, y, fromZero)) {
                t.close();
            }
            assertEquals(before, backend.bytesInUse(), "bytes still in use after closing x, h and the outputs");
        }
    }

    /**
     * A cell stepped from the zero state it makes frees that state, its gates' products and what its fused step saves
     * for a backward pass once they have been read (LSTMCell's c', which shares h''s memory, is counted with it).
     */
    @Test
    void recurrentCellsFromAZeroStateHoldOnlyTheirOutputAfterAForwardPassWithoutGradients() {
        try (GRUCell gru = new GRUCell(3, 4); LSTMCell lstm = new LSTMCell(3, 4); RNNCell rnn = new RNNCell(3, 4);
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 3);
            for (Module cell : new Module[] {gru, lstm, rnn}) {
                assertEquals(0, madeButStillHeld(() -> cell.forward(x)), cell + ": bytes held besides the output");
                assertFalse(x.isClosed(), cell + ": the caller's input");
            }
        }
    }

    /** padSequence frees the padding it appends to each shorter sequence once it is stacked. */
    @Test
    void padSequenceKeepsNoPadding() {
        BytesInUse.settle();
        long before = backend.bytesInUse();
        Tensor shorter = Tensor.randn(3, 4);
        Tensor longer = Tensor.randn(5, 4);
        Tensor padded = withoutGradients(() -> RnnUtils.padSequence(List.of(shorter, longer), true, -1));
        for (Tensor t : List.of(shorter, longer, padded)) {
            t.close();
        }
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the sequences and the batch");
    }

    /**
     * With every option (separate key and value widths, bias_k and bias_v, a zero key, sequence-first, masks padded for
     * the appended keys), attention holds only its context and, where asked for, the weights of each head, and leaves
     * the caller's inputs and masks open.
     */
    @Test
    void multiHeadAttentionWithItsOptionsHoldsOnlyItsContextAndWeightsAfterAForwardPassWithoutGradients() {
        try (MultiHeadAttention attention = MultiHeadAttention.builder(16, 4).dropout(0.1).addBiasKv(true)
                .addZeroAttn(true).kdim(12).vdim(20).build(); Scope s = Scope.open()) {
            attention.eval();
            Tensor q = Tensor.randn(7, 3, 16);
            Tensor k = Tensor.randn(5, 3, 12);
            Tensor v = Tensor.randn(5, 3, 20);
            Tensor padding = Attention.paddingMask(new int[] {5, 4, 2}, 5, q.dtype()).reshape(3, 5);
            AttentionMask attnMask = new AttentionMask(Tensor.zeros(7, 5), Tensor.randn(7, 5));
            for (boolean needWeights : new boolean[] {true, false}) {
                Supplier<AttentionOutput> forward = () -> attention.attend(q, k, v, attnMask, padding, needWeights,
                        false);
                BytesInUse.settle();
                long before = backend.bytesInUse();
                AttentionOutput out;
                try (Autograd.Guard g = Autograd.noGrad()) {
                    out = forward.get();
                }
                long weights = needWeights ? BytesInUse.ofOneLike(out.weights()) : 0;
                assertEquals(BytesInUse.ofOneLike(out.context()) + weights, backend.bytesInUse() - before,
                        "bytes held besides the context and weights, needWeights " + needWeights);
                for (Tensor t : List.of(q, k, v, padding, attnMask.mask(), attnMask.bias())) {
                    assertFalse(t.isClosed(), "the caller's inputs and masks");
                }
                assertArrayEquals(forward.get().context().toDoubleArray(), out.context().toDoubleArray(), 0);
            }
        }
    }
}
