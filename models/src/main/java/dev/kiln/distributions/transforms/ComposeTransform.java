package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The transforms applied one after another, as PyTorch's {@code ComposeTransform(parts)}: forward applies the first
 * part first, inverse the last part's inverse first. The domain's event rank is the most axes any part couples, traced
 * back from the last part's codomain (the codomain's forward from the first part's domain), so that log |det| sums each
 * part's term over the axes it leaves uncoupled. With no parts it is the identity on the reals.
 */
public final class ComposeTransform extends Transform {
    private final List<Transform> parts;

    /** parts[0] first, then parts[1], and so on. */
    public ComposeTransform(Transform... parts) {
        this(List.of(parts));
    }

    /** parts.get(0) first, then parts.get(1), and so on. */
    public ComposeTransform(List<Transform> parts) {
        this.parts = List.copyOf(parts);
    }

    /** The transforms, first applied first. */
    public List<Transform> parts() {
        return parts;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Transform part : parts) {
            y = part.forward(y);
        }
        return y;
    }

    @Override
    public Tensor inverse(Tensor y) {
        Tensor x = y;
        for (int i = parts.size() - 1; i >= 0; i--) {
            x = parts.get(i).inverse(x);
        }
        return x;
    }

    /** Each part's term at its own input and output, summed over the event axes it does not couple itself. */
    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        if (parts.isEmpty()) {
            return x.fullLike(0);
        }
        Tensor sum = null;
        Tensor in = x;
        int eventDim = domain().eventRank();
        for (int i = 0; i < parts.size(); i++) {
            Transform part = parts.get(i);
            Tensor out = i == parts.size() - 1 ? y : part.forward(in);
            Tensor term = sumRightmost(part.logAbsDetJacobian(in, out), eventDim - part.domain().eventRank());
            sum = sum == null ? term : sum.add(term);
            eventDim += part.codomain().eventRank() - part.domain().eventRank();
            in = out;
        }
        return sum;
    }

    @Override
    public Constraint domain() {
        if (parts.isEmpty()) {
            return Constraint.real();
        }
        Constraint domain = parts.get(0).domain();
        int eventDim = parts.get(parts.size() - 1).codomain().eventRank();
        for (int i = parts.size() - 1; i >= 0; i--) {
            Transform part = parts.get(i);
            eventDim = Math.max(eventDim + part.domain().eventRank() - part.codomain().eventRank(),
                    part.domain().eventRank());
        }
        return widened(domain, eventDim);
    }

    @Override
    public Constraint codomain() {
        if (parts.isEmpty()) {
            return Constraint.real();
        }
        Constraint codomain = parts.get(parts.size() - 1).codomain();
        int eventDim = parts.get(0).domain().eventRank();
        for (Transform part : parts) {
            eventDim = Math.max(eventDim + part.codomain().eventRank() - part.domain().eventRank(),
                    part.codomain().eventRank());
        }
        return widened(codomain, eventDim);
    }

    /** {@code set} over events of {@code eventDim} axes, where it judges fewer. */
    private static Constraint widened(Constraint set, int eventDim) {
        return eventDim > set.eventRank() ? Constraint.independent(set, eventDim - set.eventRank()) : set;
    }

    @Override
    public boolean bijective() {
        return parts.stream().allMatch(Transform::bijective);
    }

    @Override
    public boolean increasing() {
        return parts.stream().allMatch(Transform::increasing);
    }

    /** The product of the parts' signs, the increasing ones counting +1. */
    @Override
    public Tensor sign() {
        if (increasing()) {
            return super.sign();
        }
        Tensor sign = null;
        for (Transform part : parts) {
            if (!part.increasing()) {
                sign = sign == null ? part.sign() : sign.mul(part.sign());
            }
        }
        return sign;
    }

    @Override
    public Shape forwardShape(Shape shape) {
        Shape out = shape;
        for (Transform part : parts) {
            out = part.forwardShape(out);
        }
        return out;
    }

    @Override
    public Shape inverseShape(Shape shape) {
        Shape out = shape;
        for (int i = parts.size() - 1; i >= 0; i--) {
            out = parts.get(i).inverseShape(out);
        }
        return out;
    }

    /** Equal to a composition of equal parts in the same order. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ComposeTransform o && o.parts.equals(parts);
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }

    @Override
    public String toString() {
        return "ComposeTransform" + parts;
    }
}
