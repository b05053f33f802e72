package dev.kiln.engine;

/**
 * The log-gamma, digamma, polygamma and inverse error functions (PyTorch's {@code lgamma}, {@code digamma},
 * {@code polygamma}, {@code erfinv}), composed of Tensor ops so that they run on every backend, each recorded as one
 * node whose gradient is the next function of the family (lgamma's is digamma, digamma's polygamma(1), polygamma(n)'s
 * polygamma(n + 1)), so they are differentiable to any order.
 *
 * <p>For x &gt; 0 the gamma family shifts the argument by {@value #SHIFT} (more for polygamma of a higher order) with
 * the recurrences {@code lgamma(x) = lgamma(x + 1) - log(x)} and
 * {@code psi_n(x) = psi_n(x + 1) - (-1)^(n+1) n! / x^(n+1)}, then sums the asymptotic (Stirling) series at
 * {@code z >= 10}, whose first omitted term is below 1e-15 relative.
 * Measured against mpmath in F64 from 1e-300 to 1e300, lgamma is within 5e-14 absolute up to 30 and 5e-16 relative
 * above; the shift's sum of logarithms dominates the error. For x &lt;= 0 the reflection formulas
 * {@code lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x)}, {@code digamma(x) = digamma(1 - x) - pi / tan(pi x)} and
 * their derivatives', with sin and tan of the fractional part of x, which is exact.
 *
 * <p>erfinv follows PyTorch's algorithm, a first guess (Giles' single-precision polynomials in
 * {@code -log(1 - x^2)}) refined by Newton's steps on {@code erf(y) - x}, but three of them where PyTorch takes two,
 * and where |x| &gt;= 0.5 with {@code 1 - erf(|y|)} taken from erfc, so that the tails keep their digits: within
 * 1e-15 relative of mpmath's at x = -0.999999 and 1 - 1e-10, where PyTorch's is 2e-12 away at the first.
 */
final class SpecialFunctionOps {
    private static final int SHIFT = 10;
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private static final double LOG_PI = Math.log(Math.PI);
    /** B(2k) / (2k (2k - 1)), the coefficients of z^-(2k-1) in Stirling's series for lgamma, k = 1..7. */
    private static final double[] LGAMMA_SERIES = {1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188,
        -691.0 / 360360, 1.0 / 156};
    /** B(2k) / (2k), the coefficients of z^-2k subtracted in the asymptotic series for digamma, k = 1..7. */
    private static final double[] DIGAMMA_SERIES = {1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132,
        -691.0 / 32760, 1.0 / 12};
    /** The Bernoulli numbers B(2k), k = 1..7. */
    private static final double[] BERNOULLI = {1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730,
        7.0 / 6};
    /** Giles' polynomial in w - 2.5 for w = -log(1 - x^2) &lt; 5, lowest power first. */
    private static final double[] ERFINV_CENTRAL = {1.50140941, 0.246640727, -0.00417768164, -0.00125372503,
        0.00021858087, -4.39150654e-06, -3.5233877e-06, 3.43273939e-07, 2.81022636e-08};
    /** Giles' polynomial in sqrt(w) - 3 for w &gt;= 5, lowest power first. */
    private static final double[] ERFINV_TAIL = {2.83297682, 1.00167406, 0.00943887047, -0.0076224613,
        0.00573950773, -0.00367342844, 0.00134934322, 0.000100950558, -0.000200214257};

    private SpecialFunctionOps() {
    }

    /** log|Gamma(x)|: +infinity at 0, the negative integers and +-infinity; NaN for NaN. */
    static Tensor lgamma(Tensor x) {
        check("lgamma", x);
        return Composite.op("lgamma", x, () -> {
            Tensor reflected = Tensor.where(poleOrInfinite(x), constant(x, Double.POSITIVE_INFINITY),
                    sinOfPiX(x).abs().log().neg().add(LOG_PI).sub(lgammaPositive(ElementwiseOps.affine(x, -1, 1))));
            return Tensor.where(x.gt(0).mul(x.isfinite()), lgammaPositive(x), reflected);
        }, (out, g) -> g.mul(digamma(x)));
    }

