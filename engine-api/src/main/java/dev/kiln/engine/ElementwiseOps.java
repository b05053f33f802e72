package dev.kiln.engine;

/**
 * Element-wise unary, binary (broadcast), affine and selection ops, with their gradients, each differentiable again
 * in a backward pass that records its graph (the binary ones' and where's are recorded ops anyway).
 */
final class ElementwiseOps {
    private ElementwiseOps() {
    }

    static Tensor unary(UnaryOp op, double param, Tensor x) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        Checks.open(name, x);
        Checks.floating(name, x);
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        x.backend().unary(op, param, x, out);
        if (op.isPiecewiseConstant()) {
            // Zero wherever defined, recorded as PyTorch records it: a loss made of such a result still backpropagates.
            out.record(name, new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {g.fullLike(0)}));
            return out;
        }
        if (op == UnaryOp.NEG) {
            // -g through the negation kernel: the derivative -1 gives exactly that, where the backend's generic
            // backward loop multiplied each value by -1 in double (CPU, 2^20 F32 values: 1.9 ms, negation 0.08 ms).
            out.record(name, new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {g.neg()}));
            return out;
        }
        out.record(name, new Tensor[] {x}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {UnaryDerivatives.gradient(op, param, x, out, g)};
            }
            Tensor gx = g.emptyLike(x.shape(), x.dtype());
            x.backend().unaryBackward(op, param, x, out, g, gx);
            return new Tensor[] {gx};
        }));
        return out;
    }

    static Tensor affine(Tensor x, double scale, double shift) {
        Checks.open("affine", x);
        Checks.floating("affine", x);
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        x.backend().affine(x, scale, shift, out);
        out.record("affine", new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {scale == 1 ? g : g.mul(scale)}));
        return out;
    }

    /** x / value by the binary DIV against a rank-0 tensor, so that each quotient is rounded once. */
    static Tensor divideByScalar(Tensor x, double value) {
        Checks.open("div", x);
        Checks.floating("div", x);
        return Tensor.consume(scalarLike(x, value), x, divisor -> binary(BinaryOp.DIV, x, divisor));
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        Checks.compatible(name, a, b);
        if (!a.dtype().isFloating() && op == BinaryOp.DIV) {
            return trueDivision(a, b);
        }
        if (!a.dtype().isFloating() && isExactInIntegers(op)) {
            return integerArithmetic(op, a, b);
        }
        if (!op.isComparison() && !op.isIntegerDivision()) {
            Checks.floating(name, a);
        }
        Shape outShape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = a.emptyLike(outShape, a.dtype());
        a.backend().binary(op, a, b, out);
        if (op.isDifferentiable()) {
            out.record(name, new Tensor[] {a, b}, Node.differentiable(g -> binaryGrads(op, a, b, out, g)));
        }
        return out;
    }

    /** ADD, SUB, MUL, MAX and MIN, which integer tensors compute in their own dtype, as PyTorch's. */
    private static boolean isExactInIntegers(BinaryOp op) {
        return op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.MAX
                || op == BinaryOp.MIN;
    }

    /**
     * {@code a op b} of integer tensors of one dtype (ADD, SUB, MUL, MAX, MIN or POWER), broadcast, with no graph:
     * exact, wrapping at the dtype's width as PyTorch's (Tensor's add, sub, mul, maximum, minimum and pow of integers;
     * cumsum, prod).
     */
    static Tensor integerArithmetic(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        Checks.compatible(name, a, b);
        Tensor out = a.emptyLike(Shape.broadcast(name, a.shape(), b.shape()), a.dtype());
        a.backend().binary(op, a, b, out);
        return out;
    }

    /**
     * a / b of integer tensors as PyTorch's true division: both converted to F32, PyTorch's default dtype, and divided
     * there (so 2^24 + 1 is 2^24 before the division, as in PyTorch); +-inf or NaN where b is 0.
     */
    private static Tensor trueDivision(Tensor a, Tensor b) {
        return Composite.untracked(() -> a.to(DType.F32).div(b.to(DType.F32)));
    }

    private static Tensor[] binaryGrads(BinaryOp op, Tensor a, Tensor b, Tensor out, Tensor g) {
        Tensor ga = a.requiresGrad() ? Tensor.consume(gradA(op, a, b, out, g), g, t -> unbroadcast(t, a.shape())) : null;
        Tensor gb = b.requiresGrad() ? Tensor.consume(gradB(op, a, b, out, g), g, t -> unbroadcast(t, b.shape())) : null;
        return new Tensor[] {ga, gb};
    }

    private static Tensor gradA(BinaryOp op, Tensor a, Tensor b, Tensor out, Tensor g) {
        return switch (op) {
            case ADD, SUB -> g;
            case MUL -> g.mul(b);
            case DIV -> g.div(b);
            case MAX -> Tensor.consume(share(a.lt(b), a, b), g, g::mul);
            case MIN -> Tensor.consume(share(a.gt(b), a, b), g, g::mul);
            case ATAN2 -> Tensor.consume(g.mul(b), g, t -> Tensor.consume(squaredNorm(a, b), g, t::div));
            case POWER -> Composite.gradient(() -> powerGradientOfBase(a, b, g));
            case FMOD, REMAINDER -> g;
            default -> throw new IllegalStateException(op + " has no gradient");
        };
    }

    private static Tensor gradB(BinaryOp op, Tensor a, Tensor b, Tensor out, Tensor g) {
        return switch (op) {
            case ADD -> g;
            case SUB -> g.neg();
            case MUL -> g.mul(a);
            case DIV -> Tensor.consume(Tensor.consume(g.mul(out), g, t -> t.div(b)), g, Tensor::neg);
            case MAX -> Tensor.consume(share(a.gt(b), a, b), g, g::mul);
            case MIN -> Tensor.consume(share(a.lt(b), a, b), g, g::mul);
            case ATAN2 -> Tensor.consume(Tensor.consume(g.mul(a), g, t -> Tensor.consume(squaredNorm(a, b), g, t::div)),
                    g, Tensor::neg);
            case POWER -> Composite.gradient(() -> powerGradientOfExponent(a, b, out, g));
            case FMOD -> negatedProduct(g, Tensor.consume(a.div(b), a, t -> unary(UnaryOp.TRUNC, 0, t)));
            case REMAINDER -> negatedProduct(g, binary(BinaryOp.FLOOR_DIVIDE, a, b));
            default -> throw new IllegalStateException(op + " has no gradient");
        };
    }

    /**
     * The share of maximum's or minimum's gradient that goes to one side, as PyTorch's derivative: 0 where the other
     * side wins ({@code loses}, 1 there), a half at a tie, the whole elsewhere, a NaN on either side included (neither
     * is larger, so both get it).
     */
    private static Tensor share(Tensor loses, Tensor a, Tensor b) {
        Tensor halfTies = Tensor.consume(a.eq(b), a, t -> t.mul(-0.5));
        Tensor lost = Tensor.consume(loses, a, t -> Tensor.consume(halfTies, a, h -> h.sub(t)));
        return Tensor.consume(lost, a, t -> t.add(1));
    }

    /**
     * {@code g b a^(b - 1)}, 0 where b is 0 (not 0 inf where a is 0 too), as PyTorch's pow_backward_self: the zero
     * replaces the product with g, so that an infinite or NaN g gives 0 there too.
     */
    private static Tensor powerGradientOfBase(Tensor a, Tensor b, Tensor g) {
        Tensor product = g.mul(b.mul(binary(BinaryOp.POWER, a, b.sub(1.0))));
        return where(b.eq(0.0), scalarLike(product, 0), product);
    }

    /**
     * {@code g a^b log(a)}, 0 where a is 0 and b at least 0 (not 0 (-inf)), as PyTorch's pow_backward_exponent: NaN
     * where a is negative.
     */
    private static Tensor powerGradientOfExponent(Tensor a, Tensor b, Tensor out, Tensor g) {
        Tensor slope = out.mul(a.log());
        return g.mul(where(a.eq(0.0).mul(b.ge(0.0)), scalarLike(slope, 0), slope));
    }

    /**
     * x^exponent element by element, broadcast ({@link Tensor#pow(Tensor)}), in PyTorch's result dtype: two integer
     * tensors give an integer, exactly and with no graph; otherwise the integer side is converted to the floating
     * side's dtype first.
     */
    static Tensor power(Tensor x, Tensor exponent) {
        // Checked here, where binary's own checks would name the op "power" in a call to pow.
        Checks.open("pow", x, exponent);
        Checks.sameBackend("pow", x, exponent);
        Shape.broadcast("pow", x.shape(), exponent.shape());
        boolean floatingBase = x.dtype().isFloating();
        boolean floatingExponent = exponent.dtype().isFloating();
        if (floatingBase == floatingExponent) {
            Checks.sameDtype("pow", x, exponent);
        }
        if (!floatingBase && !floatingExponent) {
            return integerArithmetic(BinaryOp.POWER, x, exponent);
        }
        if (!floatingBase) {
            return Tensor.consume(x.to(exponent.dtype()), x, base -> binary(BinaryOp.POWER, base, exponent));
        }
        if (floatingExponent) {
            return binary(BinaryOp.POWER, x, exponent);
        }
        return Tensor.consume(exponent.to(x.dtype()), exponent, e -> binary(BinaryOp.POWER, x, e));
    }

    /** a^2 + b^2, broadcast. */
    private static Tensor squaredNorm(Tensor a, Tensor b) {
        return Tensor.consume(a.square(), a, t -> Tensor.consume(b.square(), b, t::add));
    }

    /**
     * {@code -g * quotient}: the gradient of a - quotient b for b, the rounded quotient (trunc(a / b) for fmod,
     * floor_divide for remainder) taken as piecewise constant, as PyTorch differentiates them.
     */
    private static Tensor negatedProduct(Tensor g, Tensor quotient) {
        return Tensor.consume(Tensor.consume(quotient, g, g::mul), g, Tensor::neg);
    }

    /** Sums {@code g} over the dimensions that broadcasting added or stretched, giving {@code shape}. */
    static Tensor unbroadcast(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        Tensor r = g;
        int lead = g.rank() - shape.rank();
        for (int i = 0; i < lead; i++) {
            r = Tensor.consume(r, g, t -> t.sum(0, false));
        }
        for (int i = 0; i < shape.rank(); i++) {
            int axis = i;
            if (shape.dim(axis) == 1 && r.dim(axis) != 1) {
                r = Tensor.consume(r, g, t -> t.sum(axis, true));
            }
        }
        return r;
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
        out.record("where", new Tensor[] {a, b, cond}, Node.differentiable(g -> {
            Tensor zero = scalarLike(g, 0);
            Tensor ga = a.requiresGrad() ? Tensor.consume(where(cond, g, zero), g, t -> unbroadcast(t, a.shape())) : null;
            Tensor gb = b.requiresGrad() ? Tensor.consume(where(cond, zero, g), g, t -> unbroadcast(t, b.shape())) : null;
            if (!Node.createsGraph()) {
                zero.close();
            }
            return new Tensor[] {ga, gb, null};
        }));
        return out;
    }

    static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        Checks.open("maskedFill", x, mask);
        Shape.broadcast("maskedFill", mask.shape(), x.shape());
        return Tensor.consume(scalarLike(x, value), x, fill -> where(mask, fill, x));
    }

    /** A rank-0 tensor holding {@code value}, on {@code like}'s backend and of its dtype. */
    static Tensor scalarLike(Tensor like, double value) {
        Tensor scalar = like.emptyLike(Shape.scalar(), like.dtype());
        like.backend().fill(scalar, value);
        return scalar;
    }
}
