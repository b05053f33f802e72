package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What a recurrent layer returns for a {@link PackedSequence}, as PyTorch's {@code output, (h_n, c_n)}:
 * {@code output} packed like the input (the same batch sizes and indices, data [sum of lengths, D * H]);
 * {@code hN} and {@code cN} [L * D, B, H] in the batch's original order ({@code cN} null but for an LSTM).
 */
public record PackedRecurrentOutput(PackedSequence output, Tensor hN, Tensor cN) {

    /** The final state, to start the next chunk of the sequences from. */
    public RecurrentState state() {
        return new RecurrentState(hN, cN);
    }
}
