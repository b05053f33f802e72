package dev.kiln.engine;

/**
 * {@link Backend#packInt8Linear} and {@link Backend#int8Linear} in F32 SPI operations, for backends without integer
 * kernels: weights and inputs quantised by multiplying with the scale's reciprocal, rounding and clamping
 * ({@link Int8Quantization}'s arithmetic, element for element), the quantised integers multiplied by the F32 GEMM
 * (exact while the sums stay below 2^24), and the products scaled back. The input's range is read to the host once
 * per call, as PyTorch's dynamic quantisation reads it.
 */
final class Int8LinearComposite {
    private Int8LinearComposite() {
    }

    /** {@code weight} [out, in] quantised: values and scales outside every scope, owned by the handle. */
    static Int8LinearWeights pack(Backend b, Tensor weight) {
        int out = weight.dim(0);
        return Scope.outside(() -> {
            Tensor values = Tensor.empty(weight.shape(), DType.F32, b);
            Tensor scales = Tensor.empty(Shape.of(out, 1), DType.F32, b);
            try (Scope s = Scope.open()) {
                b.unary(UnaryOp.ABS, 0, weight, values);
                b.reduce(ReduceOp.MAX, values, 1, scales);
                b.binary(BinaryOp.DIV, scales, Int8Steps.constant(b, 127.5), scales);
                b.binary(BinaryOp.MAX, scales, Int8Steps.constant(b, Int8Quantization.MIN_WEIGHT_SCALE), scales);
                Tensor inverses = Tensor.empty(scales.shape(), DType.F32, b);
                b.unary(UnaryOp.RECIPROCAL, 0, scales, inverses);
                b.binary(BinaryOp.MUL, weight, inverses, values);
                Int8Steps.roundAndClamp(b, values, 0, -128, 127);
            }
            return new CompositeInt8Weights(b, values, scales);
        });
    }

    /** out [batch, out] = the quantised input times the quantised weight's transpose, scaled back, plus bias. */
    static void linear(Backend b, Tensor input, Int8LinearWeights weights, Tensor bias, Tensor out) {
        if (!(weights instanceof CompositeInt8Weights w)) {
            throw new IllegalArgumentException("int8Linear: weights packed by " + weights.backend().name()
                    + "'s own kernel cannot be read by " + b.name() + "'s default; pack them on this backend");
        }
        int batch = input.dim(0);
        if (batch == 0) {
            return; // nothing to quantise or write, as PyTorch's empty [0, out]; the empty range has no quantisation
        }
        try (Scope s = Scope.open()) {
            InputQuantization q = Int8Quantization.input((float) -extreme(b, input, true), (float) extreme(b, input, false));
            Tensor quantised = Tensor.empty(input.shape(), DType.F32, b);
            b.binary(BinaryOp.MUL, input, Int8Steps.constant(b, q.inverse()), quantised);
            Int8Steps.roundAndClamp(b, quantised, q.zeroPoint(), 0, 255);
            b.affine(quantised, 1, -q.zeroPoint(), quantised);
            b.gemm(false, true, batch, w.outFeatures(), w.inFeatures(), 1, quantised, w.heldValues(), 0, out);
            Tensor columnScales = Tensor.empty(Shape.of(w.outFeatures()), DType.F32, b);
            b.copy(w.heldScales(), columnScales);
            b.binary(BinaryOp.MUL, columnScales, Int8Steps.constant(b, q.scale()), columnScales);
            b.binary(BinaryOp.MUL, out, columnScales, out);
            if (bias != null) {
                b.binary(BinaryOp.ADD, out, bias, out);
            }
        }
    }

    /** The largest element of x, or with {@code negated} the largest of -x. */
    private static double extreme(Backend b, Tensor x, boolean negated) {
        Tensor source = x;
        if (negated) {
            source = Tensor.empty(x.shape(), x.dtype(), b);
            b.affine(x, -1, 0, source);
        }
        Tensor rows = Tensor.empty(Shape.of(x.dim(0)), x.dtype(), b);
        b.reduce(ReduceOp.MAX, source, 1, rows);
        Tensor all = Tensor.empty(Shape.of(1), x.dtype(), b);
        b.reduce(ReduceOp.MAX, rows, 0, all);
        return all.item();
    }
}
