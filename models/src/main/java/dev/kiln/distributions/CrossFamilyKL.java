package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * The divergences KL(p || q) between distributions of different kinds that PyTorch 1.13 registers
 * ({@code torch/distributions/kl.py}) among Kiln's kinds, with PyTorch's formulas: Bernoulli-Poisson,
 * Exponential-Gumbel, Exponential-Normal, Gumbel-Normal, Laplace-Normal, Normal-Gumbel, Normal-Laplace,
 * Uniform-Exponential, Uniform-Gumbel and Uniform-Normal in closed form, and infinity wherever p has mass that q rules
 * out: Exponential-Uniform, Gumbel-Exponential, Gumbel-Uniform, Laplace-Exponential, Laplace-Uniform,
 * Normal-Exponential, Normal-Uniform, Poisson-Bernoulli and Poisson-Binomial (of p's batch shape, as PyTorch's).
 */
final class CrossFamilyKL {
    private static final double EULER_GAMMA = Gumbel.EULER_GAMMA;
    private static final double HALF_LOG_TWO_PI_E = 0.5 * (1 + Math.log(2 * Math.PI));

    private CrossFamilyKL() {
    }

    /** Registers each pair with {@link KL}. */
    static void registerAll() {
        KL.register(Bernoulli.class, Poisson.class, CrossFamilyKL::bernoulliPoisson);
        KL.register(Exponential.class, Gumbel.class, CrossFamilyKL::exponentialGumbel);
        KL.register(Exponential.class, Normal.class, CrossFamilyKL::exponentialNormal);
        KL.register(Gumbel.class, Normal.class, CrossFamilyKL::gumbelNormal);
        KL.register(Laplace.class, Normal.class, CrossFamilyKL::laplaceNormal);
        KL.register(Normal.class, Gumbel.class, CrossFamilyKL::normalGumbel);
        KL.register(Normal.class, Laplace.class, CrossFamilyKL::normalLaplace);
        KL.register(Uniform.class, Exponential.class, CrossFamilyKL::uniformExponential);
        KL.register(Uniform.class, Gumbel.class, CrossFamilyKL::uniformGumbel);
        KL.register(Uniform.class, Normal.class, CrossFamilyKL::uniformNormal);
        KL.register(Exponential.class, Uniform.class, (p, q) -> infinite(p.rate()));
        KL.register(Gumbel.class, Exponential.class, (p, q) -> infinite(p.loc()));
        KL.register(Gumbel.class, Uniform.class, (p, q) -> infinite(p.loc()));
        KL.register(Laplace.class, Exponential.class, (p, q) -> infinite(p.loc()));
        KL.register(Laplace.class, Uniform.class, (p, q) -> infinite(p.loc()));
        KL.register(Normal.class, Exponential.class, (p, q) -> infinite(p.loc()));
        KL.register(Normal.class, Uniform.class, (p, q) -> infinite(p.loc()));
        KL.register(Poisson.class, Bernoulli.class, (p, q) -> infinite(p.rate()));
        KL.register(Poisson.class, Binomial.class, (p, q) -> infinite(p.rate()));
    }

    /** Infinity in {@code like}'s shape, dtype and backend (PyTorch's {@code _infinite_like}). */
    static Tensor infinite(Tensor like) {
        return like.fullLike(Double.POSITIVE_INFINITY);
    }

    /** {@code -entropy(p) - (pp log(qr) - qr)}. */
    private static Tensor bernoulliPoisson(Bernoulli p, Poisson q) {
        return p.entropy().neg().sub(p.probs().mul(q.rate().log()).sub(q.rate()));
    }

    /** {@code log(s) - 1 - ql/qs + exp(ql/qs) s / (s + 1) + 1/s} with s = p.rate q.scale. */
    private static Tensor exponentialGumbel(Exponential p, Gumbel q) {
        Tensor scaleRateProduct = p.rate().mul(q.scale());
        Tensor locScaleRatio = q.loc().div(q.scale());
        Tensor t1 = scaleRateProduct.log().sub(1);
        Tensor t2 = locScaleRatio.exp().mul(scaleRateProduct).div(scaleRateProduct.add(1));
        Tensor t3 = scaleRateProduct.reciprocal();
        return t1.sub(locScaleRatio).add(t2).add(t3);
    }

    /** {@code log(rate^2 qs^2 2 pi) / 2 - 1 + (1/rate^2 - ql/rate + ql^2/2) / qs^2}. */
    private static Tensor exponentialNormal(Exponential p, Normal q) {
        Tensor varNormal = q.scale().square();
        Tensor rateSquared = p.rate().square();
        Tensor t1 = rateSquared.mul(varNormal).mul(2 * Math.PI).log().mul(0.5);
        Tensor t2 = rateSquared.reciprocal();
        Tensor t3 = q.loc().div(p.rate());
        Tensor t4 = q.loc().square().mul(0.5);
        return t1.sub(1).add(t2.sub(t3).add(t4).div(varNormal));
    }

