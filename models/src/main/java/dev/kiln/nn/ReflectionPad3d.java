package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last three axes with reflections of the input about its edges, the edges not repeated, like PyTorch's
 * {@code torch.nn.ReflectionPad3d}: input [channels, depth, height, width] or [batch, channels, depth, height,
 * width]; each amount must be less than its axis's size. Amounts (left, right, top, bottom, front, back), e.g.
 * {@code new ReflectionPad3d(new int[] {1, 1, 2, 0, 1, 1})}; a negative amount crops. No parameters.
 */
public class ReflectionPad3d extends PaddingLayer {
    /** The same amount on every side. */
    public ReflectionPad3d(int padding) {
        super(padding, 3, PaddingMode.REFLECT, 0);
    }

    /** @param padding (left, right, top, bottom, front, back); the layer keeps a copy */
    public ReflectionPad3d(int[] padding) {
        super(padding, 3, PaddingMode.REFLECT, 0);
    }
}
