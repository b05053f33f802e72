package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Unbatched inputs of the Transformer modules run as a batch of one, as PyTorch 1.13 takes them: [steps, dModel]
 * becomes [1, steps, dModel] and a key padding mask [steps] becomes [1, steps]; the outputs lose that axis again.
 */
final class BatchOfOne {
    private BatchOfOne() {
    }

    /** An unbatched key padding mask [S] as [1, S]; null, or another shape for the batched check to name, as it is. */
    static Tensor keyPadding(Tensor keyPadding) {
        return keyPadding == null || keyPadding.rank() != 1 ? keyPadding : keyPadding.unsqueeze(0);
    }

    /**
     * The memory [S, dModel] of an unbatched target [T, dModel] as [1, S, dModel].
     *
     * @throws IllegalArgumentException naming {@code owner}, both shapes and the expected one when the memory is
     *     batched
     */
    static Tensor memory(String owner, Tensor memory, Tensor target, int dModel) {
        if (memory.rank() != 2) {
            throw new IllegalArgumentException(owner + ": memory " + memory.shape() + " must be unbatched [steps, "
                    + dModel + "] for the unbatched target " + target.shape());
        }
        return memory.unsqueeze(0);
    }

    /** A decoder's output [1, T, dModel] and cross-attention weights [1, T, S] as [T, dModel] and [T, S]. */
    static TransformerDecoderOutput squeezed(TransformerDecoderOutput batched) {
        return new TransformerDecoderOutput(Module.consume(batched.output(), y -> y.squeeze(0)),
                Module.consume(batched.crossAttention(), w -> w.squeeze(0)));
    }

    /** A decoding step's output [1, 1, dModel] and weights [1, 1, S] as [1, dModel] and [1, S]; caches unchanged. */
    static TransformerDecoderStep squeezed(TransformerDecoderStep batched) {
        return new TransformerDecoderStep(Module.consume(batched.output(), y -> y.squeeze(0)),
                Module.consume(batched.crossAttention(), w -> w.squeeze(0)), batched.caches());
    }
}