    /**
     * d/dx log|Gamma(x)|: -infinity at +0 and +infinity at -0 (PyTorch's sign), NaN at the negative integers and
     * -infinity, +infinity at +infinity.
     */
    static Tensor digamma(Tensor x) {
        check("digamma", x);
        return Composite.op("digamma", x, () -> {
            Tensor angle = x.frac().mul(Math.PI);
            Tensor reflected = digammaPositive(ElementwiseOps.affine(x, -1, 1)).sub(angle.tan().reciprocal()
                    .mul(Math.PI));
            Tensor values = Tensor.where(x.gt(0), digammaPositive(x), reflected);
            Tensor atZero = Tensor.where(x.reciprocal().gt(0), constant(x, Double.NEGATIVE_INFINITY),
                    constant(x, Double.POSITIVE_INFINITY));
            Tensor negativeInteger = x.lt(0).mul(x.floor().eq(x));
            return Tensor.where(x.eq(0), atZero, Tensor.where(negativeInteger, constant(x, Double.NaN), values));
        }, (out, g) -> g.mul(polygamma(1, x)));
    }

    /**
     * The n-th derivative of digamma; n = 0 is digamma. For x &lt;= 0 the reflection formula
     * {@code psi_n(x) = (-1)^n psi_n(1 - x) - pi^(n+1) P_n(cot(pi x))}, P_n the polynomial with
     * {@code d^n/du^n cot(u) = P_n(cot u)}; infinite at the poles.
     */
    static Tensor polygamma(int n, Tensor x) {
        if (n < 0) {
            throw new IllegalArgumentException("polygamma: n must be >= 0, got " + n);
        }
        if (n == 0) {
            return digamma(x);
        }
        check("polygamma", x);
        return Composite.op("polygamma", x, () -> {
            Tensor cot = x.frac().mul(Math.PI).tan().reciprocal();
            Tensor mirrored = polygammaPositive(n, ElementwiseOps.affine(x, -1, 1));
            Tensor reflected = (n % 2 == 0 ? mirrored : mirrored.neg())
                    .sub(polynomial(cot, cotangentDerivative(n)).mul(Math.pow(Math.PI, n + 1)));
            return Tensor.where(x.gt(0), polygammaPositive(n, x), reflected);
        }, (out, g) -> g.mul(polygamma(n + 1, x)));
    }

    /**
     * The coefficients, lowest power first, of P_n with {@code d^n/du^n cot(u) = P_n(cot u)}: P_0(c) = c and, as
     * d/du cot u = -(1 + cot^2 u), {@code P_(n+1)(c) = -(1 + c^2) P_n'(c)}.
     */
    private static double[] cotangentDerivative(int n) {
        double[] p = {0, 1};
        for (int order = 0; order < n; order++) {
            double[] next = new double[p.length + 1];
            for (int k = 1; k < p.length; k++) {
                next[k - 1] -= k * p[k];
                next[k + 1] -= k * p[k];
            }
            p = next;
        }
        return p;
    }

    /**
     * The inverse of erf on [-1, 1]: +-infinity at +-1, NaN beyond. The gradient is PyTorch's
     * {@code g sqrt(pi) / 2 exp(erfinv(x)^2)}.
     */
    static Tensor erfinv(Tensor x) {
        check("erfinv", x);
        return Composite.op("erfinv", x, () -> {
            Tensor w = ElementwiseOps.affine(x, -1, 1).mul(x.add(1)).log().neg();
            Tensor central = polynomial(w.sub(2.5), ERFINV_CENTRAL);
            Tensor tail = polynomial(w.sqrt().sub(3), ERFINV_TAIL);
            Tensor y = Tensor.where(w.lt(5), central, tail).mul(x);
            // Newton's steps on erf(y) - x, where |x| >= 0.5 on erfc(|y|) - (1 - |x|) (the same function, and
            // 1 - |x| is exact there), whose small differences erf's, near 1, would round away.
            Tensor magnitude = x.abs();
            Tensor nearOne = magnitude.ge(0.5);
            Tensor complement = ElementwiseOps.affine(magnitude, -1, 1);
            Tensor sign = x.sign();
            for (int step = 0; step < 3; step++) {
                Tensor residual = Tensor.where(nearOne, complement.sub(y.abs().erfc()).mul(sign), y.erf().sub(x));
                y = y.sub(residual.mul(y.square().exp()).mul(Math.sqrt(Math.PI) / 2));
            }
            Tensor ends = Tensor.where(x.gt(0), constant(x, Double.POSITIVE_INFINITY),
                    constant(x, Double.NEGATIVE_INFINITY));
            return Tensor.where(magnitude.eq(1), ends, Tensor.where(magnitude.gt(1), constant(x, Double.NaN), y));
        }, (out, g) -> g.mul(out.square().exp()).mul(Math.sqrt(Math.PI) / 2));
    }

