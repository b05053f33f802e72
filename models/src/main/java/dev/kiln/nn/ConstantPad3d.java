package dev.kiln.nn;

import dev.kiln.engine.PaddingMode;

/**
 * Pads the last three axes with a constant, like PyTorch's {@code torch.nn.ConstantPad3d(padding, value)}: input of
 * any rank from 3 on [..., depth, height, width]. Amounts (left, right, top, bottom, front, back), e.g.
 * {@code new ConstantPad3d(new int[] {1, 1, 2, 0, 1, 1}, -1)}; a negative amount crops. No parameters. With 0 it
 * is {@link ZeroPad3d}.
 */
public class ConstantPad3d extends PaddingLayer {
    /** The same amount on every side. */
    public ConstantPad3d(int padding, double value) {
        super(padding, 3, PaddingMode.ZEROS, value);
    }

    /** @param padding (left, right, top, bottom, front, back); the layer keeps a copy */
    public ConstantPad3d(int[] padding, double value) {
        super(padding, 3, PaddingMode.ZEROS, value);
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
