package dev.kiln.distributions;

import dev.kiln.distributions.transforms.ComposeTransform;
import dev.kiln.distributions.transforms.Transform;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The distribution of y = t_n(...t_1(x)) for x drawn from a base distribution, as PyTorch's
 * {@code torch.distributions.TransformedDistribution(base, transforms)}: Soft Actor-Critic's tanh-squashed Gaussian is
 * {@code new TransformedDistribution(new Normal(mean, std), new TanhTransform())}.
 *
 * <p>Shapes, as PyTorch's: the base's [batch..., event...] goes forward through the transforms' shapes (their
 * parameters may broadcast it, and the base is then expanded to what they need); where the transforms couple more
 * axes than the base's event has, the base's last batch axes become event axes ({@link Independent}); the event is the
 * last max(codomain's event rank, base's event rank + the change in event rank) axes of the result and the batch the
 * rest.
 *
 * <p>{@code logProb(y)} is the base's log-probability at x = t^-1(y) less each transform's log |det Jacobian|,
 * each summed over the event axes the transform does not couple itself; {@code sample} and {@code rsample} are the
 * base's pushed forward, reparameterised where the base's are. {@code cdf} and {@code icdf} pass through monotone
 * transforms, flipped (1 - p) where the product of their signs is negative. The support is the last transform's
 * codomain over the event. The mean, variance and entropy have no closed form (as in PyTorch) and throw
 * {@link UnsupportedOperationException}. Values are checked against the support when validating; the base checks its
 * own values too.
 */
public class TransformedDistribution extends Distribution {
    private final Distribution base;
    private final List<Transform> transforms;

    /** The base pushed through {@code transforms}, the first applied first, validated as the default says. */
    public TransformedDistribution(Distribution base, Transform... transforms) {
        this(base, List.of(transforms), defaultValidateArgs());
    }

    /**
     * The base pushed through {@code transforms}, the first applied first, checking values when {@code validateArgs}.
     *
     * @throws IllegalArgumentException where the base has fewer axes than the transforms couple, or its shape does not
     *     broadcast with the transforms' parameters
     */
    public TransformedDistribution(Distribution base, List<Transform> transforms, boolean validateArgs) {
        this(layout(base, List.copyOf(transforms)), List.copyOf(transforms), validateArgs);
    }

    private TransformedDistribution(Layout layout, List<Transform> transforms, boolean validateArgs) {
        super(layout.batch(), layout.event(), validateArgs);
        this.base = layout.base();
        this.transforms = transforms;
    }

    /** The base as the transforms need it (expanded, with batch axes reinterpreted), and the shapes of y. */
    private record Layout(Distribution base, Shape batch, Shape event) {
    }

    /** PyTorch's constructor: reshapes the base according to the transforms and splits y's shape. */
    private static Layout layout(Distribution base, List<Transform> transforms) {
        ComposeTransform transform = new ComposeTransform(transforms);
        Shape baseShape = Shape.of(Tensors.concat(base.batchShape().dims(), base.eventShape().dims()));
        int baseEventDim = base.eventShape().rank();
        int domainEventDim = transform.domain().eventRank();
        if (baseShape.rank() < domainEventDim) {
            throw new IllegalArgumentException("TransformedDistribution: the base " + base + " of shape " + baseShape
                    + " must have at least " + domainEventDim + " axes, the event axes of " + transform);
        }
        Shape forwardShape = transform.forwardShape(baseShape);
        Shape expandedBaseShape = transform.inverseShape(forwardShape);
        Distribution reshaped = base;
        if (!expandedBaseShape.equals(baseShape)) {
            reshaped = reshaped.expand(Tensors.leading(expandedBaseShape, expandedBaseShape.rank() - baseEventDim)
                    .dims());
        }
        if (domainEventDim > baseEventDim) {
            reshaped = new Independent(reshaped, domainEventDim - baseEventDim);
        }
        int codomainEventDim = transform.codomain().eventRank();
        int eventDim = Math.max(codomainEventDim, baseEventDim + codomainEventDim - domainEventDim);
        int cut = forwardShape.rank() - eventDim;
        return new Layout(reshaped, Tensors.leading(forwardShape, cut), Tensors.trailing(forwardShape, cut));
    }

