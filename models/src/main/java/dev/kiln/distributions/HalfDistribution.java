package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * What the half distributions (HalfCauchy, HalfNormal) share: |X| for X of a location-scale family with loc 0 and a
 * positive scale that is the batch shape; scalar events, values 0 or more, reparameterised samples, mode 0, and
 * logProb, cdf, icdf and entropy folded from the base's (the base's density doubled, its cdf 2 F - 1).
 *
 * @param <B> the family whose absolute value this is
 */
abstract class HalfDistribution<B extends LocationScale> extends Distribution {
    private static final double LOG_TWO = Math.log(2);

    private final String name;
    private final B base;

    /** |base| named {@code name}, checking that scale is positive when {@code validateArgs}. */
    HalfDistribution(String name, Tensor scale, B base, boolean validateArgs) {
        super(scale.shape(), Shape.scalar(), validateArgs);
        this.name = name;
        this.base = base;
        checkParameter("scale", scale, Constraint.positive());
    }

    /** The distribution whose absolute value this is. */
    public B base() {
        return base;
    }

    /** The scale of the underlying distribution. */
    public Tensor scale() {
        return base.scale();
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return base.rsample(sampleShape).abs();
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        return base.density(x).add(LOG_TWO).maskedFill(x.lt(0), Double.NEGATIVE_INFINITY);
    }

    @Override
    public Tensor cdf(Tensor value) {
        return base.cumulative(checkedValue("cdf", value)).mul(2).sub(1);
    }

    @Override
    public Tensor icdf(Tensor value) {
        return base.icdf(value.add(1).div(2));
    }

    @Override
    public Tensor entropy() {
        return base.entropy().sub(LOG_TWO);
    }

    @Override
    public Tensor mode() {
        return scale().fullLike(0);
    }

    @Override
    public Constraint support() {
        return Constraint.nonNegative();
    }

    @Override
    public String toString() {
        return name + "(scale: " + scale().shape() + ")";
    }
}
