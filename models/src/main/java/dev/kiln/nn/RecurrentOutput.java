package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What a recurrent layer returns, as PyTorch's {@code output, (h_n, c_n)}: {@code output} [batch, time,
 * directions * hidden] with batchFirst, else [time, batch, directions * hidden], the last layer's hidden
 * state at every step (zero at padded steps); {@code hN} and {@code cN} [layers * directions, batch, hidden],
 * every layer's final state, taken at each sequence's last real step ({@code cN} is null but for an LSTM).
 */
public record RecurrentOutput(Tensor output, Tensor hN, Tensor cN) {

    /** The final state, to start the next chunk of a sequence from (see {@link RecurrentState#detach()}). */
    public RecurrentState state() {
        return new RecurrentState(hN, cN);
    }

    /** As Python prints what the PyTorch layer returns: {@code (output, (h_n, c_n))}, or {@code (output, h_n)}. */
    @Override
    public String toString() {
        return "(" + output + ", " + state() + ")";
    }
}
