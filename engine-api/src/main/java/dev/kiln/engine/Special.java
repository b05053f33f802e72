package dev.kiln.engine;

/**
 * Special functions, PyTorch's {@code torch.special}: element-wise, the result of the input's shape (broadcast for the
 * two-operand ones), each differentiable to any order and composed of Tensor ops, so on every backend. Where PyTorch
 * has the same function elsewhere, this is an alias of Kiln's.
 */
public final class Special {
    private Special() {
    }

    /** The modified Bessel function of the first kind of order 0, {@code I0(x) = sum (x/2)^(2k) / (k!)^2}. */
    public static Tensor i0(Tensor x) {
        return BesselOps.i0(x);
    }

    /** The exponentially scaled {@code exp(-|x|) I0(x)}, which does not overflow. */
    public static Tensor i0e(Tensor x) {
        return BesselOps.i0e(x);
    }

    /** The modified Bessel function of the first kind of order 1, {@code I1(x) = sum (x/2)^(2k+1) / (k! (k+1)!)}. */
    public static Tensor i1(Tensor x) {
        return BesselOps.i1(x);
    }

    /** The exponentially scaled {@code exp(-|x|) I1(x)}, which does not overflow. */
    public static Tensor i1e(Tensor x) {
        return BesselOps.i1e(x);
    }

    /** The standard normal distribution function {@code (1 + erf(x / sqrt 2)) / 2}. */
    public static Tensor ndtr(Tensor x) {
        return NormalCdfOps.ndtr(x);
    }

    /** {@code log(ndtr(x))}, finite far into the left tail where ndtr underflows (PyTorch's {@code log_ndtr}). */
    public static Tensor logNdtr(Tensor x) {
        return NormalCdfOps.logNdtr(x);
    }

    /** The inverse of {@link #ndtr} on [0, 1] (the standard normal quantile): +-infinity at 1 and 0, NaN outside. */
    public static Tensor ndtri(Tensor p) {
        return NormalCdfOps.ndtri(p);
    }

    /** The scaled complementary error function {@code exp(x^2) erfc(x)}, accurate for large x. */
    public static Tensor erfcx(Tensor x) {
        return NormalCdfOps.erfcx(x);
    }

    /** {@code x log1p(y)}, broadcast, 0 where x is 0 unless y is NaN. */
    public static Tensor xlog1py(Tensor x, Tensor y) {
        return SpecialTermOps.xlog1py(x, y);
    }

    /** {@code x log(y)}, broadcast, 0 where x is 0 unless y is NaN; {@link Tensor#xlogy}. */
    public static Tensor xlogy(Tensor x, Tensor y) {
        return x.xlogy(y);
    }

    /** The entropy term {@code -x log x}, 0 at 0, -infinity below 0. */
    public static Tensor entr(Tensor x) {
        return SpecialTermOps.entr(x);
    }

    /**
     * The log of the multivariate gamma function of dimension {@code p >= 1},
     * {@code p (p - 1) / 4 log(pi) + sum over j < p of lgamma(x - j / 2)}; every element must exceed (p - 1) / 2.
     */
    public static Tensor multigammaln(Tensor x, int p) {
        return SpecialTermOps.multigammaln(x, p);
    }

    /** The logistic sigmoid {@code 1 / (1 + exp(-x))}; {@link Tensor#sigmoid}. */
    public static Tensor expit(Tensor x) {
        return x.sigmoid();
    }

    /** {@code log|Gamma(x)|}; {@link Tensor#lgamma}. */
    public static Tensor gammaln(Tensor x) {
        return x.lgamma();
    }

    /** The digamma function; {@link Tensor#digamma}. */
    public static Tensor digamma(Tensor x) {
        return x.digamma();
    }

    /** The digamma function under its other name; {@link Tensor#digamma}. */
    public static Tensor psi(Tensor x) {
        return x.digamma();
    }

    /** The n-th derivative of digamma; {@link Tensor#polygamma}. */
    public static Tensor polygamma(int n, Tensor x) {
        return x.polygamma(n);
    }

    /** The log-odds {@code log(x / (1 - x))}; {@link Tensor#logit()}. */
    public static Tensor logit(Tensor x) {
        return x.logit();
    }

    /** The log-odds of x clamped into [eps, 1 - eps]; {@link Tensor#logit(double)}. */
    public static Tensor logit(Tensor x, double eps) {
        return x.logit(eps);
    }

    /** The normalised sinc {@code sin(pi x) / (pi x)}, 1 at 0; {@link Tensor#sinc}. */
    public static Tensor sinc(Tensor x) {
        return x.sinc();
    }

    /** The error function; {@link Tensor#erf}. */
    public static Tensor erf(Tensor x) {
        return x.erf();
    }

    /** The complementary error function {@code 1 - erf(x)}; {@link Tensor#erfc}. */
    public static Tensor erfc(Tensor x) {
        return x.erfc();
    }

    /** The inverse error function; {@link Tensor#erfinv}. */
    public static Tensor erfinv(Tensor x) {
        return x.erfinv();
    }

    /** {@code log(1 + x)}; {@link Tensor#log1p}. */
    public static Tensor log1p(Tensor x) {
        return x.log1p();
    }

    /** {@code exp(x) - 1}; {@link Tensor#expm1}. */
    public static Tensor expm1(Tensor x) {
        return x.expm1();
    }

    /** {@code 2^x}; {@link Tensor#exp2}. */
    public static Tensor exp2(Tensor x) {
        return x.exp2();
    }

    /** Rounding half to even; {@link Tensor#round}. */
    public static Tensor round(Tensor x) {
        return x.round();
    }

    /** Softmax over {@code axis}; {@link F#softmax}. */
    public static Tensor softmax(Tensor x, int axis) {
        return F.softmax(x, axis);
    }

    /** Log-softmax over {@code axis}; {@link F#logSoftmax}. */
    public static Tensor logSoftmax(Tensor x, int axis) {
        return F.logSoftmax(x, axis);
    }

    /** {@code log(sum(exp(x)))} over {@code axis}, kept as size 1 where {@code keepDim}; {@link Tensor#logsumexp}. */
    public static Tensor logsumexp(Tensor x, int axis, boolean keepDim) {
        return x.logsumexp(axis, keepDim);
    }

    /**
     * The regularized lower incomplete gamma function {@code P(a, x) = 1/Gamma(a) integral_0^x t^(a-1) e^-t dt},
     * broadcast; differentiable in x only, as PyTorch's.
     */
    public static Tensor gammainc(Tensor a, Tensor x) {
        return IncompleteGammaOps.gammainc(a, x);
    }

    /** The regularized upper incomplete gamma function {@code Q(a, x) = 1 - P(a, x)}, broadcast; differentiable in x. */
    public static Tensor gammaincc(Tensor a, Tensor x) {
        return IncompleteGammaOps.gammaincc(a, x);
    }
}
