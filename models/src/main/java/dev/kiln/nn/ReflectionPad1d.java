package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last axis with reflections of the input about its ends, the ends not repeated, like PyTorch's
 * {@code torch.nn.ReflectionPad1d}: input [channels, width] or [batch, channels, width]; each amount must be less
 * than the width. Amounts (left, right), e.g. {@code new ReflectionPad1d(new int[] {3, 1})}; a negative amount crops.
 * No parameters.
 */
public class ReflectionPad1d extends PaddingLayer {
    /** The same amount on every side. */
    public ReflectionPad1d(int padding) {
        super(padding, 1, PaddingMode.REFLECT, 0);
    }

    /** @param padding (left, right); the layer keeps a copy */
    public ReflectionPad1d(int[] padding) {
        super(padding, 1, PaddingMode.REFLECT, 0);
    }
}
