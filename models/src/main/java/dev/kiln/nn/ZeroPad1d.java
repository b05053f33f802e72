package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last axis with zeros, like PyTorch 2's {@code torch.nn.ZeroPad1d}: input of any rank from 1 on
 * [..., width] to [..., left + width + right]. Amounts (left, right), e.g. {@code new ZeroPad1d(new int[] {2, 1})}; a
 * negative amount crops. No parameters.
 */
public class ZeroPad1d extends PaddingLayer {
    /** The same amount on both sides. */
    public ZeroPad1d(int padding) {
        super(padding, 1, PaddingMode.ZEROS, 0);
    }

    /** @param padding (left, right); the layer keeps a copy */
    public ZeroPad1d(int[] padding) {
        super(padding, 1, PaddingMode.ZEROS, 0);
    }
}
