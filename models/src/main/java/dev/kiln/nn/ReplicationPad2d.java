package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last two axes with copies of the input's edge elements, like PyTorch's {@code torch.nn.ReplicationPad2d}:
 * input [channels, height, width] or [batch, channels, height, width]. Amounts (left, right, top, bottom), e.g.
 * {@code new ReplicationPad2d(new int[] {1, 1, 2, 0})}; a negative amount crops. No parameters.
 */
public class ReplicationPad2d extends PaddingLayer {
    /** The same amount on every side. */
    public ReplicationPad2d(int padding) {
        super(padding, 2, PaddingMode.REPLICATE, 0);
    }

    /** @param padding (left, right, top, bottom); the layer keeps a copy */
    public ReplicationPad2d(int[] padding) {
        super(padding, 2, PaddingMode.REPLICATE, 0);
    }
}
