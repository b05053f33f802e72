package dev.kiln.engine;

/** {@link Backend#requantizedAddRelu}'s default, of element-wise SPI operations in place on the output. */
final class RequantizedAddComposite {
    private RequantizedAddComposite() {
    }

    /**
     * out = the requantised a + b; {@link Int8Steps#roundAndClamp} with zero point 0 adds +0, which turns a -0 step
     * into +0, as PyTorch's dequantised q = zeroPoint is.
     */
    static void addRelu(Backend b, Tensor x, Tensor y, Uint8Grid grid, boolean relu, Tensor out) {
        try (Scope s = Scope.open()) {
            b.binary(BinaryOp.ADD, x, y, out);
            b.binary(BinaryOp.MUL, out, Int8Steps.constant(b, 1f / grid.scale()), out);
            Int8Steps.roundAndClamp(b, out, 0, relu ? 0 : -grid.zeroPoint(), 255 - grid.zeroPoint());
            b.binary(BinaryOp.MUL, out, Int8Steps.constant(b, grid.scale()), out);
        }
    }
}
