package dev.kiln.engine;

/**
 * The regularized lower and upper incomplete gamma functions {@code P(a, x)} and {@code Q(a, x) = 1 - P(a, x)}
 * (PyTorch's {@code special.gammainc} and {@code special.gammaincc}), composed of Tensor ops so that they run on every
 * backend. Like PyTorch 1.13 they have a gradient in x only, {@code +-x^(a-1) e^-x / Gamma(a)}, itself differentiable;
 * asking for a's is refused.
 *
 * <p>Numerical Recipes' split: below {@code x = a + 1} the series
 * {@code P = x^a e^-x / Gamma(a) sum x^n / (a (a+1) ... (a+n))}, above it Lentz's evaluation of Legendre's continued
 * fraction for Q, each a fixed {@value #TERMS} steps, enough for a up to about 3000 (the series needs about
 * {@code sqrt(74 a)} terms where x is near a); within 1e-12 of mpmath's at a from 20 to 1000, where PyTorch 1.13's
 * are up to 1.2e-9 off. Q is {@code 1 - P} on the series' side, which loses digits where P is near 1 with a small
 * (8e-13 relative at Q(0.001, 0.001) = 0.0063). Edges as PyTorch: NaN where a or x is negative or NaN and at
 * a = x = 0; P = 1 at a = 0 and at x = +infinity, 0 at x = 0 and at a = +infinity.
 */
final class IncompleteGammaOps {
    private static final int TERMS = 480;
    private static final double TINY = 1e-300;

    private IncompleteGammaOps() {
    }

    /** P(a, x), broadcast. */
    static Tensor gammainc(Tensor a, Tensor x) {
        return op("gammainc", a, x, false);
    }

    /** Q(a, x) = 1 - P(a, x), broadcast, without P's cancellation where Q is small. */
    static Tensor gammaincc(Tensor a, Tensor x) {
        return op("gammaincc", a, x, true);
    }

    private static Tensor op(String name, Tensor a, Tensor x, boolean upper) {
        PointwiseMathOps.checkOperands(name, new String[] {"a", "x"}, a, x);
        return BroadcastComposite.op(name, new Tensor[] {a, x}, () -> values(a, x, upper), (i, out, g) -> {
            if (i == 0) {
                throw new IllegalArgumentException(name + ": the gradient with respect to a is not implemented, as in "
                        + "PyTorch; detach a or leave its requiresGrad off");
            }
            Tensor density = a.sub(1).mul(x.log()).sub(x).sub(a.lgamma()).exp();
            return upper ? g.mul(density).neg() : g.mul(density);
        });
    }

    private static Tensor values(Tensor a, Tensor x, boolean upper) {
        Tensor logPrefactor = a.mul(x.log()).sub(x).sub(a.lgamma());
        Tensor seriesSide = x.lt(a.add(1));
        // Both branches run everywhere; where picks the one whose side each element is on.
        Tensor p = lowerSeries(a, x, logPrefactor);
        Tensor q = upperFraction(a, x, logPrefactor);
        Tensor result = upper ? Tensor.where(seriesSide, ElementwiseOps.affine(p, -1, 1), q)
                : Tensor.where(seriesSide, p, ElementwiseOps.affine(q, -1, 1));
        return edges(a, x, result, upper);
    }

    private static Tensor lowerSeries(Tensor a, Tensor x, Tensor logPrefactor) {
        Tensor term = a.reciprocal();
        Tensor sum = term;
        for (int n = 1; n < TERMS; n++) {
            term = term.mul(x).div(a.add(n));
            sum = sum.add(term);
        }
        return sum.mul(logPrefactor.exp());
    }

    /** Modified Lentz's method on Q's continued fraction, Numerical Recipes' gcf. */
    private static Tensor upperFraction(Tensor a, Tensor x, Tensor logPrefactor) {
        Tensor b = x.add(1).sub(a);
        Tensor c = ElementwiseOps.scalarLike(x, 1 / TINY);
        Tensor d = guarded(b).reciprocal();
        Tensor h = d;
        for (int i = 1; i < TERMS; i++) {
            Tensor an = a.sub(i).mul(i);
            b = b.add(2);
            d = guarded(d.mul(an).add(b)).reciprocal();
            c = guarded(an.div(c).add(b));
            h = h.mul(d.mul(c));
        }
        return h.mul(logPrefactor.exp());
    }

    /** v, with TINY where |v| is below it, so that Lentz's steps never divide by 0. */
    private static Tensor guarded(Tensor v) {
        return Tensor.where(v.abs().lt(TINY), ElementwiseOps.scalarLike(v, TINY), v);
    }

    private static Tensor edges(Tensor a, Tensor x, Tensor result, boolean upper) {
        Tensor one = ElementwiseOps.scalarLike(result, upper ? 0 : 1);
        Tensor zero = ElementwiseOps.scalarLike(result, upper ? 1 : 0);
        Tensor value = Tensor.where(x.eq(0), zero, result);
        value = Tensor.where(a.isinf().mul(x.isfinite()), zero, value);
        value = Tensor.where(x.isinf(), one, value);
        value = Tensor.where(a.eq(0), one, value);
        Tensor invalid = a.lt(0).add(x.lt(0)).add(a.eq(0).mul(x.eq(0))).add(a.isnan()).add(x.isnan()).gt(0);
        return Tensor.where(invalid, ElementwiseOps.scalarLike(result, Double.NaN), value);
    }
}
