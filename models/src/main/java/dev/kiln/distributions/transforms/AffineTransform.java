package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * y = loc + scale x, as PyTorch's {@code AffineTransform(loc, scale, event_dim)}: loc and scale broadcast with x;
 * a scale of 0 is not refused (as in PyTorch) but gives log |dy/dx| = -infinity. With {@code eventDim} > 0 the last
 * eventDim axes are one event: log |det| is log |scale| summed over them, [x's shape less those axes], and the
 * domain and codomain are vectors (matrices, ...) of reals. The sign is sign(scale), so a transformed cdf flips
 * where scale is negative.
 */
public final class AffineTransform extends Transform {
    private final Tensor loc;
    private final Tensor scale;
    private final int eventDim;

    /** y = loc + scale x element by element. */
    public AffineTransform(Tensor loc, Tensor scale) {
        this(loc, scale, 0);
    }

    /**
     * y = loc + scale x over events of the last {@code eventDim} axes.
     *
     * @throws IllegalArgumentException where eventDim is negative or loc and scale do not broadcast
     */
    public AffineTransform(Tensor loc, Tensor scale, int eventDim) {
        if (eventDim < 0) {
            throw new IllegalArgumentException("AffineTransform: eventDim must be >= 0, got " + eventDim);
        }
        Shape.broadcast("AffineTransform: loc and scale", loc.shape(), scale.shape());
        this.loc = loc;
        this.scale = scale;
        this.eventDim = eventDim;
    }

    /** The shift. */
    public Tensor loc() {
        return loc;
    }

    /** The factor. */
    public Tensor scale() {
        return scale;
    }

    /** How many trailing axes make one event. */
    public int eventDim() {
        return eventDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return loc.add(scale.mul(x));
    }

    @Override
    public Tensor inverse(Tensor y) {
        return y.sub(loc).div(scale);
    }

    /**
     * log |scale| broadcast to x (an expansion, so that a scale shared by an event's elements counts once for each of
     * them), summed over the event axes.
     */
    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        Shape shape = Shape.broadcast("AffineTransform.logAbsDetJacobian", x.shape(), scale.shape());
        Tensor logScale = scale.abs().log();
        Tensor perElement = logScale.shape().equals(shape) ? logScale : logScale.expand(shape.dims());
        return sumRightmost(perElement, eventDim);
    }

    @Override
    public Constraint domain() {
        return eventDim == 0 ? Constraint.real() : Constraint.independent(Constraint.real(), eventDim);
    }

    @Override
    public Constraint codomain() {
        return domain();
    }

    @Override
    public Tensor sign() {
        return scale.sign();
    }

    @Override
    public Shape forwardShape(Shape shape) {
        return broadcastWithParameters(shape);
    }

    @Override
    public Shape inverseShape(Shape shape) {
        return broadcastWithParameters(shape);
    }

    private Shape broadcastWithParameters(Shape shape) {
        return Shape.broadcast(toString(), Shape.broadcast(toString(), shape, loc.shape()), scale.shape());
    }

    /** Equal to an AffineTransform of the same event rank whose loc and scale are equal element by element. */
    @Override
    public boolean equals(Object other) {
        return other instanceof AffineTransform o && o.eventDim == eventDim && sameValues(loc, o.loc)
                && sameValues(scale, o.scale);
    }

    /**
     * Whether two tensors broadcast to each other and agree everywhere, as PyTorch's {@code (a == b).all()}: true
     * where the broadcast has no elements, and tensors of different dtypes compare their values in F64, which holds
     * every F32 exactly (so F32 0.1 differs from F64 0.1). Reads one number back.
     */
    static boolean sameValues(Tensor a, Tensor b) {
        Shape common;
        try {
            common = Shape.broadcast("equals", a.shape(), b.shape());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (a == b || common.size() == 0) {
            return true;
        }
        Tensor x = a.detach();
        Tensor y = b.detach();
        if (x.dtype() != y.dtype()) {
            x = x.to(DType.F64);
            y = y.to(DType.F64);
        }
        return x.eq(y).min().item() == 1;
    }

    @Override
    public int hashCode() {
        return 31 * AffineTransform.class.hashCode() + eventDim;
    }

    @Override
    public String toString() {
        return "AffineTransform(loc: " + loc.shape() + ", scale: " + scale.shape() + ", eventDim: " + eventDim + ")";
    }
}
