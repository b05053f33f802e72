package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * Exact draws of Poisson and binomial counts composed of tensor operations on the parameters' backend, from the
 * engine's seeded uniform stream: each runs rounds of vectorised rejection (or inversion) over the elements still
 * pending, reading one number back per round to learn whether any are.
 * <ul>
 * <li>Poisson, rate below 10: Knuth's product of uniforms (as many rounds as the largest count drawn);
 * rate 10 or more: Hoermann's transformed rejection PTRS (1993), accepting about nine draws in ten.
 * <li>Binomial, n min(p, 1 - p) below 10: inversion by geometric jumps between successes; otherwise Hoermann's
 * BTRS, its acceptance test on the exact log-ratio of probabilities; both on min(p, 1 - p), then mirrored.
 * </ul>
 */
final class CountSampling {
    /** The mean count from which the rejection samplers take over (PyTorch's switch as well). */
    private static final double REJECTION_FROM = 10;

    private CountSampling() {
    }

    /** Poisson counts of {@code rate}, broadcast to its final shape already, in its dtype; NaN where it is not finite. */
    static Tensor poisson(Tensor rate) {
        Tensor small = rate.lt(REJECTION_FROM);
        Tensor counts;
        // A batch on one side of the switch runs one sampler; a mixed one runs both on stand-in rates and picks.
        if (!any(small)) {
            counts = ptrs(rate);
        } else if (!any(small.eq(0))) {
            counts = knuth(rate);
        } else {
            counts = Tensor.where(small, knuth(Tensor.where(small, rate, rate.fullLike(0))),
                    ptrs(Tensor.where(small, rate.fullLike(REJECTION_FROM), rate)));
        }
        return counts.add(rate.mul(0));
    }

    /** Counts of uniforms multiplied before their product falls to exp(-rate) or below. */
    private static Tensor knuth(Tensor rate) {
        Tensor limit = rate.neg().exp();
        Tensor product = rate.fullLike(1);
        Tensor count = rate.fullLike(0);
        Tensor pending = rate.isfinite();
        while (any(pending)) {
            product = product.mul(uniform(rate));
            pending = pending.mul(product.gt(limit));
            count = count.add(pending);
        }
        return count;
    }

    /** PTRS for rates of 10 or more. */
    private static Tensor ptrs(Tensor rate) {
        Tensor b = rate.sqrt().mul(2.53).add(0.931);
        Tensor a = b.mul(0.02483).sub(0.059);
        Tensor logInvAlpha = b.sub(3.4).reciprocal().mul(1.1328).add(1.1239).log();
        Tensor vr = b.sub(2).reciprocal().mul(-3.6224).add(0.9277);
        Tensor logRate = rate.log();
        Tensor result = rate.fullLike(0);
        Tensor pending = rate.isfinite();
        while (any(pending)) {
            Tensor u = uniform(rate).sub(0.5);
            Tensor v = uniform(rate);
            Tensor us = u.abs().neg().add(0.5);
            Tensor k = a.mul(2).div(us).add(b).mul(u).add(rate).add(0.43).floor();
            Tensor quick = us.ge(0.07).mul(v.le(vr));
            Tensor valid = k.ge(0).mul(us.lt(0.013).mul(v.gt(us)).eq(0));
            Tensor kept = k.clampMin(0);
            Tensor bound = rate.neg().add(kept.mul(logRate)).sub(SpecialFunctions.lgamma(kept.add(1)));
            Tensor slow = valid.mul(v.log().add(logInvAlpha).sub(a.div(us.square()).add(b).log()).le(bound));
            Tensor accepted = pending.mul(quick.add(slow).gt(0));
            result = Tensor.where(accepted, k, result);
            pending = pending.sub(accepted);
        }
        return result;
    }

