package dev.kiln.engine;

/**
 * PyTorch 1.13's element-wise math functions that it builds from others: lerp, addcmul, addcdiv, hypot, logaddexp,
 * logaddexp2, xlogy, copysign, heaviside, logit, sinc and logsigmoid, composed of Tensor ops (so every backend runs
 * them unchanged) with PyTorch's values at the special points and PyTorch's gradient formulas from its
 * {@code derivatives.yaml}, NaN where those give NaN. Operands broadcast together and share the input's floating dtype
 * and backend; each records one node ({@link BroadcastComposite}), whose gradient is differentiable again.
 */
final class PointwiseMathOps {
    private static final double LN_2 = Math.log(2);

    private PointwiseMathOps() {
    }

    /**
     * {@code x + w (end - x)} for |w| &lt; 0.5, else {@code end - (end - x)(1 - w)}, PyTorch's two forms, each exact
     * at its own end.
     */
    static Tensor lerp(Tensor x, Tensor end, double weight) {
        checkOperands("lerp", new String[] {"input", "end"}, x, end);
        return BroadcastComposite.op("lerp", new Tensor[] {x, end}, () -> {
            Tensor difference = end.sub(x);
            return Math.abs(weight) < 0.5 ? x.add(difference.mul(weight)) : end.sub(difference.mul(1 - weight));
        }, (i, out, g) -> g.mul(i == 0 ? 1 - weight : weight));
    }

    /** {@link #lerp(Tensor, Tensor, double)} with a weight per element, broadcast with the other two. */
    static Tensor lerp(Tensor x, Tensor end, Tensor weight) {
        checkOperands("lerp", new String[] {"input", "end", "weight"}, x, end, weight);
        return BroadcastComposite.op("lerp", new Tensor[] {x, end, weight}, () -> {
            Tensor difference = end.sub(x);
            Tensor fromStart = x.add(weight.mul(difference));
            Tensor fromEnd = end.sub(difference.mul(ElementwiseOps.affine(weight, -1, 1)));
            return Tensor.where(weight.abs().lt(0.5), fromStart, fromEnd);
        }, (i, out, g) -> switch (i) {
            case 0 -> g.mul(ElementwiseOps.affine(weight, -1, 1));
            case 1 -> g.mul(weight);
            default -> g.mul(end.sub(x));
        });
    }

    /** {@code x + value * t1 * t2}. */
    static Tensor addcmul(Tensor x, Tensor t1, Tensor t2, double value) {
        checkOperands("addcmul", new String[] {"input", "tensor1", "tensor2"}, x, t1, t2);
        return BroadcastComposite.op("addcmul", new Tensor[] {x, t1, t2}, () -> x.add(t1.mul(value).mul(t2)),
                (i, out, g) -> switch (i) {
                    case 0 -> g;
                    case 1 -> g.mul(t2).mul(value);
                    default -> g.mul(t1).mul(value);
                });
    }

    /** {@code x + value * t1 / t2}. */
    static Tensor addcdiv(Tensor x, Tensor t1, Tensor t2, double value) {
        checkOperands("addcdiv", new String[] {"input", "tensor1", "tensor2"}, x, t1, t2);
        return BroadcastComposite.op("addcdiv", new Tensor[] {x, t1, t2}, () -> x.add(t1.mul(value).div(t2)),
                (i, out, g) -> switch (i) {
                    case 0 -> g;
                    case 1 -> g.mul(t2.reciprocal().mul(value));
                    default -> g.neg().mul(t1.mul(value).div(t2)).div(t2);
                });
    }

    /**
     * {@code sqrt(a^2 + b^2)} as {@code m sqrt(1 + (s / m)^2)} with m the larger magnitude and s the smaller, which
     * overflows only where the result does; +infinity where either is infinite (even beside NaN, as C's hypot), NaN
     * where either is NaN. The gradient is PyTorch's {@code g a / result}: NaN at the origin.
     */
    static Tensor hypot(Tensor a, Tensor b) {
        checkOperands("hypot", new String[] {"input", "other"}, a, b);
        return BroadcastComposite.op("hypot", new Tensor[] {a, b}, () -> {
            Tensor magnitudeA = a.abs();
            Tensor magnitudeB = b.abs();
            Tensor larger = magnitudeA.maximum(magnitudeB);
            Tensor ratio = magnitudeA.minimum(magnitudeB).div(larger);
            Tensor scaled = larger.mul(ratio.square().add(1).sqrt());
            Tensor finite = Tensor.where(larger.eq(0), constant(a, 0), scaled);
            Tensor sum = magnitudeA.add(magnitudeB);
            Tensor infinite = magnitudeA.eq(Double.POSITIVE_INFINITY).add(magnitudeB.eq(Double.POSITIVE_INFINITY));
            return Tensor.where(infinite.gt(0), constant(a, Double.POSITIVE_INFINITY),
                    Tensor.where(sum.isnan(), sum, finite));
        }, (i, out, g) -> g.mul(i == 0 ? a : b).div(out));
    }

