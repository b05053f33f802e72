package dev.kiln.engine;

/** Element-wise unary, binary (broadcast), affine and selection ops, with their gradients. */
final class ElementwiseOps {
    private ElementwiseOps() {
    }

    static Tensor unary(UnaryOp op, double param, Tensor x) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        Checks.open(name, x);
        Checks.floating(name, x);
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        x.backend().unary(op, param, x, out);
        if (op == UnaryOp.SIGN) {
            return out;
        }
        out.record(name, new Tensor[] {x}, g -> {
            Tensor gx = g.emptyLike(x.shape(), x.dtype());
            x.backend().unaryBackward(op, param, x, out, g, gx);
            return new Tensor[] {gx};
        });
        return out;
    }

    static Tensor affine(Tensor x, double scale, double shift) {
        Checks.open("affine", x);
        Checks.floating("affine", x);
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        x.backend().affine(x, scale, shift, out);
        out.record("affine", new Tensor[] {x}, g -> new Tensor[] {scale == 1 ? g : g.mul(scale)});
        return out;
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        Checks.compatible(name, a, b);
        if (!op.isComparison()) {
            Checks.floating(name, a);
        }
        Shape outShape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = a.emptyLike(outShape, a.dtype());
        a.backend().binary(op, a, b, out);
        if (!op.isComparison()) {
            out.record(name, new Tensor[] {a, b}, g -> binaryGrads(op, a, b, out, g));
        }
        return out;
    }

    private static Tensor[] binaryGrads(BinaryOp op, Tensor a, Tensor b, Tensor out, Tensor g) {
        Tensor ga = a.requiresGrad() ? unbroadcastTemporary(gradA(op, a, b, out, g), g, a.shape()) : null;
        Tensor gb = b.requiresGrad() ? unbroadcastTemporary(gradB(op, a, b, out, g), g, b.shape()) : null;
        return new Tensor[] {ga, gb};
    }

    private static Tensor gradA(BinaryOp op, Tensor a, Tensor b, Tensor out, Tensor g) {
        return switch (op) {
            case ADD, SUB -> g;
            case MUL -> g.mul(b);
            case DIV -> g.div(b);
            case MAX -> masked(g, a.ge(b));
            case MIN -> masked(g, a.le(b));
            default -> throw new IllegalStateException(op + " has no gradient");
        };
    }

    private static Tensor gradB(BinaryOp op, Tensor a, Tensor b, Tensor out, Tensor g) {
        return switch (op) {
            case ADD -> g;
            case SUB -> g.neg();
            case MUL -> g.mul(a);
            case DIV -> quotientGradient(g, out, b);
            case MAX -> masked(g, a.lt(b));
            case MIN -> masked(g, a.gt(b));
            default -> throw new IllegalStateException(op + " has no gradient");
        };
    }

    /** {@code g * mask}, the mask (a comparison's 0/1 tensor) freed at once. */
    private static Tensor masked(Tensor g, Tensor mask) {
        Tensor out = g.mul(mask);
        Tensor.releaseIntermediate(mask, g, out);
        return out;
    }

    /** The divisor's gradient of {@code out = a / b}: {@code -g * out / b}, its two partial products freed at once. */
    private static Tensor quotientGradient(Tensor g, Tensor out, Tensor b) {
        Tensor scaled = g.mul(out);
        Tensor divided = scaled.div(b);
        Tensor result = divided.neg();
        Tensor.releaseIntermediate(scaled, g, result);
        Tensor.releaseIntermediate(divided, g, result);
        return result;
    }

    /** {@link #unbroadcast} of a gradient {@code full} a rule made from {@code g}; {@code full} is freed once summed. */
    private static Tensor unbroadcastTemporary(Tensor full, Tensor g, Shape shape) {
        Tensor out = unbroadcast(full, shape);
        Tensor.releaseIntermediate(full, g, out);
        return out;
    }

    /** Sums {@code g} over the dimensions that broadcasting added or stretched, giving {@code shape}. */
    static Tensor unbroadcast(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        Tensor r = g;
        int lead = g.rank() - shape.rank();
        for (int i = 0; i < lead; i++) {
            r = partialSum(r, 0, false, g);
        }
        for (int i = 0; i < shape.rank(); i++) {
            if (shape.dim(i) == 1 && r.dim(i) != 1) {
                r = partialSum(r, i, true, g);
            }
        }
        return r;
    }

    /** {@code r} summed over {@code axis}; {@code r} is freed unless it is {@code g}, the caller's tensor. */
    private static Tensor partialSum(Tensor r, int axis, boolean keepDim, Tensor g) {
        Tensor summed = r.sum(axis, keepDim);
        Tensor.releaseIntermediate(r, g, summed);
        return summed;
    }

    static Tensor compareScalar(BinaryOp op, Tensor x, double value) {
        Checks.open(op.name().toLowerCase(java.util.Locale.ROOT), x);
        Tensor scalar = scalarLike(x, value);
        Tensor out = binary(op, x, scalar);
        scalar.close();
        return out;
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Checks.compatible("where", a, b);
        Checks.open("where", cond);
        Checks.sameBackend("where", cond, a);
        Shape outShape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor out = a.emptyLike(outShape, a.dtype());
        a.backend().where(cond, a, b, out);
        if (!a.dtype().isFloating()) {
            out.withValueRangeOf(a, b);
        }
        out.record("where", new Tensor[] {a, b, cond}, g -> {
            Tensor zero = scalarLike(g, 0);
            Tensor ga = a.requiresGrad() ? unbroadcastTemporary(where(cond, g, zero), g, a.shape()) : null;
            Tensor gb = b.requiresGrad() ? unbroadcastTemporary(where(cond, zero, g), g, b.shape()) : null;
            zero.close();
            return new Tensor[] {ga, gb, null};
        });
        return out;
    }

    static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        Checks.open("maskedFill", x, mask);
        if (!Shape.broadcast("maskedFill", mask.shape(), x.shape()).equals(x.shape())) {
            throw new IllegalArgumentException("maskedFill: mask " + mask.shape() + " must broadcast to the tensor's shape "
                    + x.shape() + " (as in PyTorch, the mask cannot widen the result)");
        }
        Tensor fill = scalarLike(x, value);
        Tensor out = where(mask, fill, x);
        Tensor.releaseIntermediate(fill, x, out);
        return out;
    }

    /** A rank-0 tensor holding {@code value}, on {@code like}'s backend and of its dtype. */
    private static Tensor scalarLike(Tensor like, double value) {
        Tensor scalar = like.emptyLike(Shape.scalar(), like.dtype());
        like.backend().fill(scalar, value);
        return scalar;
    }
}
