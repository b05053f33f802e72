package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last axis with the elements from the other end, as if the axis wrapped around, like PyTorch 2's
 * {@code torch.nn.CircularPad1d}: input [channels, width] or [batch, channels, width]; each amount must be at most the
 * width (after any cropping). Amounts (left, right), e.g. {@code new CircularPad1d(new int[] {3, 1})}; a negative
 * amount crops. No parameters.
 */
public class CircularPad1d extends PaddingLayer {
    /** The same amount on every side. */
    public CircularPad1d(int padding) {
        super(padding, 1, PaddingMode.CIRCULAR, 0);
    }

    /** @param padding (left, right); the layer keeps a copy */
    public CircularPad1d(int[] padding) {
        super(padding, 1, PaddingMode.CIRCULAR, 0);
    }
}
