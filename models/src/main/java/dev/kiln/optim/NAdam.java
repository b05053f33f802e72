package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam with Nesterov momentum (Dozat), as PyTorch 1.13's {@code torch.optim.NAdam}. Per parameter, with {@code g}
 * its gradient and {@code t} its step count from 1:
 * <pre>
 * g = g + weightDecay * p
 * mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentumDecay))
 * mu_next = beta1 * (1 - 0.5 * 0.96^((t + 1) * momentumDecay))
 * muProduct = muProduct * mu_t                                  (muProduct starts at 1)
 * muProductNext = muProduct * mu_t * mu_next                    (PyTorch 1.13's; 2.0 drops the second mu_t)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * d = sqrt(v / (1 - beta2^t)) + eps
 * p = p - lr * (1 - mu_t) / (1 - muProduct) * g / d - lr * mu_next / (1 - muProductNext) * m / d
 * </pre>
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum decay 4e-3, weight decay 0 (an L2 term added to the
 * gradient). Composed from tensor ops. State: {@code step}, {@code mu_product} (one number per parameter, as
 * PyTorch's), {@code exp_avg} (m) and {@code exp_avg_sq} (v).
 */
public final class NAdam extends AdamFamily<NAdam> {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 2e-3;
    private static final String MU_PRODUCT = "mu_product";

    private double momentumDecay = 4e-3;

    /** NAdam over one group. */
    public NAdam(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** NAdam over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public NAdam(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets how fast the momentum schedule mu_t rises towards beta1 (PyTorch's {@code momentum_decay}); returns this. */
    public NAdam momentumDecay(double momentumDecay) {
        this.momentumDecay = finiteNonNegative("momentumDecay", momentumDecay);
        return this;
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", MU_PRODUCT, "exp_avg", "exp_avg_sq");
    }

    @Override
    protected Set<String> numberNames() {
        return Set.of(MU_PRODUCT);
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor expAvg = state.getOrZeros("exp_avg", param);
        Tensor expAvgSq = state.getOrZeros("exp_avg_sq", param);
        long step = state.nextStep();
        double biasCorrection2 = 1 - Math.pow(beta2(), step);
        Tensor g = withL2(grad, param, group);
        double mu = momentum(step);
        double muNext = momentum(step + 1);
        double muProduct = state.number(MU_PRODUCT, 1) * mu;
        state.setNumber(MU_PRODUCT, muProduct);
        double muProductNext = muProduct * mu * muNext;
        updateFirstMoment(expAvg, g);
        updateSecondMoment(expAvgSq, g);
        Tensor denominator = expAvgSq.div(biasCorrection2).sqrt().add(eps());
        param.addInPlace(g.div(denominator), -group.lr() * (1 - mu) / (1 - muProduct));
        param.addInPlace(expAvg.div(denominator), -group.lr() * muNext / (1 - muProductNext));
    }

    /** The momentum coefficient mu_t of step {@code t}. */
    private double momentum(long t) {
        return beta1() * (1 - 0.5 * Math.pow(0.96, t * momentumDecay));
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("momentum_decay", momentumDecay);
        return s;
    }
}
