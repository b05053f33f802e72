package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * The divergences KL(p || q) that PyTorch 1.13 registers ({@code torch/distributions/kl.py}) for Pareto among Kiln's
 * kinds, with PyTorch's formulas: Pareto-Pareto, Pareto-Exponential, Pareto-Gamma, Pareto-Normal and Uniform-Pareto in
 * closed form (infinite where p reaches below q's scale, or where p's mean or variance that the formula needs is
 * infinite), and infinity wherever p has mass that q rules out: Beta-Pareto, Exponential-Pareto, Gamma-Pareto,
 * Gumbel-Pareto, Laplace-Pareto, Normal-Pareto, Pareto-Beta and Pareto-Uniform (of p's batch shape, as PyTorch's).
 */
final class ParetoKL {
    private static final double LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private ParetoKL() {
    }

    /** Registers each pair with {@link KL}. */
    static void registerAll() {
        KL.register(Pareto.class, Pareto.class, ParetoKL::paretoPareto);
        KL.register(Pareto.class, Exponential.class, ParetoKL::paretoExponential);
        KL.register(Pareto.class, Gamma.class, ParetoKL::paretoGamma);
        KL.register(Pareto.class, Normal.class, ParetoKL::paretoNormal);
        KL.register(Uniform.class, Pareto.class, ParetoKL::uniformPareto);
        KL.register(Beta.class, Pareto.class, (p, q) -> CrossFamilyKL.infinite(p.concentration1()));
        KL.register(Exponential.class, Pareto.class, (p, q) -> CrossFamilyKL.infinite(p.rate()));
        KL.register(Gamma.class, Pareto.class, (p, q) -> CrossFamilyKL.infinite(p.concentration()));
        KL.register(Gumbel.class, Pareto.class, (p, q) -> CrossFamilyKL.infinite(p.loc()));
        KL.register(Laplace.class, Pareto.class, (p, q) -> CrossFamilyKL.infinite(p.loc()));
        KL.register(Normal.class, Pareto.class, (p, q) -> CrossFamilyKL.infinite(p.loc()));
        KL.register(Pareto.class, Beta.class, (p, q) -> CrossFamilyKL.infinite(p.scale()));
        KL.register(Pareto.class, Uniform.class, (p, q) -> CrossFamilyKL.infinite(p.scale()));
    }

    /** {@code qa log(ps / qs) - log(r) + r - 1} with r = qa / pa; infinite where p's scale is below q's. */
    private static Tensor paretoPareto(Pareto p, Pareto q) {
        Tensor alphaRatio = q.alpha().div(p.alpha());
        Tensor t1 = q.alpha().mul(p.scale().div(q.scale()).log());
        Tensor result = t1.sub(alphaRatio.log()).add(alphaRatio).sub(1);
        return result.maskedFill(p.scale().lt(q.scale()), Double.POSITIVE_INFINITY);
    }

    /** {@code log(pa / (ps qr)) - 1/pa + pa ps qr / (pa - 1) - 1}; infinite where pa &lt;= 1. */
    private static Tensor paretoExponential(Pareto p, Exponential q) {
        Tensor scaleRate = p.scale().mul(q.rate());
        Tensor t1 = p.alpha().div(scaleRate).log();
        Tensor t3 = p.alpha().mul(scaleRate).div(p.alpha().sub(1));
        Tensor result = t1.sub(p.alpha().reciprocal()).add(t3).sub(1);
        return result.maskedFill(p.alpha().le(1), Double.POSITIVE_INFINITY);
    }

    /**
     * {@code log(pa) - c + lgamma(qa) - qa log(qr) + (1 - qa) c + qr pa ps / (pa - 1) - 1} with
     * c = log(ps) + 1/pa; infinite where pa &lt;= 1.
     */
    private static Tensor paretoGamma(Pareto p, Gamma q) {
        Tensor common = p.scale().log().add(p.alpha().reciprocal());
        Tensor t1 = p.alpha().log().sub(common);
        Tensor t2 = q.concentration().lgamma().sub(q.concentration().mul(q.rate().log()));
        Tensor t3 = q.concentration().neg().add(1).mul(common);
        Tensor t4 = q.rate().mul(p.alpha()).mul(p.scale()).div(p.alpha().sub(1));
        Tensor result = t1.add(t2).add(t3).add(t4).sub(1);
        return result.maskedFill(p.alpha().le(1), Double.POSITIVE_INFINITY);
    }

    /**
     * {@code log(sqrt(2 pi) qs pa / ps) - 1/pa + (pa c^2 / (pa - 2) + (pa c - ql)^2) / (2 qs^2) - 1} with
     * c = ps / (pa - 1); infinite where pa &lt;= 2.
     */
    private static Tensor paretoNormal(Pareto p, Normal q) {
        Tensor twiceVariance = q.scale().square().mul(2);
        Tensor common = p.scale().div(p.alpha().sub(1));
        Tensor t1 = q.scale().mul(p.alpha()).div(p.scale()).log().add(LOG_SQRT_TWO_PI);
        Tensor t3 = p.alpha().mul(common.square()).div(p.alpha().sub(2));
        Tensor t4 = p.alpha().mul(common).sub(q.loc()).square();
        Tensor result = t1.sub(p.alpha().reciprocal()).add(t3.add(t4).div(twiceVariance)).sub(1);
        return result.maskedFill(p.alpha().le(2), Double.POSITIVE_INFINITY);
    }

    /**
     * {@code (qa + 1) (h log h - l log l - w) / w - log(qa qs^qa w)} with w = h - l; infinite where p's low end is
     * below q's scale.
     */
    private static Tensor uniformPareto(Uniform p, Pareto q) {
        Tensor width = p.high().sub(p.low());
        Tensor t1 = q.alpha().log().add(q.alpha().mul(q.scale().log())).add(width.log());
        Tensor t2 = xLogX(p.high()).sub(xLogX(p.low())).sub(width).div(width);
        Tensor result = t2.mul(q.alpha().add(1)).sub(t1);
        return result.maskedFill(p.low().lt(q.scale()), Double.POSITIVE_INFINITY);
    }

    /** {@code x log(x)} (PyTorch's {@code _x_log_x}, NaN at 0 as its). */
    private static Tensor xLogX(Tensor x) {
        return x.mul(x.log());
    }
}