    /** sin(pi x) up to sign, as sin(pi frac(x)): exact at the integers, where sin(pi x) is not. */
    private static Tensor sinOfPiX(Tensor x) {
        return x.frac().mul(Math.PI).sin();
    }

    /** 1 where x is 0, a negative integer or +-infinity. */
    private static Tensor poleOrInfinite(Tensor x) {
        return x.le(0).mul(x.floor().eq(x)).add(x.isinf()).gt(0);
    }

    /** lgamma for x &gt; 0. */
    private static Tensor lgammaPositive(Tensor x) {
        Tensor z = x.add(SHIFT);
        Tensor zInverse = z.reciprocal();
        Tensor stirling = z.sub(0.5).mul(z.log()).sub(z).add(HALF_LOG_TWO_PI)
                .add(polynomial(zInverse.square(), LGAMMA_SERIES).mul(zInverse));
        // log(x (x + 1) ... (x + SHIFT - 1)) as a sum of logarithms, which no product overflows.
        Tensor shiftLogs = x.log();
        for (int k = 1; k < SHIFT; k++) {
            shiftLogs = shiftLogs.add(x.add(k).log());
        }
        return stirling.sub(shiftLogs);
    }

    /** digamma for x &gt; 0. */
    private static Tensor digammaPositive(Tensor x) {
        Tensor z = x.add(SHIFT);
        Tensor zInverse = z.reciprocal();
        Tensor inverseSquare = zInverse.square();
        Tensor asymptotic = z.log().sub(zInverse.mul(0.5))
                .sub(polynomial(inverseSquare, DIGAMMA_SERIES).mul(inverseSquare));
        Tensor shift = x.reciprocal();
        for (int k = 1; k < SHIFT; k++) {
            shift = shift.add(x.add(k).reciprocal());
        }
        return asymptotic.sub(shift);
    }

    /**
     * psi_n for x &gt; 0 and n &gt;= 1: (-1)^(n+1) times the asymptotic series {@code (n-1)!/z^n + n!/(2 z^(n+1)) +
     * sum of B(2k) (2k+n-1)!/(2k)! / z^(2k+n)} at z = x + shift plus n! times the shifted terms 1/(x+k)^(n+1). The
     * shift grows with n, as the series' coefficients do.
     */
    private static Tensor polygammaPositive(int n, Tensor x) {
        int shift = SHIFT + 2 * n;
        double nFactorial = factorial(n);
        Tensor z = x.add(shift);
        Tensor zInverse = z.reciprocal();
        // Coefficient k - 1 multiplies z^-2k: B(2k) (2k+n-1)! / (2k)!.
        double[] series = new double[BERNOULLI.length];
        for (int k = 1; k <= BERNOULLI.length; k++) {
            series[k - 1] = BERNOULLI[k - 1] * risingProduct(2 * k + 1, 2 * k + n - 1);
        }
        Tensor inverseSquare = zInverse.square();
        Tensor tail = polynomial(inverseSquare, series).mul(inverseSquare).add(zInverse.mul(nFactorial / 2))
                .add(nFactorial / n).mul(zInverse.pow(n));
        Tensor shifted = x.pow(-(n + 1));
        for (int k = 1; k < shift; k++) {
            shifted = shifted.add(x.add(k).pow(-(n + 1)));
        }
        Tensor sum = tail.add(shifted.mul(nFactorial));
        return n % 2 == 1 ? sum : sum.neg();
    }

    /** from * (from + 1) * ... * to; 1 when to &lt; from. */
    private static double risingProduct(int from, int to) {
        double product = 1;
        for (int j = from; j <= to; j++) {
            product *= j;
        }
        return product;
    }

    private static double factorial(int n) {
        return risingProduct(2, n);
    }

    /** {@code c[0] + c[1] y + c[2] y^2 + ...} by Horner's rule. */
    private static Tensor polynomial(Tensor y, double[] c) {
        Tensor sum = y.mul(c[c.length - 1]).add(c[c.length - 2]);
        for (int k = c.length - 3; k >= 0; k--) {
            sum = sum.mul(y).add(c[k]);
        }
        return sum;
    }

    private static Tensor constant(Tensor like, double value) {
        return ElementwiseOps.scalarLike(like, value);
    }

    private static void check(String op, Tensor x) {
        Checks.open(op, x);
        Checks.floating(op, x);
    }
}
