package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last axis with a constant, like PyTorch's {@code torch.nn.ConstantPad1d(padding, value)}: input of any
 * rank [..., width]. Amounts (left, right), e.g. {@code new ConstantPad1d(new int[] {3, 1}, -1)}; a negative amount
 * crops. No parameters.
 */
public class ConstantPad1d extends PaddingLayer {
    /** The same amount on both ends. */
    public ConstantPad1d(int padding, double value) {
        super(padding, 1, PaddingMode.ZEROS, value);
    }

    /** @param padding (left, right); the layer keeps a copy */
    public ConstantPad1d(int[] padding, double value) {
        super(padding, 1, PaddingMode.ZEROS, value);
    }

    /** The constant it adds. */
    public double value() {
        return value;
    }

    /** PyTorch's {@code extra_repr}: {@code padding=(1, 2), value=3.5}. */
    @Override
    protected String extraRepr() {
        return "padding=" + amounts() + ", value=" + PythonRepr.number(value);
    }
}
