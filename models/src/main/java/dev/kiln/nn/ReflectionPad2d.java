package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last two axes with reflections of the input about its edges, the edges not repeated, like PyTorch's
 * {@code torch.nn.ReflectionPad2d}: input [channels, height, width] or [batch, channels, height, width]; each amount
 * must be less than its axis's size. Amounts (left, right, top, bottom), e.g.
 * {@code new ReflectionPad2d(new int[] {1, 1, 2, 0})}; a negative amount crops. No parameters.
 */
public class ReflectionPad2d extends PaddingLayer {
    /** The same amount on every side. */
    public ReflectionPad2d(int padding) {
        super(padding, 2, PaddingMode.REFLECT, 0);
    }

    /** @param padding (left, right, top, bottom); the layer keeps a copy */
    public ReflectionPad2d(int[] padding) {
        super(padding, 2, PaddingMode.REFLECT, 0);
    }
}