    /**
     * Binomial counts of {@code total} trials of success probability {@code probs}, both broadcast to the final shape
     * already, in probs' dtype.
     */
    static Tensor binomial(Tensor total, Tensor probs) {
        Tensor flip = probs.gt(0.5);
        Tensor q = Tensor.where(flip, probs.neg().add(1), probs);
        Tensor byRejection = total.mul(q).ge(REJECTION_FROM);
        Tensor count;
        if (!any(byRejection)) {
            count = inversion(total, q);
        } else if (!any(byRejection.eq(0))) {
            count = btrs(total, q);
        } else {
            // Stand-ins where the other sampler's answer is taken: q = 0 ends inversion at once, and BTRS is valid
            // for 100 trials at 1/2.
            count = Tensor.where(byRejection, btrs(Tensor.where(byRejection, total, total.fullLike(100)),
                    Tensor.where(byRejection, q, q.fullLike(0.5))),
                    inversion(total, Tensor.where(byRejection, q.fullLike(0), q)));
        }
        return Tensor.where(flip, total.sub(count), count);
    }

    /** Successes counted by jumping geometric gaps between them until the trials run out. */
    private static Tensor inversion(Tensor total, Tensor q) {
        Tensor logFailure = q.neg().log1p();
        Tensor trials = q.fullLike(0);
        Tensor count = q.fullLike(0);
        Tensor pending = q.gt(0).mul(total.gt(0));
        double tiny = Math.ulp(0.0);
        while (any(pending)) {
            Tensor gap = Tensors.uniform(q, tiny, 1, q.shape().dims()).log().div(logFailure).ceil();
            trials = trials.add(Tensor.where(pending, gap, gap.fullLike(0)));
            pending = pending.mul(trials.le(total));
            count = count.add(pending);
        }
        return count;
    }

    /** BTRS for n q of 10 or more, q at most 1/2. */
    private static Tensor btrs(Tensor total, Tensor q) {
        Tensor spread = total.mul(q).mul(q.neg().add(1)).sqrt();
        Tensor b = spread.mul(2.53).add(1.15);
        Tensor a = b.mul(0.0248).add(q.mul(0.01)).sub(0.0873);
        Tensor c = total.mul(q).add(0.5);
        Tensor vr = b.reciprocal().mul(-4.2).add(0.92);
        Tensor logOdds = q.div(q.neg().add(1)).log();
        Tensor logAlpha = b.reciprocal().mul(5.1).add(2.83).mul(spread).log();
        Tensor m = total.add(1).mul(q).floor();
        Tensor logPeak = SpecialFunctions.lgamma(m.add(1)).add(SpecialFunctions.lgamma(total.sub(m).add(1)));
        Tensor result = q.fullLike(0);
        Tensor pending = total.isfinite().mul(q.isfinite());
        while (any(pending)) {
            Tensor u = uniform(q).sub(0.5);
            Tensor v = uniform(q);
            Tensor us = u.abs().neg().add(0.5);
            Tensor k = a.mul(2).div(us).add(b).mul(u).add(c).floor();
            Tensor inRange = k.ge(0).mul(k.le(total));
            Tensor quick = us.ge(0.07).mul(v.le(vr));
            Tensor kept = k.clampMin(0).minimum(total);
            // log(f(k) / f(m)), f the binomial probabilities: what BTRS's Stirling bound approximates.
            Tensor logRatio = logPeak.sub(SpecialFunctions.lgamma(kept.add(1)))
                    .sub(SpecialFunctions.lgamma(total.sub(kept).add(1))).add(kept.sub(m).mul(logOdds));
            Tensor slow = v.log().add(logAlpha).sub(a.div(us.square()).add(b).log()).le(logRatio);
            Tensor accepted = pending.mul(inRange).mul(quick.add(slow).gt(0));
            result = Tensor.where(accepted, k, result);
            pending = pending.sub(accepted);
        }
        return result;
    }

    private static Tensor uniform(Tensor like) {
        return Tensors.uniform(like, 0, 1, like.shape().dims());
    }

    private static boolean any(Tensor mask) {
        return mask.size() > 0 && mask.max().item() > 0;
    }
}
