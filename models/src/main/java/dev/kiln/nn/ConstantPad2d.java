package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last two axes with a constant, like PyTorch's {@code torch.nn.ConstantPad2d(padding, value)}: input of any
 * rank from 2 on [..., height, width]. Amounts (left, right, top, bottom), e.g.
 * {@code new ConstantPad2d(new int[] {1, 1, 2, 0}, -1)}; a negative amount crops. No parameters.
 */
public class ConstantPad2d extends PaddingLayer {
    /** The same amount on every side. */
    public ConstantPad2d(int padding, double value) {
        super(padding, 2, PaddingMode.ZEROS, value);
    }

    /** @param padding (left, right, top, bottom); the layer keeps a copy */
    public ConstantPad2d(int[] padding, double value) {
        super(padding, 2, PaddingMode.ZEROS, value);
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