    /**
     * {@code -log(r / sqrt(2 pi)) + (pi r / 2)^2 / 3 + ((pl + ps gamma - ql) / qs)^2 / 2 - (gamma + 1)} with
     * r = ps / qs.
     */
    private static Tensor gumbelNormal(Gumbel p, Normal q) {
        Tensor paramRatio = p.scale().div(q.scale());
        Tensor t1 = paramRatio.div(Math.sqrt(2 * Math.PI)).log();
        Tensor t2 = paramRatio.mul(Math.PI * 0.5).square().div(3);
        Tensor t3 = p.loc().add(p.scale().mul(EULER_GAMMA)).sub(q.loc()).div(q.scale()).square().mul(0.5);
        return t1.neg().add(t2).add(t3).sub(EULER_GAMMA + 1);
    }

    /** {@code -log(2 r / pi) / 2 + r + (pl^2/2 - pl ql + ql^2/2) / qs^2 - 1} with r = ps^2 / qs^2. */
    private static Tensor laplaceNormal(Laplace p, Normal q) {
        Tensor varNormal = q.scale().square();
        Tensor scaleSquaredRatio = p.scale().square().div(varNormal);
        Tensor t1 = scaleSquaredRatio.mul(2 / Math.PI).log().mul(0.5);
        Tensor t2 = p.loc().square().mul(0.5);
        Tensor t3 = p.loc().mul(q.loc());
        Tensor t4 = q.loc().square().mul(0.5);
        return t1.neg().add(scaleSquaredRatio).add(t2.sub(t3).add(t4).div(varNormal)).sub(1);
    }

    /** {@code -log(ps/qs) + pl/qs - ql/qs + exp(-pl/qs + (ps/qs)^2 / 2 + ql/qs) - (1 + log(2 pi)) / 2}. */
    private static Tensor normalGumbel(Normal p, Gumbel q) {
        Tensor meanScaleRatio = p.loc().div(q.scale());
        Tensor varScaleSquaredRatio = p.scale().div(q.scale()).square();
        Tensor locScaleRatio = q.loc().div(q.scale());
        Tensor t1 = varScaleSquaredRatio.log().mul(0.5);
        Tensor t2 = meanScaleRatio.sub(locScaleRatio);
        Tensor t3 = meanScaleRatio.neg().add(varScaleSquaredRatio.mul(0.5)).add(locScaleRatio).exp();
        return t1.neg().add(t2).add(t3).sub(HALF_LOG_TWO_PI_E);
    }

    /**
     * {@code -log(ps/qs) + (sqrt(2/pi) ps exp(-d^2 / (2 ps^2)) + d erf(d / (ps sqrt 2))) / qs - (1 + log(pi/2)) / 2}
     * with d = pl - ql.
     */
    private static Tensor normalLaplace(Normal p, Laplace q) {
        Tensor locDiff = p.loc().sub(q.loc());
        Tensor scaleRatio = p.scale().div(q.scale());
        Tensor locDiffScaleRatio = locDiff.div(p.scale());
        Tensor t1 = scaleRatio.log();
        Tensor t2 = p.scale().mul(Math.sqrt(2 / Math.PI)).mul(locDiffScaleRatio.square().mul(-0.5).exp());
        Tensor t3 = locDiff.mul(locDiffScaleRatio.mul(Math.sqrt(0.5)).erf());
        return t1.neg().add(t2.add(t3).div(q.scale())).sub(0.5 * (1 + Math.log(0.5 * Math.PI)));
    }

    /** {@code qr (ph + pl) / 2 - log((ph - pl) qr)}, infinite where p reaches below 0. */
    private static Tensor uniformExponential(Uniform p, Exponential q) {
        Tensor result = q.rate().mul(p.high().add(p.low())).div(2).sub(p.high().sub(p.low()).mul(q.rate()).log());
        return result.maskedFill(p.low().lt(0), Double.POSITIVE_INFINITY);
    }

    /**
     * {@code log(c) + (h + l) / 2 - c (exp(-h) - exp(-l))} with c = qs / (ph - pl), h = (ph - ql) / qs and
     * l = (pl - ql) / qs.
     */
    private static Tensor uniformGumbel(Uniform p, Gumbel q) {
        Tensor commonTerm = q.scale().div(p.high().sub(p.low()));
        Tensor highLocDiff = p.high().sub(q.loc()).div(q.scale());
        Tensor lowLocDiff = p.low().sub(q.loc()).div(q.scale());
        Tensor t1 = commonTerm.log().add(highLocDiff.add(lowLocDiff).mul(0.5));
        Tensor t2 = commonTerm.mul(highLocDiff.neg().exp().sub(lowLocDiff.neg().exp()));
        return t1.sub(t2);
    }

    /** {@code log(sqrt(2 pi) qs / (ph - pl)) + ((ph - pl)^2 / 12 + ((ph + pl - 2 ql) / 2)^2) / (2 qs^2)}. */
    private static Tensor uniformNormal(Uniform p, Normal q) {
        Tensor commonTerm = p.high().sub(p.low());
        Tensor t1 = q.scale().mul(Math.sqrt(2 * Math.PI)).div(commonTerm).log();
        Tensor t2 = commonTerm.square().div(12);
        Tensor t3 = p.high().add(p.low()).sub(q.loc().mul(2)).div(2).square();
        return t1.add(t2.add(t3).mul(0.5).div(q.scale().square()));
    }
}
