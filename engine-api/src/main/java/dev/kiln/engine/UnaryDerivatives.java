package dev.kiln.engine;

/**
 * The gradients of the element-wise unary ops written in recorded Tensor ops, for a backward pass that records its
 * own graph ({@link Node#createsGraph()}): the same values as {@link Backend#unaryBackward}, differentiable again.
 */
final class UnaryDerivatives {
    private static final double GELU_TANH_BETA = Math.sqrt(2 / Math.PI);
    private static final double GELU_TANH_KAPPA = 0.044715;
    private static final double LN2 = Math.log(2);
    private static final double LN10 = Math.log(10);

    private UnaryDerivatives() {
    }

    /**
     * {@code g * op'(x)}, where {@code y = op(x)}. For an op whose derivative comes from its output alone
     * ({@link UnaryOp#derivativeFromOutput}) y may stand for x too, as for the backend's kernel: the ops below read
     * y and at most x's sign for those.
     */
    static Tensor gradient(UnaryOp op, double param, Tensor x, Tensor y, Tensor g) {
        return switch (op) {
            case NEG -> g.neg();
            case ABS -> g.mul(x.sign());
            case EXP -> g.mul(y);
            case LOG -> g.div(x);
            case SQRT -> g.div(y).mul(0.5);
            case POW -> power(param, x, g);
            case TANH -> g.mul(y.square().neg().add(1));
            case SIGMOID -> g.mul(y.mul(y.neg().add(1)));
            case RELU -> g.mul(positive(x));
            case LEAKY_RELU -> g.mul(ElementwiseOps.affine(positive(x), 1 - param, param));
            case ELU -> g.mul(Tensor.where(positive(x), ElementwiseOps.scalarLike(x, 1), y.add(param)));
            case GELU -> g.mul(geluDerivative(x, y));
            case GELU_TANH -> g.mul(geluTanhDerivative(x));
            case SILU -> g.mul(siluDerivative(x));
            case SIGN, FLOOR, CEIL, ROUND, TRUNC -> g.mul(0.0);
            case SIN -> g.mul(x.cos());
            case COS -> g.mul(x.sin()).neg();
            case TAN -> g.mul(y.square().add(1));
            case ASIN -> g.mul(oneMinusSquare(x).rsqrt());
            case ACOS -> g.mul(oneMinusSquare(x).rsqrt()).neg();
            case ATAN -> g.div(x.square().add(1));
            case SINH -> g.mul(x.cosh());
            case COSH -> g.mul(x.sinh());
            case ASINH -> g.mul(x.square().add(1).rsqrt());
            case ACOSH -> g.mul(x.square().sub(1).rsqrt());
            case ATANH -> g.div(oneMinusSquare(x));
            case LOG1P -> g.div(x.add(1));
            case EXPM1 -> g.mul(y.add(1));
            case LOG2 -> g.div(x.mul(LN2));
            case LOG10 -> g.div(x.mul(LN10));
            case EXP2 -> g.mul(y.mul(LN2));
            case ERF -> g.mul(gaussian(x));
            case ERFC -> g.mul(gaussian(x)).neg();
            case FRAC -> g;
            case RECIPROCAL -> g.mul(y.square()).neg();
            case RSQRT -> g.mul(y.pow(3)).mul(-0.5);
        };
    }

    /** {@code g * p x^(p-1)}; 0 for p = 0, also where x is 0, as the kernel and PyTorch give. */
    private static Tensor power(double p, Tensor x, Tensor g) {
        if (p == 0) {
            return g.mul(0.0);
        }
        if (p == 1) {
            return g;
        }
        return g.mul(p == 2 ? x.mul(2.0) : x.pow(p - 1).mul(p));
    }

    /** 1 where x is not at most 0 (NaN included, as ReLU's kernel passes the gradient there), else 0; no graph. */
    private static Tensor positive(Tensor x) {
        try (Tensor atMostZero = x.le(0.0)) {
            return ElementwiseOps.affine(atMostZero, -1, 1);
        }
    }

    /**
     * GELU's derivative {@code Phi(x) + x phi(x)}, from the backend's kernel (Phi needs erf, which no op has),
     * recorded with its own derivative {@code phi(x) (2 - x^2)}.
     */
    private static Tensor geluDerivative(Tensor x, Tensor y) {
        Tensor d = x.emptyLike(x.shape(), x.dtype());
        try (Tensor ones = x.fullLike(1)) {
            x.backend().unaryBackward(UnaryOp.GELU, 0, x, y, ones, d);
        }
        d.record("geluDerivative", new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {
                g.mul(normalDensity(x).mul(x.square().neg().add(2)))}));
        return d;
    }

    /** 1 - x^2. */
    private static Tensor oneMinusSquare(Tensor x) {
        return x.square().neg().add(1);
    }

    /** erf's derivative 2 / sqrt(pi) exp(-x^2). */
    private static Tensor gaussian(Tensor x) {
        return x.square().neg().exp().mul(2 / Math.sqrt(Math.PI));
    }

    /** exp(-x^2 / 2) / sqrt(2 pi). */
    private static Tensor normalDensity(Tensor x) {
        return x.square().mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
    }

    /** With t = tanh(beta (x + kappa x^3)): 0.5 (1 + t) + 0.5 x (1 - t^2) beta (1 + 3 kappa x^2), as PyTorch's. */
    private static Tensor geluTanhDerivative(Tensor x) {
        Tensor square = x.square();
        Tensor t = x.mul(square.mul(GELU_TANH_KAPPA).add(1)).mul(GELU_TANH_BETA).tanh();
        Tensor left = t.add(1).mul(0.5);
        Tensor innerDerivative = square.mul(3 * GELU_TANH_KAPPA).add(1);
        return left.add(x.mul(t.square().neg().add(1)).mul(innerDerivative).mul(0.5 * GELU_TANH_BETA));
    }

    /** sigmoid(x) (1 + x (1 - sigmoid(x))). */
    private static Tensor siluDerivative(Tensor x) {
        Tensor s = x.sigmoid();
        return s.mul(x.mul(s.neg().add(1)).add(1));
    }
}
