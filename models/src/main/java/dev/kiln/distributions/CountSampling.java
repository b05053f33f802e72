package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * Exact draws of Poisson and binomial counts composed of tensor operations on the parameters' backend, from the
 * engine's seeded uniform stream: each runs rounds of vectorised rejection (or inversion) over only the elements still
 * pending ({@link PendingRounds}), each round reading back one mask over them; a batch that mixes both sides of a
 * switch runs each sampler on its own elements.
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

    /**
     * Poisson counts of {@code shape} (a sample shape, then rate's) from {@code rate}, in its dtype; NaN where it is
     * not finite. The samplers' per-element constants are computed at rate's shape, then broadcast.
     */
    static Tensor poisson(Tensor rate, Shape shape) {
        // Rates of 0 (and below) and non-finite ones draw nothing: 0, then NaN where the rate is not finite.
        Tensor small = rate.gt(0).mul(rate.lt(REJECTION_FROM));
        Tensor large = rate.ge(REJECTION_FROM).mul(rate.isfinite());
        Tensor counts = knuth(rate, flat(small, shape), shape).add(ptrs(rate, flat(large, shape), shape));
        return counts.add(flat(rate.mul(0), shape)).reshape(shape.dims());
    }

    /** {@code t} broadcast to {@code shape} and flattened: one value per element drawn. */
    private static Tensor flat(Tensor t, Shape shape) {
        return Tensors.expandTo(t, shape).reshape((int) shape.size());
    }

    /** Counts of uniforms multiplied before their product falls to exp(-rate) or below, where {@code which}. */
    private static Tensor knuth(Tensor rate, Tensor which, Shape shape) {
        // The product scaled by exp(rate), carried alone: each round counts the elements it leaves above 1.
        return PendingRounds.count(which, e -> {
            Tensor scaled = e[0].mul(e[0].uniformLike(0, 1));
            return new PendingRounds.Outcome(scaled.sub(1), null, scaled);
        }, () -> new Tensor[] {flat(rate.exp(), shape)});
    }

    /** PTRS for rates of 10 or more, where {@code which}. */
    private static Tensor ptrs(Tensor rate, Tensor which, Shape shape) {
        return PendingRounds.sum(which, CountSampling::ptrsRound, () -> ptrsConstants(rate, shape));
    }

    /** {rate, b, a, log(1 / alpha), v_r, log(rate)}, computed at rate's shape, then flattened to {@code shape}. */
    private static Tensor[] ptrsConstants(Tensor rate, Shape shape) {
        Tensor b = rate.sqrt().mul(2.53).add(0.931);
        Tensor a = b.mul(0.02483).sub(0.059);
        Tensor logInvAlpha = b.sub(3.4).reciprocal().mul(1.1328).add(1.1239).log();
        Tensor vr = b.sub(2).reciprocal().mul(-3.6224).add(0.9277);
        return new Tensor[] {flat(rate, shape), flat(b, shape), flat(a, shape), flat(logInvAlpha, shape),
            flat(vr, shape), flat(rate.log(), shape)};
    }

    /** One PTRS round over {rate, b, a, log(1 / alpha), v_r, log(rate)}: each element's count where accepted. */
    private static PendingRounds.Outcome ptrsRound(Tensor[] e) {
        Tensor rate = e[0];
        Tensor b = e[1];
        Tensor a = e[2];
        Tensor u = rate.uniformLike(0, 1).sub(0.5);
        Tensor v = rate.uniformLike(0, 1);
        Tensor us = u.abs().neg().add(0.5);
        Tensor k = a.mul(2).div(us).add(b).mul(u).add(rate).add(0.43).floor();
        Tensor quick = us.ge(0.07).mul(v.le(e[4]));
        Tensor valid = k.ge(0).mul(us.lt(0.013).mul(v.gt(us)).eq(0));
        Tensor kept = k.clampMin(0);
        Tensor bound = rate.neg().add(kept.mul(e[5])).sub(kept.add(1).lgamma());
        Tensor slow = valid.mul(v.log().add(e[3]).sub(a.div(us.square()).add(b).log()).le(bound));
        Tensor accepted = quick.add(slow).gt(0);
        return new PendingRounds.Outcome(accepted.neg().add(1), Tensor.where(accepted, k, k.fullLike(0)), e);
    }

    /**
     * Binomial counts of {@code shape} (a sample shape, then the parameters') of {@code total} trials of success
     * probability {@code probs}, both of one shape, in probs' dtype; constants computed at that shape, then broadcast.
     */
    static Tensor binomial(Tensor total, Tensor probs, Shape shape) {
        Tensor flip = probs.gt(0.5);
        Tensor q = Tensor.where(flip, probs.neg().add(1), probs);
        Tensor mean = total.mul(q);
        // Nothing to draw where q or the total is 0 (or NaN); BTRS needs finite parameters.
        Tensor byInversion = mean.lt(REJECTION_FROM).mul(q.gt(0)).mul(total.gt(0));
        Tensor byRejection = mean.ge(REJECTION_FROM).mul(total.isfinite()).mul(q.isfinite());
        Tensor count = inversion(total, q, flat(byInversion, shape), shape)
                .add(btrs(total, q, flat(byRejection, shape), shape));
        Tensor flatTotal = flat(total, shape);
        return Tensor.where(flat(flip, shape), flatTotal.sub(count), count).reshape(shape.dims());
    }

    /** Successes counted by jumping geometric gaps between them until the trials run out, where {@code which}. */
    private static Tensor inversion(Tensor total, Tensor q, Tensor which, Shape shape) {
        double tiny = Math.ulp(0.0);
        // Trials left before each success, carried with log(1 - q): each round counts the elements with some left
        // (0 or more: whole numbers, so more than -1).
        return PendingRounds.count(which, e -> {
            Tensor gap = e[0].uniformLike(tiny, 1).log().div(e[0]).ceil();
            Tensor left = e[1].sub(gap);
            return new PendingRounds.Outcome(left.add(1), null, e[0], left);
        }, () -> new Tensor[] {flat(q.neg().log1p(), shape), flat(total, shape)});
    }

    /** BTRS for n q of 10 or more, q at most 1/2, where {@code which}. */
    private static Tensor btrs(Tensor total, Tensor q, Tensor which, Shape shape) {
        return PendingRounds.sum(which, CountSampling::btrsRound, () -> btrsConstants(total, q, shape));
    }

    /**
     * {n, b, a, c, v_r, log(q / (1 - q)), log(alpha), m, log(m! (n - m)!)}, computed at the parameters' shape, then
     * flattened to {@code shape}.
     */
    private static Tensor[] btrsConstants(Tensor total, Tensor q, Shape shape) {
        Tensor spread = total.mul(q).mul(q.neg().add(1)).sqrt();
        Tensor b = spread.mul(2.53).add(1.15);
        Tensor a = b.mul(0.0248).add(q.mul(0.01)).sub(0.0873);
        Tensor c = total.mul(q).add(0.5);
        Tensor vr = b.reciprocal().mul(-4.2).add(0.92);
        Tensor logOdds = q.div(q.neg().add(1)).log();
        Tensor logAlpha = b.reciprocal().mul(5.1).add(2.83).mul(spread).log();
        Tensor m = total.add(1).mul(q).floor();
        Tensor logPeak = m.add(1).lgamma().add(total.sub(m).add(1).lgamma());
        return new Tensor[] {flat(total, shape), flat(b, shape), flat(a, shape), flat(c, shape), flat(vr, shape),
            flat(logOdds, shape), flat(logAlpha, shape), flat(m, shape), flat(logPeak, shape)};
    }

    /** One BTRS round over {n, b, a, c, v_r, log(q / (1 - q)), log(alpha), m, log(m! (n - m)!)}: counts accepted. */
    private static PendingRounds.Outcome btrsRound(Tensor[] e) {
        Tensor total = e[0];
        Tensor b = e[1];
        Tensor a = e[2];
        Tensor m = e[7];
        Tensor u = total.uniformLike(0, 1).sub(0.5);
        Tensor v = total.uniformLike(0, 1);
        Tensor us = u.abs().neg().add(0.5);
        Tensor k = a.mul(2).div(us).add(b).mul(u).add(e[3]).floor();
        Tensor inRange = k.ge(0).mul(k.le(total));
        Tensor quick = us.ge(0.07).mul(v.le(e[4]));
        Tensor kept = k.clampMin(0).minimum(total);
        // log(f(k) / f(m)), f the binomial probabilities: what BTRS's Stirling bound approximates.
        Tensor logRatio = e[8].sub(kept.add(1).lgamma())
                .sub(total.sub(kept).add(1).lgamma()).add(kept.sub(m).mul(e[5]));
        Tensor slow = v.log().add(e[6]).sub(a.div(us.square()).add(b).log()).le(logRatio);
        Tensor accepted = inRange.mul(quick.add(slow).gt(0));
        return new PendingRounds.Outcome(accepted.neg().add(1), Tensor.where(accepted, k, k.fullLike(0)), e);
    }
}
