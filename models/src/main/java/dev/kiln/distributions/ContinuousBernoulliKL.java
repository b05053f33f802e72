package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * The divergences KL(p || q) that PyTorch 1.13 registers ({@code torch/distributions/kl.py}) for ContinuousBernoulli
 * among Kiln's kinds, with PyTorch's formulas: ContinuousBernoulli-ContinuousBernoulli, Beta-ContinuousBernoulli,
 * ContinuousBernoulli-Exponential, ContinuousBernoulli-Normal, ContinuousBernoulli-Uniform and
 * Uniform-ContinuousBernoulli in closed form (the last two infinite where one side has mass outside the other's
 * support; PyTorch 1.13's &gt;= and &lt;= make them infinite also where the uniform's bounds are exactly 0 or 1, as
 * for Uniform(0, 1), where they are finite), and infinity for ContinuousBernoulli-Pareto, Exponential-, Gamma-,
 * Gumbel-, Laplace-, Normal- and Pareto-ContinuousBernoulli (of p's batch shape, as PyTorch's).
 */
final class ContinuousBernoulliKL {
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private ContinuousBernoulliKL() {
    }

    /** Registers each pair with {@link KL}. */
    static void registerAll() {
        KL.register(ContinuousBernoulli.class, ContinuousBernoulli.class, ContinuousBernoulliKL::itself);
        KL.register(Beta.class, ContinuousBernoulli.class,
                (p, q) -> crossEntropyOf(q, p.mean()).sub(p.entropy()));
        KL.register(ContinuousBernoulli.class, Exponential.class, ContinuousBernoulliKL::exponential);
        KL.register(ContinuousBernoulli.class, Normal.class, ContinuousBernoulliKL::normal);
        KL.register(ContinuousBernoulli.class, Uniform.class, ContinuousBernoulliKL::uniform);
        KL.register(Uniform.class, ContinuousBernoulli.class, ContinuousBernoulliKL::fromUniform);
        KL.register(ContinuousBernoulli.class, Pareto.class, (p, q) -> CrossFamilyKL.infinite(p.probs()));
        KL.register(Exponential.class, ContinuousBernoulli.class, (p, q) -> CrossFamilyKL.infinite(p.rate()));
        KL.register(Gamma.class, ContinuousBernoulli.class, (p, q) -> CrossFamilyKL.infinite(p.concentration()));
        KL.register(Gumbel.class, ContinuousBernoulli.class, (p, q) -> CrossFamilyKL.infinite(p.loc()));
        KL.register(Laplace.class, ContinuousBernoulli.class, (p, q) -> CrossFamilyKL.infinite(p.loc()));
        KL.register(Normal.class, ContinuousBernoulli.class, (p, q) -> CrossFamilyKL.infinite(p.loc()));
        KL.register(Pareto.class, ContinuousBernoulli.class, (p, q) -> CrossFamilyKL.infinite(p.scale()));
    }

    /**
     * {@code pm (p.logits - q.logits) + log Cp + log(1 - pl) - log Cq - log(1 - ql)}, m the mean, l lambda and C the
     * normalising constant.
     */
    private static Tensor itself(ContinuousBernoulli p, ContinuousBernoulli q) {
        Tensor t1 = p.mean().mul(p.logits().sub(q.logits()));
        Tensor t2 = p.logNormaliser().add(p.probs().neg().log1p());
        Tensor t3 = q.logNormaliser().neg().sub(q.probs().neg().log1p());
        return t1.add(t2).add(t3);
    }

    /** {@code -mean q.logits - log(1 - ql) - log Cq}: the cross-entropy of q for a p of this mean, in [0, 1]. */
    private static Tensor crossEntropyOf(ContinuousBernoulli q, Tensor mean) {
        return mean.mul(q.logits()).neg().sub(q.probs().neg().log1p()).sub(q.logNormaliser());
    }

    /** {@code -entropy(p) - log(qr) + qr pm}. */
    private static Tensor exponential(ContinuousBernoulli p, Exponential q) {
        return p.entropy().neg().sub(q.rate().log()).add(q.rate().mul(p.mean()));
    }

    /** {@code -entropy(p) + (log(2 pi) + (ql/qs)^2) / 2 + log(qs) + (pv + pm^2 - 2 ql pm) / (2 qs^2)}. */
    private static Tensor normal(ContinuousBernoulli p, Normal q) {
        Tensor t2 = q.loc().div(q.scale()).square().mul(0.5).add(HALF_LOG_TWO_PI).add(q.scale().log());
        Tensor t3 = p.variance().add(p.mean().square()).sub(q.loc().mul(2).mul(p.mean()))
                .div(q.scale().square().mul(2));
        return p.entropy().neg().add(t2).add(t3);
    }

    /** {@code -entropy(p) + log(qh - ql)}; infinite where q leaves out part of [0, 1]: ql > 0 or qh &lt; 1. */
    private static Tensor uniform(ContinuousBernoulli p, Uniform q) {
        Tensor result = p.entropy().neg().add(q.high().sub(q.low()).log());
        Tensor infinite = q.low().gt(0).add(q.high().lt(1)).gt(0);
        return Tensor.where(infinite, result.fullLike(Double.POSITIVE_INFINITY), result);
    }

    /** {@code -entropy(p) + crossEntropy}; infinite where p reaches outside [0, 1]: ph > 1 or pl &lt; 0. */
    private static Tensor fromUniform(Uniform p, ContinuousBernoulli q) {
        Tensor result = crossEntropyOf(q, p.mean()).sub(p.entropy());
        Tensor infinite = p.high().gt(1).add(p.low().lt(0)).gt(0);
        return Tensor.where(infinite, result.fullLike(Double.POSITIVE_INFINITY), result);
    }
}