    /**
     * {@code log(exp(a) + exp(b))} as {@code max(a, b) + log1p(exp(-|a - b|))}, and a itself where a and b are the
     * same infinity, as PyTorch's. The gradient is PyTorch's {@code g / (1 + exp(b - a))} (NaN where both are the same
     * infinity).
     */
    static Tensor logaddexp(Tensor a, Tensor b) {
        checkOperands("logaddexp", new String[] {"input", "other"}, a, b);
        return BroadcastComposite.op("logaddexp", new Tensor[] {a, b}, () -> logaddexpOf(a, b),
                (i, out, g) -> g.div((i == 0 ? b.sub(a) : a.sub(b)).exp().add(1)));
    }

    /** {@link #logaddexp}'s values, in ops that record nothing of their own ({@link LogCumSumExpOps} scans with it). */
    static Tensor logaddexpOf(Tensor a, Tensor b) {
        return sameInfinityOr(a, b, a.maximum(b).add(a.sub(b).abs().neg().exp().log1p()));
    }

    /** {@code log2(2^a + 2^b)}, as {@link #logaddexp} in base 2. */
    static Tensor logaddexp2(Tensor a, Tensor b) {
        checkOperands("logaddexp2", new String[] {"input", "other"}, a, b);
        return BroadcastComposite.op("logaddexp2", new Tensor[] {a, b},
                () -> sameInfinityOr(a, b, a.maximum(b).add(a.sub(b).abs().neg().exp2().log1p().div(LN_2))),
                (i, out, g) -> g.div((i == 0 ? b.sub(a) : a.sub(b)).exp2().add(1)));
    }

    /** a where a and b are the same infinity, else {@code otherwise}. */
    private static Tensor sameInfinityOr(Tensor a, Tensor b, Tensor otherwise) {
        return Tensor.where(a.eq(b).mul(a.isinf()), a, otherwise);
    }

    /**
     * {@code x log(y)}, 0 where x is 0 (xlogy(0, 0) = 0) unless y is NaN, which gives NaN. The gradients are PyTorch
     * 1.13's: {@code xlogy(g, y)} for x, 0 where x is 0 and y &lt;= 0; {@code g x / y} for y (NaN at 0, 0).
     */
    static Tensor xlogy(Tensor x, Tensor y) {
        checkOperands("xlogy", new String[] {"input", "other"}, x, y);
        return BroadcastComposite.op("xlogy", new Tensor[] {x, y}, () -> xlogyOf(x, y), (i, out, g) -> i == 0
                ? Tensor.where(x.eq(0).mul(y.le(0)), constant(g, 0), xlogyOf(g, y))
                : g.mul(x).div(y));
    }

    private static Tensor xlogyOf(Tensor x, Tensor y) {
        return Tensor.where(y.isnan(), y, Tensor.where(x.eq(0), constant(x, 0), x.mul(y.log())));
    }

    /**
     * |a| with the sign of b, -0.0 counted negative. NaN's sign bit is not seen: a NaN b gives |a| (PyTorch gives
     * -|a| for a NaN whose sign bit is set). The gradient is PyTorch's: {@code g result / a} for a, 0 where a is 0;
     * zeros for b.
     */
    static Tensor copysign(Tensor a, Tensor b) {
        checkOperands("copysign", new String[] {"input", "other"}, a, b);
        return BroadcastComposite.op("copysign", new Tensor[] {a, b}, () -> {
            Tensor negative = b.lt(0).add(b.eq(0).mul(b.reciprocal().lt(0)));
            Tensor magnitude = a.abs();
            return Tensor.where(negative, magnitude.neg(), magnitude);
        }, (i, out, g) -> i == 0 ? g.mul(Tensor.where(a.eq(0), constant(a, 0), out.div(a))) : g.fullLike(0));
    }

