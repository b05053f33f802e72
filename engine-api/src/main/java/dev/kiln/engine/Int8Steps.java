package dev.kiln.engine;

/**
 * The steps in SPI operations that the int8 defaults ({@link Int8LinearComposite}, {@link StaticInt8ConvComposite})
 * share: rounding onto an integer grid and the one-element constants their element-wise operations broadcast.
 */
final class Int8Steps {
    private Int8Steps() {
    }

    /**
     * x rounded half to even, plus {@code zeroPoint} and clamped to [lo, hi], in place; NaN becomes lo, as PyTorch
     * 1.13's {@code quantize_per_tensor} gives NaN its dtype's minimum, {@link Uint8Grid#quantize} 0 and oneDNN's
     * reorder to u8 0 (MAX and MIN would carry it through).
     */
    static void roundAndClamp(Backend b, Tensor x, int zeroPoint, int lo, int hi) {
        b.unary(UnaryOp.ROUND, 0, x, x);
        b.affine(x, 1, zeroPoint, x);
        Tensor number = Tensor.empty(x.shape(), x.dtype(), b);
        b.binary(BinaryOp.EQ, x, x, number);
        b.where(number, x, constant(b, lo), x);
        b.binary(BinaryOp.MAX, x, constant(b, lo), x);
        b.binary(BinaryOp.MIN, x, constant(b, hi), x);
    }

    /** A one-element F32 tensor holding {@code value}, in the current scope. */
    static Tensor constant(Backend b, double value) {
        Tensor c = Tensor.empty(Shape.of(1), DType.F32, b);
        b.fill(c, value);
        return c;
    }
}
