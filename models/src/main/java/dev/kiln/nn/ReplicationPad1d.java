package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last axis with copies of the input's end elements, like PyTorch's {@code torch.nn.ReplicationPad1d}: input
 * [channels, width] or [batch, channels, width]. Amounts (left, right), e.g.
 * {@code new ReplicationPad1d(new int[] {3, 1})}; a negative amount crops. No parameters.
 */
public class ReplicationPad1d extends PaddingLayer {
    /** The same amount on every side. */
    public ReplicationPad1d(int padding) {
        super(padding, 1, PaddingMode.REPLICATE, 0);
    }

    /** @param padding (left, right); the layer keeps a copy */
    public ReplicationPad1d(int[] padding) {
        super(padding, 1, PaddingMode.REPLICATE, 0);
    }
}
