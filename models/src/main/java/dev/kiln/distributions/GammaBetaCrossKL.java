package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * The divergences KL(p || q) between Gamma (Chi2 among them) or Beta and Kiln's other kinds that PyTorch 1.13
 * registers ({@code torch/distributions/kl.py}), with PyTorch's formulas: Beta-Exponential, Beta-Gamma, Beta-Normal,
 * Beta-Uniform, Exponential-Gamma, Gamma-Exponential, Gamma-Gumbel, Gamma-Normal, Uniform-Beta and Uniform-Gamma in
 * closed form (infinite where p has mass outside q's support), and infinity wherever p's support reaches beyond q's:
 * Exponential-Beta, Gamma-Beta, Gamma-Uniform, Gumbel-Beta, Gumbel-Gamma, Laplace-Beta, Laplace-Gamma, Normal-Beta and
 * Normal-Gamma (of p's batch shape, as PyTorch's). The other cross-kind pairs are {@link CrossFamilyKL}'s.
 */
final class GammaBetaCrossKL {
    private static final double EULER_GAMMA = Gumbel.EULER_GAMMA;

    private GammaBetaCrossKL() {
    }

    /** Registers each pair with {@link KL}. */
    static void registerAll() {
        KL.register(Beta.class, Exponential.class, GammaBetaCrossKL::betaExponential);
        KL.register(Beta.class, Gamma.class, GammaBetaCrossKL::betaGamma);
        KL.register(Beta.class, Normal.class, GammaBetaCrossKL::betaNormal);
        KL.register(Beta.class, Uniform.class, GammaBetaCrossKL::betaUniform);
        KL.register(Exponential.class, Gamma.class, GammaBetaCrossKL::exponentialGamma);
        KL.register(Gamma.class, Exponential.class, GammaBetaCrossKL::gammaExponential);
        KL.register(Gamma.class, Gumbel.class, GammaBetaCrossKL::gammaGumbel);
        KL.register(Gamma.class, Normal.class, GammaBetaCrossKL::gammaNormal);
        KL.register(Uniform.class, Beta.class, GammaBetaCrossKL::uniformBeta);
        KL.register(Uniform.class, Gamma.class, GammaBetaCrossKL::uniformGamma);
        KL.register(Exponential.class, Beta.class, (p, q) -> infinite(p.rate()));
        KL.register(Gamma.class, Beta.class, (p, q) -> infinite(p.concentration()));
        KL.register(Gamma.class, Uniform.class, (p, q) -> infinite(p.concentration()));
        KL.register(Gumbel.class, Beta.class, (p, q) -> infinite(p.loc()));
        KL.register(Gumbel.class, Gamma.class, (p, q) -> infinite(p.loc()));
        KL.register(Laplace.class, Beta.class, (p, q) -> infinite(p.loc()));
        KL.register(Laplace.class, Gamma.class, (p, q) -> infinite(p.loc()));
        KL.register(Normal.class, Beta.class, (p, q) -> infinite(p.loc()));
        KL.register(Normal.class, Gamma.class, (p, q) -> infinite(p.loc()));
    }

    /** Infinity in {@code like}'s shape, dtype and backend (PyTorch's {@code _infinite_like}). */
    private static Tensor infinite(Tensor like) {
        return like.fullLike(Double.POSITIVE_INFINITY);
    }

    /** {@code x log(x)}, NaN at 0 as PyTorch's {@code _x_log_x}. */
    private static Tensor xLogX(Tensor x) {
        return x.mul(x.log());
    }

    /** {@code -entropy(p) - log(qr) + qr E[p]}. */
    private static Tensor betaExponential(Beta p, Exponential q) {
        return p.entropy().neg().sub(q.rate().log()).add(q.rate().mul(p.mean()));
    }

    /**
     * {@code -entropy(p) + lgamma(qa) - qa log(qr) - (qa - 1) (digamma(c1) - digamma(c1 + c0)) + qr E[p]}, c1 and c0
     * p's concentrations.
     */
    private static Tensor betaGamma(Beta p, Gamma q) {
        Tensor t2 = q.concentration().lgamma().sub(q.concentration().mul(q.rate().log()));
        Tensor t3 = q.concentration().sub(1).mul(p.concentration1().digamma()
                .sub(p.concentration1().add(p.concentration0()).digamma()));
        return p.entropy().neg().add(t2).sub(t3).add(q.rate().mul(p.mean()));
    }

    /**
     * {@code -entropy(p) + log(2 pi qs^2) / 2 + ((E (1 - E) / (c1 + c0 + 1) + E^2) / 2 - ql E + ql^2 / 2) / qs^2},
     * E = E[p].
     */
    private static Tensor betaNormal(Beta p, Normal q) {
        Tensor mean = p.mean();
        Tensor varNormal = q.scale().square();
        Tensor t2 = varNormal.mul(2 * Math.PI).log().mul(0.5);
        Tensor t3 = mean.mul(mean.neg().add(1)).div(p.concentration1().add(p.concentration0()).add(1))
                .add(mean.square()).mul(0.5);
        Tensor t4 = q.loc().mul(mean);
        Tensor t5 = q.loc().square().mul(0.5);
        return p.entropy().neg().add(t2).add(t3.sub(t4).add(t5).div(varNormal));
    }

    /** {@code -entropy(p) + log(qh - ql)}, infinite where q leaves out part of [0, 1]. */
    private static Tensor betaUniform(Beta p, Uniform q) {
        Tensor result = p.entropy().neg().add(q.high().sub(q.low()).log());
        return result.maskedFill(q.low().gt(0).add(q.high().lt(1)), Double.POSITIVE_INFINITY);
    }

    /** {@code -qa log(r) + r + lgamma(qa) + qa gamma - (1 + gamma)} with r = qr / p.rate, gamma Euler's constant. */
    private static Tensor exponentialGamma(Exponential p, Gamma q) {
        Tensor ratio = q.rate().div(p.rate());
        Tensor t1 = q.concentration().neg().mul(ratio.log());
        return t1.add(ratio).add(q.concentration().lgamma()).add(q.concentration().mul(EULER_GAMMA))
                .sub(1 + EULER_GAMMA);
    }

    /** {@code -entropy(p) - log(qr) + qr pa / pr}. */
    private static Tensor gammaExponential(Gamma p, Exponential q) {
        return p.entropy().neg().sub(q.rate().log()).add(q.rate().mul(p.concentration()).div(p.rate()));
    }

    /**
     * {@code (a - 1) digamma(a) - lgamma(a) - a + log(b) + a / b + exp(ql/qs) (1 + 1/b)^-a - ql/qs} with a = pa and
     * b = pr qs.
     */
    private static Tensor gammaGumbel(Gamma p, Gumbel q) {
        Tensor a = p.concentration();
        Tensor betaScaleProduct = p.rate().mul(q.scale());
        Tensor locScaleRatio = q.loc().div(q.scale());
        Tensor t1 = a.sub(1).mul(a.digamma()).sub(a.lgamma()).sub(a);
        Tensor t2 = betaScaleProduct.log().add(a.div(betaScaleProduct));
        // (1 + 1/b)^-a as exp(-a log1p(1/b)), which carries the gradient to a as PyTorch's pow does.
        Tensor t3 = locScaleRatio.exp().mul(betaScaleProduct.reciprocal().log1p().mul(a).neg().exp())
                .sub(locScaleRatio);
        return t1.add(t2).add(t3);
    }

    /**
     * {@code log(pr^2 qs^2 2 pi) / 2 - pa - lgamma(pa) + (pa - 1) digamma(pa)
     * + ((pa^2 + pa) / (2 pr^2) - ql pa / pr + ql^2 / 2) / qs^2}.
     */
    private static Tensor gammaNormal(Gamma p, Normal q) {
        Tensor a = p.concentration();
        Tensor varNormal = q.scale().square();
        Tensor rateSquared = p.rate().square();
        Tensor t1 = rateSquared.mul(varNormal).mul(2 * Math.PI).log().mul(0.5).sub(a)
                .sub(a.lgamma());
        Tensor t2 = a.square().add(a).mul(0.5).div(rateSquared);
        Tensor t3 = q.loc().mul(a).div(p.rate());
        Tensor t4 = q.loc().square().mul(0.5);
        return t1.add(a.sub(1).mul(a.digamma())).add(t2.sub(t3).add(t4).div(varNormal));
    }

    /**
     * {@code (c0 - 1) (xlogx(1 - h) - xlogx(1 - l) + w) / w + lbeta(c1, c0) - log(w) - (c1 - 1) (xlogx(h) - xlogx(l)
     * - w) / w} with l, h p's bounds, w = h - l, c1 and c0 q's concentrations; infinite where p reaches outside
     * [0, 1].
     */
    private static Tensor uniformBeta(Uniform p, Beta q) {
        Tensor width = p.high().sub(p.low());
        Tensor t1 = width.log();
        Tensor t2 = q.concentration1().sub(1).mul(xLogX(p.high()).sub(xLogX(p.low())).sub(width)).div(width);
        Tensor t3 = q.concentration0().sub(1)
                .mul(xLogX(p.high().neg().add(1)).sub(xLogX(p.low().neg().add(1))).add(width)).div(width);
        Tensor t4 = q.concentration1().lgamma().add(q.concentration0().lgamma())
                .sub(q.concentration1().add(q.concentration0()).lgamma());
        Tensor result = t3.add(t4).sub(t1).sub(t2);
        return result.maskedFill(p.high().gt(1).add(p.low().lt(0)), Double.POSITIVE_INFINITY);
    }

    /**
     * {@code -log(w) + lgamma(qa) - qa log(qr) + (1 - qa) (xlogx(h) - xlogx(l) - w) / w + qr (h + l) / 2} with l, h
     * p's bounds and w = h - l; infinite where p reaches below 0.
     */
    private static Tensor uniformGamma(Uniform p, Gamma q) {
        Tensor width = p.high().sub(p.low());
        Tensor t2 = q.concentration().lgamma().sub(q.concentration().mul(q.rate().log()));
        Tensor t3 = q.concentration().neg().add(1).mul(xLogX(p.high()).sub(xLogX(p.low())).sub(width)).div(width);
        Tensor t4 = q.rate().mul(p.high().add(p.low())).div(2);
        Tensor result = width.log().neg().add(t2).add(t3).add(t4);
        return result.maskedFill(p.low().lt(0), Double.POSITIVE_INFINITY);
    }
}
