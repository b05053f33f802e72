package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Averaged stochastic gradient descent (Polyak and Juditsky), as PyTorch 1.13's {@code torch.optim.ASGD}: SGD with a
 * decaying rate that also keeps {@code ax}, a running average of the parameter from step {@code t0} on, to evaluate
 * with ({@link #average}). Per parameter, with {@code g} its gradient and {@code t} its step count from 1:
 * <pre>
 * g = g + weightDecay * p
 * p = p * (1 - lambd * eta)
 * p = p - eta * g
 * ax = mu == 1 ? p : ax + mu * (p - ax)
 * eta = lr / (1 + lambd * lr * t)^alpha          (the next step's; eta starts at lr)
 * mu = 1 / max(1, t - t0)                        (the next step's; mu starts at 1)
 * </pre>
 * As mu is computed a step ahead, {@code ax} is the mean of the parameters after steps {@code t0 + 2} to t (the
 * parameter itself until then), as in PyTorch. Defaults: lambd 1e-4, alpha 0.75, t0 1e6, weight decay 0. Composed
 * from tensor ops. State: {@code step}, {@code eta} and {@code mu} (one number per parameter, as PyTorch's),
 * {@code ax}.
 */
public final class ASGD extends Optimizer {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-2;
    private static final String ETA = "eta";
    private static final String MU = "mu";
    private static final String AX = "ax";

    private double lambd = 1e-4;
    private double alpha = 0.75;
    private double t0 = 1e6;

    /** ASGD over one group. */
    public ASGD(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** ASGD over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public ASGD(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets the decay term (PyTorch's {@code lambd}): of the parameter each step, and of the rate eta; returns this. */
    public ASGD lambd(double lambd) {
        this.lambd = finiteNonNegative("lambd", lambd);
        return this;
    }

    /** Sets the power of eta's decay; returns this. */
    public ASGD alpha(double alpha) {
        this.alpha = finiteNonNegative("alpha", alpha);
        return this;
    }

    /**
     * Sets where the average starts: it covers the parameters after steps {@code t0 + 2} on (until then {@code ax} is
     * the parameter itself); returns this.
     */
    public ASGD t0(double t0) {
        this.t0 = finiteNonNegative("t0", t0);
        return this;
    }

    /** Sets the weight decay (L2 penalty) of every group; returns this. */
    public ASGD weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return this;
    }

    public double lambd() {
        return lambd;
    }

    public double alpha() {
        return alpha;
    }

    public double t0() {
        return t0;
    }

    private static double finiteNonNegative(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("ASGD: " + what + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    /**
     * The running average of {@code param} (PyTorch's state {@code ax}), the optimizer's own live tensor: copy it to
     * keep it past the next step, or assign it to the parameter to evaluate with the average.
     *
     * @throws IllegalArgumentException when {@code param} is not one of this optimizer's, or has not been stepped
     */
    public Tensor average(Tensor param) {
        checkOpen("average");
        List<Tensor> params = params();
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i) == param) {
                Tensor ax = state(i).get(AX);
                if (ax == null) {
                    throw new IllegalArgumentException("ASGD.average: parameter " + i + " " + param.shape()
                            + " has not been stepped yet, so it has no average");
                }
                return ax;
            }
        }
        throw new IllegalArgumentException("ASGD.average: " + (param == null ? "null" : "the tensor " + param.shape())
                + " is not one of this optimizer's parameters");
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", ETA, MU, AX);
    }

    @Override
    protected Set<String> numberNames() {
        return Set.of(ETA, MU);
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor ax = state.getOrZeros(AX, param);
        double eta = state.number(ETA, group.lr());
        double mu = state.number(MU, 1);
        long step = state.nextStep();
        Tensor g = group.weightDecay() != 0 ? grad.add(param.mul(group.weightDecay())) : grad;
        param.assign(param.mul(1 - lambd * eta));
        param.addInPlace(g, -eta);
        // PyTorch's test, exact: until step t0 + 2 the average is the parameter itself.
        ax.assign(mu != 1 ? ax.add(param.sub(ax).mul(mu)) : param);
        state.setNumber(ETA, group.lr() / Math.pow(1 + lambd * group.lr() * step, alpha));
        state.setNumber(MU, 1 / Math.max(1, step - t0));
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("lambd", lambd);
        s.put("alpha", alpha);
        s.put("t0", t0);
        return s;
    }
}
