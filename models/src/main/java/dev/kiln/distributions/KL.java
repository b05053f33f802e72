package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The Kullback-Leibler divergence KL(p || q) between two distributions, as PyTorch's
 * {@code torch.distributions.kl_divergence(p, q)}: in nats, of the batch shape p's and q's broadcast to, with
 * gradients to both sides' parameters. Closed forms are registered, PyTorch's formulas, for Normal, LogNormal,
 * Laplace, Uniform, Exponential, Gamma (Chi2 among them), Beta, Dirichlet, Bernoulli, Categorical, OneHotCategorical,
 * MultivariateNormal, Cauchy, HalfCauchy, HalfNormal, Gumbel, Poisson, Geometric, Binomial (each with its own kind),
 * Independent pairs (of the same number of reinterpreted axes, over whatever pair their bases are),
 * TransformedDistribution pairs (of equal transforms and event shapes: their bases' divergence) and the pairs of
 * different kinds PyTorch registers among these ({@link CrossFamilyKL}, {@link GammaBetaCrossKL}), and Pareto's,
 * ContinuousBernoulli's and LowRankMultivariateNormal's with themselves and the others ({@link ParetoKL},
 * {@link ContinuousBernoulliKL}, {@link LowRankMultivariateNormalKL}); {@link #register} adds others. Infinite where q
 * gives zero probability to what p may draw (Bernoulli, Categorical, Uniform, Binomial), as in PyTorch.
 */
public final class KL {
    private static final Map<List<Class<?>>, BiFunction<Distribution, Distribution, Tensor>> REGISTRY =
            new ConcurrentHashMap<>();

    static {
        register(Normal.class, Normal.class, KL::normal);
        register(LogNormal.class, LogNormal.class, (p, q) -> normal(p.base(), q.base()));
        register(Laplace.class, Laplace.class, KL::laplace);
        register(Uniform.class, Uniform.class, KL::uniform);
        register(Exponential.class, Exponential.class, KL::exponential);
        register(Gamma.class, Gamma.class, KL::gamma);
        register(Beta.class, Beta.class, KL::beta);
        register(Dirichlet.class, Dirichlet.class, KL::dirichlet);
        register(Bernoulli.class, Bernoulli.class, KL::bernoulli);
        register(Categorical.class, Categorical.class, KL::categorical);
        register(OneHotCategorical.class, OneHotCategorical.class, (p, q) -> categorical(p.categorical(), q.categorical()));
        register(MultivariateNormal.class, MultivariateNormal.class, KL::multivariateNormal);
        register(Independent.class, Independent.class, KL::independent);
        register(Cauchy.class, Cauchy.class, KL::cauchy);
        register(HalfCauchy.class, HalfCauchy.class, (p, q) -> cauchy(p.base(), q.base()));
        register(HalfNormal.class, HalfNormal.class, (p, q) -> normal(p.base(), q.base()));
        register(Gumbel.class, Gumbel.class, KL::gumbel);
        register(Poisson.class, Poisson.class, KL::poisson);
        register(Geometric.class, Geometric.class, KL::geometric);
        register(Binomial.class, Binomial.class, KL::binomial);
        register(TransformedDistribution.class, TransformedDistribution.class, KL::transformed);
        CrossFamilyKL.registerAll();
        GammaBetaCrossKL.registerAll();
        ParetoKL.registerAll();
        ContinuousBernoulliKL.registerAll();
        LowRankMultivariateNormalKL.registerAll();
    }

    private KL() {
    }

    /**
     * Registers {@code divergence} as KL(p || q) for p of class {@code p} and q of class {@code q} (PyTorch's
     * {@code register_kl}), replacing any registered for that pair. Lookups try p's class, then its superclasses, each
     * with q's class and then its superclasses.
     */
    public static <P extends Distribution, Q extends Distribution> void register(
            Class<P> p, Class<Q> q, BiFunction<? super P, ? super Q, Tensor> divergence) {
        REGISTRY.put(List.of(p, q), (a, b) -> divergence.apply(p.cast(a), q.cast(b)));
    }

    /**
     * KL(p || q) of the registered closed form.
     *
     * @throws UnsupportedOperationException when none is registered for p's and q's classes, naming the pairs that are
     * @throws IllegalArgumentException naming p and q when their batch shapes do not broadcast
     */
    public static Tensor divergence(Distribution p, Distribution q) {
        Shape.broadcast("KL.divergence: p " + p + " and q " + q, p.batchShape(), q.batchShape());
        for (Class<?> pc = p.getClass(); pc != Object.class; pc = pc.getSuperclass()) {
            for (Class<?> qc = q.getClass(); qc != Object.class; qc = qc.getSuperclass()) {
                BiFunction<Distribution, Distribution, Tensor> kl = REGISTRY.get(List.of(pc, qc));
                if (kl != null) {
                    return kl.apply(p, q);
                }
            }
        }
        throw new UnsupportedOperationException("KL.divergence: no KL(p || q) is registered for p "
                + p.getClass().getSimpleName() + " and q " + q.getClass().getSimpleName() + "; registered pairs: "
                + registeredPairs() + " (KL.register adds one)");
    }

    private static String registeredPairs() {
        TreeSet<String> pairs = new TreeSet<>();
        for (List<Class<?>> pair : REGISTRY.keySet()) {
            pairs.add(pair.get(0).getSimpleName() + "-" + pair.get(1).getSimpleName());
        }
        return String.join(", ", pairs);
    }

    /** {@code ((ps/qs)^2 + ((pl - ql)/qs)^2 - 1 - log((ps/qs)^2)) / 2}. */
    private static Tensor normal(Normal p, Normal q) {
        Tensor varRatio = p.scale().div(q.scale()).square();
        Tensor t1 = p.loc().sub(q.loc()).div(q.scale()).square();
        return varRatio.add(t1).sub(1).sub(varRatio.log()).mul(0.5);
    }

    /** {@code -log(r) + |pl - ql| / qs + r exp(-|pl - ql| / ps) - 1} with r = ps / qs. */
    private static Tensor laplace(Laplace p, Laplace q) {
        Tensor scaleRatio = p.scale().div(q.scale());
        Tensor locDistance = p.loc().sub(q.loc()).abs();
        Tensor t1 = scaleRatio.log().neg();
        Tensor t2 = locDistance.div(q.scale());
        Tensor t3 = scaleRatio.mul(locDistance.neg().div(p.scale()).exp());
        return t1.add(t2).add(t3).sub(1);
    }

    /** {@code log((qh - ql) / (ph - pl))}, infinite where q's interval leaves part of p's out. */
    private static Tensor uniform(Uniform p, Uniform q) {
        Tensor result = q.high().sub(q.low()).div(p.high().sub(p.low())).log();
        return result.maskedFill(q.low().gt(p.low()).add(q.high().lt(p.high())), Double.POSITIVE_INFINITY);
    }

    /** {@code -log(r) + r - 1} with r = q.rate / p.rate. */
    private static Tensor exponential(Exponential p, Exponential q) {
        Tensor rateRatio = q.rate().div(p.rate());
        return rateRatio.log().neg().add(rateRatio).sub(1);
    }

    /**
     * {@code qa log(pr / qr) + lgamma(qa) - lgamma(pa) + (pa - qa) digamma(pa) + (qr - pr) pa / pr}, a the
     * concentrations and r the rates.
     */
    private static Tensor gamma(Gamma p, Gamma q) {
        Tensor pa = p.concentration();
        Tensor qa = q.concentration();
        Tensor t1 = qa.mul(p.rate().div(q.rate()).log());
        Tensor t2 = qa.lgamma().sub(pa.lgamma());
        Tensor t3 = pa.sub(qa).mul(pa.digamma());
        Tensor t4 = q.rate().sub(p.rate()).mul(pa.div(p.rate()));
        return t1.add(t2).add(t3).add(t4);
    }

    /**
     * {@code lbeta(q) - lbeta(p) + (p1 - q1) digamma(p1) + (p0 - q0) digamma(p0) + (qs - ps) digamma(ps)}, lbeta the log
     * of the beta function of both concentrations and s their sum (PyTorch's formula, term for term).
     */
    private static Tensor beta(Beta p, Beta q) {
        Tensor pSum = p.concentration1().add(p.concentration0());
        Tensor qSum = q.concentration1().add(q.concentration0());
        Tensor t1 = q.concentration1().lgamma().add(q.concentration0().lgamma())
                .add(pSum.lgamma());
        Tensor t2 = p.concentration1().lgamma().add(p.concentration0().lgamma())
                .add(qSum.lgamma());
        Tensor t3 = p.concentration1().sub(q.concentration1()).mul(p.concentration1().digamma());
        Tensor t4 = p.concentration0().sub(q.concentration0()).mul(p.concentration0().digamma());
        Tensor t5 = qSum.sub(pSum).mul(pSum.digamma());
        return t1.sub(t2).add(t3).add(t4).add(t5);
    }

    /**
     * {@code lgamma(ps) - lgamma(qs) - sum(lgamma(p) - lgamma(q)) + sum((p - q) (digamma(p) - digamma(ps)))}, s the
     * concentrations' sums over the categories, which must be as many on both sides.
     */
    private static Tensor dirichlet(Dirichlet p, Dirichlet q) {
        if (!p.eventShape().equals(q.eventShape())) {
            throw new IllegalArgumentException("KL.divergence: " + p + " and " + q
                    + " have different event shapes: " + p.eventShape() + " and " + q.eventShape());
        }
        Tensor pc = p.concentration();
        Tensor qc = q.concentration();
        Tensor pSum = pc.sum(-1, false);
        Tensor t1 = pSum.lgamma().sub(qc.sum(-1, false).lgamma());
        Tensor t2 = pc.lgamma().sub(qc.lgamma()).sum(-1, false);
        Tensor t4 = pc.digamma().sub(pSum.digamma().unsqueeze(-1));
        return t1.sub(t2).add(pc.sub(qc).mul(t4).sum(-1, false));
    }

    /**
     * {@code p (softplus(-q.logits) - softplus(-p.logits)) + (1 - p) (softplus(q.logits) - softplus(p.logits))}, each
     * term infinite where q rules out what p allows and 0 where p rules its outcome out.
     */
    private static Tensor bernoulli(Bernoulli p, Bernoulli q) {
        Tensor t1 = p.probs().mul(F.softplus(q.logits().neg()).sub(F.softplus(p.logits().neg())))
                .maskedFill(q.probs().eq(0), Double.POSITIVE_INFINITY).maskedFill(p.probs().eq(0), 0);
        Tensor t2 = p.probs().neg().add(1).mul(F.softplus(q.logits()).sub(F.softplus(p.logits())))
                .maskedFill(q.probs().eq(1), Double.POSITIVE_INFINITY).maskedFill(p.probs().eq(1), 0);
        return t1.add(t2);
    }

    /** {@code sum over classes of p (p.logits - q.logits)}, a term infinite where only q has probability 0. */
    private static Tensor categorical(Categorical p, Categorical q) {
        if (p.numEvents() != q.numEvents()) {
            throw new IllegalArgumentException("KL.divergence: " + p + " has " + p.numEvents() + " classes, " + q
                    + " has " + q.numEvents() + ": they must match");
        }
        Tensor t = p.probs().mul(p.logits().sub(q.logits()));
        return t.maskedFill(q.probs().eq(0), Double.POSITIVE_INFINITY).maskedFill(p.probs().eq(0), 0).sum(-1, false);
    }

    /**
     * {@code sum(log diag Lq) - sum(log diag Lp) + (|Lq^-1 Lp|_F^2 + |Lq^-1 (ql - pl)|^2 - d) / 2}, L the
     * covariances' Cholesky factors.
     */
    private static Tensor multivariateNormal(MultivariateNormal p, MultivariateNormal q) {
        if (p.dimension() != q.dimension()) {
            throw new IllegalArgumentException("KL.divergence: " + p + " and " + q
                    + " have different event shapes: " + p.eventShape() + " and " + q.eventShape());
        }
        Tensor qTril = q.unbroadcastScaleTril();
        Tensor halfTerm1 = q.halfLogDet().sub(p.halfLogDet());
        Tensor term2 = Matrices.solveLower(qTril, p.unbroadcastScaleTril()).square().sum(-1, false).sum(-1, false);
        Tensor term3 = Matrices.mahalanobis(qTril, q.loc().sub(p.loc()));
        return halfTerm1.add(term2.add(term3).sub(p.dimension()).mul(0.5));
    }

    /** The bases' divergence summed over the reinterpreted axes, which must be as many on both sides. */
    private static Tensor independent(Independent p, Independent q) {
        if (p.reinterpretedBatchNdims() != q.reinterpretedBatchNdims()) {
            throw new UnsupportedOperationException("KL.divergence: " + p + " and " + q + " reinterpret "
                    + p.reinterpretedBatchNdims() + " and " + q.reinterpretedBatchNdims()
                    + " batch axes: the divergence is registered for equal counts only (as in PyTorch)");
        }
        return Tensors.sumRightmost(divergence(p.base(), q.base()), p.reinterpretedBatchNdims());
    }

    /**
     * The bases' divergence, a bijection leaving it unchanged: for equal transforms and event shapes only, as in
     * PyTorch.
     */
    private static Tensor transformed(TransformedDistribution p, TransformedDistribution q) {
        if (!p.transforms().equals(q.transforms()) || !p.eventShape().equals(q.eventShape())) {
            throw new UnsupportedOperationException("KL.divergence: " + p + " and " + q + " (event shapes "
                    + p.eventShape() + " and " + q.eventShape() + "): the divergence is registered for equal"
                    + " transforms and event shapes only (as in PyTorch)");
        }
        return divergence(p.base(), q.base());
    }

    /** {@code log(((ps + qs)^2 + (pl - ql)^2) / (4 ps qs))}. */
    private static Tensor cauchy(Cauchy p, Cauchy q) {
        Tensor t1 = p.scale().add(q.scale()).square().add(p.loc().sub(q.loc()).square()).log();
        return t1.sub(p.scale().mul(q.scale()).mul(4).log());
    }

    /**
     * {@code -log(r) - ql/qs + pl/qs + r gamma + exp(ql/qs + log Gamma(1 + r) - pl/qs) - (1 + gamma)} with
     * r = ps / qs, gamma Euler's constant.
     */
    private static Tensor gumbel(Gumbel p, Gumbel q) {
        Tensor ct1 = p.scale().div(q.scale());
        Tensor ct2 = q.loc().div(q.scale());
        Tensor ct3 = p.loc().div(q.scale());
        Tensor t1 = ct1.log().neg().sub(ct2).add(ct3);
        Tensor t2 = ct1.mul(Gumbel.EULER_GAMMA);
        Tensor t3 = ct2.add(ct1.add(1).lgamma()).sub(ct3).exp();
        return t1.add(t2).add(t3).sub(1 + Gumbel.EULER_GAMMA);
    }

    /** {@code pr (log(pr) - log(qr)) - (pr - qr)}. */
    private static Tensor poisson(Poisson p, Poisson q) {
        return p.rate().mul(p.rate().log().sub(q.rate().log())).sub(p.rate().sub(q.rate()));
    }

    /** {@code -entropy(p) - log(1 - qp) / pp - q.logits}. */
    private static Tensor geometric(Geometric p, Geometric q) {
        return p.entropy().neg().sub(q.probs().neg().log1p().div(p.probs())).sub(q.logits());
    }

    /**
     * {@code n (pp (p.logits - q.logits) + log(1 - pp) - log(1 - qp))} for equal counts n, infinite where p's count
     * exceeds q's; a q of more trials than p is refused, as in PyTorch.
     */
    private static Tensor binomial(Binomial p, Binomial q) {
        if (q.totalCount().gt(p.totalCount()).max().item() > 0) {
            throw new UnsupportedOperationException("KL.divergence: " + p + " and " + q + ": a q of more trials than"
                    + " p (q.totalCount > p.totalCount) is not supported (as in PyTorch)");
        }
        Tensor kl = p.totalCount().mul(p.probs().mul(p.logits().sub(q.logits()))
                .add(p.probs().neg().log1p()).sub(q.probs().neg().log1p()));
        return kl.maskedFill(p.totalCount().gt(q.totalCount()), Double.POSITIVE_INFINITY);
    }
}
