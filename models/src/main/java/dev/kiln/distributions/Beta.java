package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The beta distribution on [0, 1], as PyTorch's {@code torch.distributions.Beta(concentration1, concentration0)}: both
 * positive, broadcast to the batch shape; events are scalars. As in PyTorch it is the first coordinate of the
 * {@link Dirichlet} of concentration [concentration1, concentration0], from which it takes logProb (of [x, 1 - x]),
 * entropy and {@code rsample} (normalised Gamma draws, see Dirichlet).
 * <pre>
 * logProb(x) = (c1 - 1) log x + (c0 - 1) log(1 - x) + lgamma(c1 + c0) - lgamma(c1) - lgamma(c0)
 * mean       = c1 / (c1 + c0),  variance = c1 c0 / ((c1 + c0)^2 (c1 + c0 + 1))
 * mode       = the Dirichlet's first coordinate: max(c1 - 1, 0) / (max(c1 - 1, 0) + max(c0 - 1, 0)), NaN where
 *              neither exceeds 1 and one is 1 or more, 1 where both are below 1
 * </pre>
 */
public final class Beta extends Distribution {
    private final Tensor concentration1;
    private final Tensor concentration0;
    private final Dirichlet dirichlet;

    /** Beta(concentration1, concentration0), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Beta(Tensor concentration1, Tensor concentration0) {
        this(concentration1, concentration0, defaultValidateArgs());
    }

    /** Beta(concentration1, concentration0) with F32 scalar parameters. */
    public Beta(double concentration1, double concentration0) {
        this(Tensor.scalar(concentration1), Tensor.scalar(concentration0));
    }

    /** Beta(concentration1, concentration0), checking that both are positive when {@code validateArgs}. */
    public Beta(Tensor concentration1, Tensor concentration0, boolean validateArgs) {
        this(Tensors.broadcastAll("Beta", concentration1, concentration0), validateArgs);
    }

    private Beta(Tensor[] parameters, boolean validateArgs) {
        super(parameters[0].shape(), Shape.scalar(), validateArgs);
        this.concentration1 = parameters[0];
        this.concentration0 = parameters[1];
        checkParameter("concentration1", concentration1, Constraint.positive());
        checkParameter("concentration0", concentration0, Constraint.positive());
        this.dirichlet = new Dirichlet(lastAxis(concentration1, concentration0), false);
    }

    /** [a, b] stacked along a new last axis. */
    private static Tensor lastAxis(Tensor a, Tensor b) {
        return Tensor.stack(List.of(a, b), a.rank());
    }

    /** The concentration of 1 (alpha), broadcast to the batch shape. */
    public Tensor concentration1() {
        return concentration1;
    }

    /** The concentration of 0 (beta), broadcast to the batch shape. */
    public Tensor concentration0() {
        return concentration0;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        return dirichlet.rsample(sampleShape).narrow(-1, 0, 1).squeeze(-1);
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        return dirichlet.density(lastAxis(x, x.neg().add(1)));
    }

    @Override
    public Tensor entropy() {
        return dirichlet.entropy();
    }

    @Override
    public Tensor mean() {
        return concentration1.div(concentration1.add(concentration0));
    }

    @Override
    public Tensor variance() {
        Tensor total = concentration1.add(concentration0);
        return concentration1.mul(concentration0).div(total.square().mul(total.add(1)));
    }

    @Override
    public Tensor mode() {
        return dirichlet.mode().narrow(-1, 0, 1).squeeze(-1);
    }

    @Override
    public Constraint support() {
        return Constraint.unitInterval();
    }

    @Override
    public Beta expand(int... batchShape) {
        Shape target = expandedBatch(batchShape);
        return new Beta(Tensors.expandTo(concentration1, target), Tensors.expandTo(concentration0, target),
                validatesArgs());
    }

    @Override
    public String toString() {
        return "Beta(concentration1: " + concentration1.shape() + ", concentration0: " + concentration0.shape() + ")";
    }
}