    /** The base distribution, as expanded and reinterpreted for the transforms. */
    public Distribution base() {
        return base;
    }

    /** The transforms, the first applied first. */
    public List<Transform> transforms() {
        return transforms;
    }

    @Override
    public boolean hasRsample() {
        return base.hasRsample();
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return pushForward(base.rsample(sampleShape));
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        return pushForward(base.sample(sampleShape));
    }

    private Tensor pushForward(Tensor x) {
        Tensor y = x;
        for (Transform t : transforms) {
            y = t.forward(y);
        }
        return y;
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor y = checkedValue("logProb", value);
        int eventDim = eventShape().rank();
        Tensor logDet = null;
        for (int i = transforms.size() - 1; i >= 0; i--) {
            Transform t = transforms.get(i);
            Tensor x = t.inverse(y);
            eventDim += t.domain().eventRank() - t.codomain().eventRank();
            Tensor term = Tensors.sumRightmost(t.logAbsDetJacobian(x, y), eventDim - t.domain().eventRank());
            logDet = logDet == null ? term : logDet.add(term);
            y = x;
        }
        Tensor baseLogProb = Tensors.sumRightmost(base.logProb(y), eventDim - base.eventShape().rank());
        return logDet == null ? baseLogProb : baseLogProb.sub(logDet);
    }

    /** The base's cdf at t^-1(value), flipped where the transforms decrease. */
    @Override
    public Tensor cdf(Tensor value) {
        Tensor x = checkedValue("cdf", value);
        for (int i = transforms.size() - 1; i >= 0; i--) {
            x = transforms.get(i).inverse(x);
        }
        return monotonized(base.cdf(x));
    }

    /** The transforms applied to the base's icdf at the probabilities, flipped where the transforms decrease. */
    @Override
    public Tensor icdf(Tensor value) {
        return pushForward(base.icdf(monotonized(value)));
    }

    /** {@code p} where every transform increases, else sign (p - 1/2) + 1/2 (PyTorch's {@code _monotonize_cdf}). */
    private Tensor monotonized(Tensor p) {
        Tensor sign = null;
        for (Transform t : transforms) {
            if (!t.increasing()) {
                sign = sign == null ? t.sign() : sign.mul(t.sign());
            }
        }
        return sign == null ? p : sign.mul(p.sub(0.5)).add(0.5);
    }

    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException(this + " has no entropy: no closed form (as in PyTorch)");
    }

    @Override
    public Tensor mean() {
        throw new UnsupportedOperationException(this + " has no mean: no closed form (as in PyTorch)");
    }

    @Override
    public Tensor variance() {
        throw new UnsupportedOperationException(this + " has no variance: no closed form (as in PyTorch)");
    }

    /** The last transform's codomain over the event axes (the base's support where there are no transforms). */
    @Override
    public Constraint support() {
        if (transforms.isEmpty()) {
            return base.support();
        }
        Constraint codomain = transforms.get(transforms.size() - 1).codomain();
        int extra = eventShape().rank() - codomain.eventRank();
        return extra > 0 ? Constraint.independent(codomain, extra) : codomain;
    }

    /** The same transforms over the base expanded to what the batch shape {@code batchShape} needs. */
    @Override
    public TransformedDistribution expand(int... batchShape) {
        Shape shape = Shape.of(Tensors.concat(expandedBatch(batchShape).dims(), eventShape().dims()));
        for (int i = transforms.size() - 1; i >= 0; i--) {
            shape = transforms.get(i).inverseShape(shape);
        }
        Shape baseBatch = Tensors.leading(shape, shape.rank() - base.eventShape().rank());
        return new TransformedDistribution(base.expand(baseBatch.dims()), transforms, validatesArgs());
    }

    @Override
    public String toString() {
        return "TransformedDistribution(" + base + ", " + transforms + ")";
    }
}
