package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What {@link RnnUtils#padPackedSequence} returns, as PyTorch's {@code (padded, lengths)}: {@code padded}
 * [T, B, *] (or [B, T, *] batch-first) and each sequence's length, in the batch's original order, ready for
 * {@link Recurrent#forward(Tensor, RecurrentState, int[])}.
 */
public record PaddedSequences(Tensor padded, int[] lengths) {
}
