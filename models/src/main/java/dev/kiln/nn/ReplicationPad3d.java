package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last three axes with copies of the input's edge elements, like PyTorch's
 * {@code torch.nn.ReplicationPad3d}: input [channels, depth, height, width] or [batch, channels, depth, height,
 * width]. Amounts (left, right, top, bottom, front, back), e.g. {@code new ReplicationPad3d(new int[] {1, 1, 2, 0,
 * 1, 1})}; a negative amount crops. No parameters.
 */
public class ReplicationPad3d extends PaddingLayer {
    /** The same amount on every side. */
    public ReplicationPad3d(int padding) {
        super(padding, 3, PaddingMode.REPLICATE, 0);
    }

    /** @param padding (left, right, top, bottom, front, back); the layer keeps a copy */
    public ReplicationPad3d(int[] padding) {
        super(padding, 3, PaddingMode.REPLICATE, 0);
    }
}
