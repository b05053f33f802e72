package dev.kiln.engine;

/**
 * Three of PyTorch's {@code torch.special} functions built on logarithms and lgamma: {@code xlog1py},
 * {@code entr} and {@code multigammaln}, composed of Tensor ops so that they run on every backend and are
 * differentiable to any order.
 */
final class SpecialTermOps {
    private SpecialTermOps() {
    }

    /**
     * {@code x log1p(y)}, broadcast, 0 where x is 0 (even at y = -1), NaN where y is NaN. The gradients are PyTorch's:
     * {@code g log1p(y)} for x, 0 where x is 0 and y &lt;= -1; {@code g x / (1 + y)} for y.
     */
    static Tensor xlog1py(Tensor x, Tensor y) {
        PointwiseMathOps.checkOperands("xlog1py", new String[] {"input", "other"}, x, y);
        return BroadcastComposite.op("xlog1py", new Tensor[] {x, y}, () -> xlog1pyOf(x, y), (i, out, g) -> i == 0
                ? Tensor.where(x.eq(0).mul(y.le(-1)), ElementwiseOps.scalarLike(g, 0), xlog1pyOf(g, y))
                : g.mul(x).div(y.add(1)));
    }

    private static Tensor xlog1pyOf(Tensor x, Tensor y) {
        return Tensor.where(y.isnan(), y, Tensor.where(x.eq(0), ElementwiseOps.scalarLike(x, 0), x.mul(y.log1p())));
    }

    /**
     * The entropy term {@code -x log x}: 0 at 0, -infinity below 0, NaN for NaN. The gradient is PyTorch's
     * {@code -g (1 + log x)}: +infinity at 0, NaN below.
     */
    static Tensor entr(Tensor x) {
        Checks.open("entr", x);
        Checks.floating("entr", x);
        return Composite.op("entr", x, () -> {
            Tensor inside = Tensor.where(x.eq(0), ElementwiseOps.scalarLike(x, 0), x.mul(x.log()).neg());
            return Tensor.where(x.lt(0), ElementwiseOps.scalarLike(x, Double.NEGATIVE_INFINITY), inside);
        }, (out, g) -> g.mul(x.log().add(1)).neg());
    }

    /**
     * The log of the multivariate gamma function of dimension p,
     * {@code p (p - 1) / 4 log(pi) + sum over j < p of lgamma(x - j / 2)}; every element must exceed (p - 1) / 2, as in
     * PyTorch, which reads them on the host.
     */
    static Tensor multigammaln(Tensor x, int p) {
        Checks.open("multigammaln", x);
        Checks.floating("multigammaln", x);
        if (p < 1) {
            throw new IllegalArgumentException("multigammaln: p must be >= 1, got " + p);
        }
        double bound = 0.5 * (p - 1);
        if (x.size() > 0 && Composite.untracked(() -> x.gt(bound).min()).item() == 0) {
            throw new IllegalArgumentException("multigammaln: every element of x " + x.shape()
                    + " must be greater than (p - 1) / 2 = " + bound + ", got " + Composite.untracked(x::min).item());
        }
        return Composite.composed(() -> {
            Tensor sum = x.lgamma();
            for (int j = 1; j < p; j++) {
                sum = sum.add(x.sub(0.5 * j).lgamma());
            }
            return sum.add(p * (p - 1) / 4.0 * Math.log(Math.PI));
        }, x);
    }
}