    /**
     * 0 where x &lt; 0, {@code values} where x is 0 (either zero), 1 where x &gt; 0; NaN counts as below 0, as in
     * PyTorch. Any dtype, both alike; no gradient (PyTorch has none).
     */
    static Tensor heaviside(Tensor x, Tensor values) {
        Checks.open("heaviside", x, values);
        checkOperand("heaviside", "values", x, values);
        broadcastShape("heaviside", new String[] {"input", "values"}, x, values);
        return Composite.untracked(() -> Tensor.where(x.eq(0), values, x.gt(0)));
    }

    /**
     * {@code log(z / (1 - z))}, z = x clamped into [eps, 1 - eps] when {@code eps} is not null. The gradient is
     * PyTorch's {@code g / (x (1 - x))}: without eps NaN outside [0, 1], with it 0 outside [eps, 1 - eps].
     */
    static Tensor logit(Tensor x, Double eps) {
        Checks.open("logit", x);
        Checks.floating("logit", x);
        if (eps != null && !(eps >= 0 && eps <= 0.5)) {
            throw new IllegalArgumentException("logit: eps must be in [0, 0.5], got " + eps);
        }
        double low = eps == null ? 0 : eps;
        double high = eps == null ? 1 : 1 - eps;
        return Composite.op("logit", x, () -> {
            Tensor z = eps == null ? x : x.clamp(low, high);
            return z.div(ElementwiseOps.affine(z, -1, 1)).log();
        }, (out, g) -> Tensor.where(x.lt(low).add(x.gt(high)), constant(x, eps == null ? Double.NaN : 0),
                g.div(x.mul(ElementwiseOps.affine(x, -1, 1)))));
    }

    /**
     * {@code sin(pi x) / (pi x)}, 1 at 0. The gradient is PyTorch's
     * {@code g (pi x cos(pi x) - sin(pi x)) / (pi x^2)}, 0 at 0.
     */
    static Tensor sinc(Tensor x) {
        Checks.open("sinc", x);
        Checks.floating("sinc", x);
        return Composite.op("sinc", x, () -> {
            Tensor angle = x.mul(Math.PI);
            return Tensor.where(x.eq(0), constant(x, 1), angle.sin().div(angle));
        }, (out, g) -> {
            Tensor angle = x.mul(Math.PI);
            Tensor slope = angle.mul(angle.cos()).sub(angle.sin()).div(angle.mul(x));
            return g.mul(Tensor.where(x.eq(0), constant(x, 0), slope));
        });
    }

    /**
     * {@code log(sigmoid(x))} as {@code min(x, 0) - log1p(exp(-|x|))}, which neither overflows nor loses the tiny
     * values of large x, as PyTorch's; the gradient is {@code g sigmoid(-x)}.
     */
    static Tensor logSigmoid(Tensor x) {
        Checks.open("logSigmoid", x);
        Checks.floating("logSigmoid", x);
        return Composite.op("logSigmoid", x, () -> x.clampMax(0).sub(x.abs().neg().exp().log1p()),
                (out, g) -> g.mul(x.neg().sigmoid()));
    }

    private static Tensor constant(Tensor like, double value) {
        return ElementwiseOps.scalarLike(like, value);
    }

    /**
     * Every operand open, floating, of the input's (the first's) dtype and backend, and all of them broadcast together;
     * {@code names} names them in the message.
     */
    static void checkOperands(String op, String[] names, Tensor... operands) {
        Checks.open(op, operands);
        Checks.floating(op, operands[0]);
        for (int i = 1; i < operands.length; i++) {
            checkOperand(op, names[i], operands[0], operands[i]);
        }
        broadcastShape(op, names, operands);
    }

    private static void checkOperand(String op, String name, Tensor input, Tensor operand) {
        if (operand.dtype() != input.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " " + operand.shape() + " is " + operand.dtype()
                    + ", expected the input's dtype " + input.dtype() + "; convert it with to(DType)");
        }
        Checks.sameBackend(op, input, operand);
    }

    private static Shape broadcastShape(String op, String[] names, Tensor... operands) {
        Shape shape = operands[0].shape();
        for (int i = 1; i < operands.length; i++) {
            try {
                shape = Shape.broadcast(op, shape, operands[i].shape());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(op + ": " + names[i] + " " + operands[i].shape()
                        + " does not broadcast with " + String.join(", ", java.util.Arrays.copyOf(names, i)) + " "
                        + shape + "; expected each axis equal or 1", e);
            }
        }
        return shape;
    }
}
