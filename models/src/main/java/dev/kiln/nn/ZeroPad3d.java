package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last three axes with zeros, like PyTorch 2's {@code torch.nn.ZeroPad3d}: input of any rank from 3 on
 * [..., depth, height, width], each axis grown by its two amounts. Amounts (left, right, top, bottom, front, back),
 * e.g. {@code new ZeroPad3d(new int[] {1, 0, 2, 1, 0, 1})}; a negative amount crops. No parameters.
 */
public class ZeroPad3d extends PaddingLayer {
    /** The same amount on every side. */
    public ZeroPad3d(int padding) {
        super(padding, 3, PaddingMode.ZEROS, 0);
    }

    /** @param padding (left, right, top, bottom, front, back); the layer keeps a copy */
    public ZeroPad3d(int[] padding) {
        super(padding, 3, PaddingMode.ZEROS, 0);
    }
}
