package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last two axes with zeros, like PyTorch's {@code torch.nn.ZeroPad2d}: input of any rank from 2 on
 * [..., height, width]. Amounts (left, right, top, bottom), e.g. {@code new ZeroPad2d(new int[] {1, 1, 2, 0})}; a
 * negative amount crops. No parameters.
 */
public class ZeroPad2d extends PaddingLayer {
    /** The same amount on every side. */
    public ZeroPad2d(int padding) {
        super(padding, 2, PaddingMode.ZEROS, 0);
    }

    /** @param padding (left, right, top, bottom); the layer keeps a copy */
    public ZeroPad2d(int[] padding) {
        super(padding, 2, PaddingMode.ZEROS, 0);
    }
}
