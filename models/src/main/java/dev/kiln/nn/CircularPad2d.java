package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last two axes with the elements from the other side, as if each axis wrapped around (a torus), like
 * PyTorch 2's {@code torch.nn.CircularPad2d}: input [channels, height, width] or [batch, channels, height, width];
 * each amount must be at most its axis's size (after any cropping). Amounts (left, right, top, bottom), e.g.
 * {@code new CircularPad2d(new int[] {1, 1, 2, 0})}; a negative amount crops. No parameters.
 */
public class CircularPad2d extends PaddingLayer {
    /** The same amount on every side. */
    public CircularPad2d(int padding) {
        super(padding, 2, PaddingMode.CIRCULAR, 0);
    }

    /** @param padding (left, right, top, bottom); the layer keeps a copy */
    public CircularPad2d(int[] padding) {
        super(padding, 2, PaddingMode.CIRCULAR, 0);
    }
}
