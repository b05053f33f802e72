package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * The state a recurrent layer starts from or ends in: {@code h} [layers * directions, batch, hidden] and,
 * for an {@link LSTM}, the cell state {@code c} of the same shape (null for {@link RNN} and {@link GRU}).
 * Row {@code layer * directions + direction} belongs to that layer and direction, as in PyTorch.
 *
 * <p>Truncated back-propagation through time carries the final state of one chunk of a long sequence
 * into the next with {@link #detach()}, so that gradients stop at the chunk boundary:
 * <pre>{@code
 * RecurrentState state = null;
 * for (Tensor chunk : chunks) {
 *     RecurrentOutput out = lstm.forward(chunk, state);
 *     ...loss, backward, optimizer step...
 *     state = out.state().detach();
 * }
 * }</pre>
 */
public record RecurrentState(Tensor h, Tensor c) {

    /** A state without a cell state, for {@link RNN} and {@link GRU}. */
    public static RecurrentState of(Tensor h) {
        return new RecurrentState(h, null);
    }

    /** The same values cut from the graph (views, no copy). */
    public RecurrentState detach() {
        return new RecurrentState(h.detach(), c == null ? null : c.detach());
    }

    /**
     * As Python prints the state PyTorch passes around: {@code (h, c)} for an LSTM's tuple, {@code h} alone for the
     * tensor of an RNN or GRU, each tensor in its PyTorch repr.
     */
    @Override
    public String toString() {
        return c == null ? String.valueOf(h) : "(" + h + ", " + c + ")";
    }
}
