package dev.kiln.engine;

/**
 * The standard normal distribution function, its logarithm and its inverse, and the scaled complementary error function
 * they need in the tails (PyTorch's {@code special.ndtr}, {@code special.log_ndtr}, {@code special.ndtri},
 * {@code special.erfcx}), composed of Tensor ops so that they run on every backend and are differentiable to any order.
 *
 * <p>erfcx is {@code exp(x^2) erfc(x)} below 9, with x^2 split exactly into {@code xh^2 + xl (2 xh + xl)} (xh x
 * rounded to a multiple of 2^-12, whose square F64 holds exactly) so that exp does not magnify the rounding of x^2;
 * from 9 on (where F32's erfc underflows and F64's loses digits) its asymptotic series
 * {@code 1 / (x sqrt(pi)) sum (-1)^k (2k-1)!! / (2x^2)^k} to k = 16, whose first omitted term is below 1e-18
 * relative. log_ndtr is PyTorch's:
 * {@code log(erfcx(-x / sqrt 2) / 2) - x^2 / 2} below -1, {@code log1p(-erfc(x / sqrt 2) / 2)} above, each branch fed
 * x clamped to its side so that the other side's infinities reach no gradient. ndtri takes q = min(p, 1 - p) (1 - p
 * is exact from 1/2 on), a first guess ({@code sqrt 2 erfinv(2q - 1)} from 1e-3 on, the tail's
 * {@code -sqrt(s - log(2 pi s))}, s = -2 log q, below), and four Newton steps on {@code log_ndtr(y) = log q}.
 */
final class NormalCdfOps {
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double SQRT_TWO_PI = Math.sqrt(2 * Math.PI);
    private static final double ASYMPTOTIC_FROM = 9;
    private static final int ASYMPTOTIC_TERMS = 16;
    /** Below this erfcx overflows in F64 too; clamping there keeps -infinity's split from giving inf - inf. */
    private static final double OVERFLOWS_BELOW = -30;
    private static final double SPLIT = 4096;
    private static final int NEWTON_STEPS = 4;

    private NormalCdfOps() {
    }

    /** The standard normal distribution function {@code erfc(-x / sqrt 2) / 2}. */
    static Tensor ndtr(Tensor x) {
        check("ndtr", x);
        return Composite.composed(() -> x.mul(-SQRT_HALF).erfc().mul(0.5), x);
    }

    /** log(ndtr(x)), accurate in the far left tail where ndtr underflows. */
    static Tensor logNdtr(Tensor x) {
        check("logNdtr", x);
        return Composite.composed(() -> {
            Tensor left = x.clampMax(-1).mul(SQRT_HALF);
            Tensor right = x.clampMin(-1).mul(SQRT_HALF);
            Tensor leftValue = erfcx(left.neg()).mul(0.5).log().sub(left.square());
            Tensor rightValue = right.erfc().mul(-0.5).log1p();
            return Tensor.where(x.lt(-1), leftValue, rightValue);
        }, x);
    }

    /** The inverse of ndtr on [0, 1]: -infinity at 0, +infinity at 1, NaN outside; gradient sqrt(2 pi) exp(y^2 / 2). */
    static Tensor ndtri(Tensor p) {
        check("ndtri", p);
        return Composite.op("ndtri", p, () -> {
            Tensor upper = p.gt(0.5);
            Tensor q = Tensor.where(upper, ElementwiseOps.affine(p, -1, 1), p);
            Tensor s = q.log().mul(-2);
            Tensor tail = s.sub(s.mul(2 * Math.PI).log()).sqrt().neg();
            Tensor central = ElementwiseOps.affine(q, 2, -1).erfinv().mul(Math.sqrt(2));
            Tensor y = Tensor.where(q.lt(1e-3), tail, central);
            Tensor logQ = q.log();
            for (int step = 0; step < NEWTON_STEPS; step++) {
                Tensor logCdf = logNdtr(y);
                // d/dy log ndtr(y) = pdf / cdf, formed in logs so that neither underflows in the tail.
                Tensor slope = y.square().mul(-0.5).sub(logCdf).exp().div(SQRT_TWO_PI);
                y = y.sub(logCdf.sub(logQ).div(slope));
            }
            Tensor ends = Tensor.where(q.eq(0), ElementwiseOps.scalarLike(p, Double.NEGATIVE_INFINITY), y);
            Tensor value = Tensor.where(upper, ends.neg(), ends);
            return Tensor.where(p.lt(0).add(p.gt(1)).gt(0), ElementwiseOps.scalarLike(p, Double.NaN), value);
        }, (out, g) -> g.mul(out.square().mul(0.5).exp()).mul(SQRT_TWO_PI));
    }

    /** {@code exp(x^2) erfc(x)}: +infinity below about -26.6, 0 at +infinity; gradient 2 x erfcx(x) - 2 / sqrt(pi). */
    static Tensor erfcx(Tensor x) {
        check("erfcx", x);
        return Composite.op("erfcx", x, () -> {
            Tensor clamped = x.clampMin(OVERFLOWS_BELOW);
            Tensor high = clamped.mul(SPLIT).round().div(SPLIT);
            Tensor low = clamped.sub(high);
            Tensor scale = high.square().exp().mul(low.mul(high.mul(2).add(low)).exp());
            Tensor direct = scale.mul(clamped.erfc());
            return Tensor.where(x.lt(ASYMPTOTIC_FROM), direct, asymptotic(x));
        }, (out, g) -> g.mul(erfcx(x).mul(x).mul(2).sub(TWO_OVER_SQRT_PI)));
    }

    /** The asymptotic series of erfcx at large x. */
    private static Tensor asymptotic(Tensor x) {
        Tensor u = x.square().mul(2).reciprocal();
        Tensor sum = ElementwiseOps.scalarLike(x, 1);
        for (int k = ASYMPTOTIC_TERMS; k >= 1; k--) {
            sum = sum.mul(u).mul(-(2 * k - 1)).add(1);
        }
        return sum.div(x.mul(Math.sqrt(Math.PI)));
    }

    private static void check(String op, Tensor x) {
        Checks.open(op, x);
        Checks.floating(op, x);
    }
}
