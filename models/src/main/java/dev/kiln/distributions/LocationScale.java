package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * What the real-valued location-scale families (Cauchy, Gumbel, Laplace, Normal) share: loc (real) and scale
 * (positive) broadcast to the batch shape, scalar events, reparameterised samples, support the real line and mode
 * loc. A family gives its unchecked density and cdf; logProb and cdf check the value first.
 */
abstract class LocationScale extends Distribution {
    final Tensor loc;
    final Tensor scale;
    private final String name;

    /** {@code name}(loc, scale), checking that scale is positive and loc not NaN when {@code validateArgs}. */
    LocationScale(String name, Tensor loc, Tensor scale, boolean validateArgs) {
        this(name, Tensors.broadcastAll(name, loc, scale), validateArgs);
    }

    private LocationScale(String name, Tensor[] parameters, boolean validateArgs) {
        super(parameters[0].shape(), Shape.scalar(), validateArgs);
        this.name = name;
        this.loc = parameters[0];
        this.scale = parameters[1];
        checkParameter("loc", loc, Constraint.real());
        checkParameter("scale", scale, Constraint.positive());
    }

    /** The location, broadcast to the batch shape (what it is in each family, the family's class comment says). */
    public Tensor loc() {
        return loc;
    }

    /** The scale, broadcast to the batch shape (what it is in each family, the family's class comment says). */
    public Tensor scale() {
        return scale;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor logProb(Tensor value) {
        return density(checkedValue("logProb", value));
    }

    /** logProb without the checks, for distributions built on this one that checked the value themselves. */
    abstract Tensor density(Tensor value);

    @Override
    public Tensor cdf(Tensor value) {
        return cumulative(checkedValue("cdf", value));
    }

    /** cdf without the checks. */
    abstract Tensor cumulative(Tensor value);

    @Override
    public Tensor mode() {
        return loc;
    }

    @Override
    public Constraint support() {
        return Constraint.real();
    }

    @Override
    public String toString() {
        return name + "(loc: " + loc.shape() + ", scale: " + scale.shape() + ")";
    }
}
