package dev.kiln.optim;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam (Kingma and Ba), as PyTorch's {@code torch.optim.Adam}: weight decay is an L2 term added to the
 * gradient ({@link AdamW} decouples it). Per parameter, with {@code g} its gradient and {@code t} its step
 * count from 1:
 * <pre>
 * g = g + weightDecay * p
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * vmax = max(vmax, v)                                                       (amsgrad only)
 * u = amsgrad ? vmax : v
 * p = p - lr / (1 - beta1^t) * m / (sqrt(u) / sqrt(1 - beta2^t) + eps)     (eps after the square root)
 * </pre>
 * Defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0, amsgrad off. Runs as one fused pass over all
 * parameters of a group ({@link Updates#adam(List, List, List, List, double, double, double, double, double,
 * boolean, long)}: one kernel on a GPU; with amsgrad {@link Updates#amsgrad}). State: {@code step},
 * {@code exp_avg} (m), {@code exp_avg_sq} (v), and with amsgrad {@code max_exp_avg_sq} (vmax).
 */
public class Adam extends AdamFamily<Adam> {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-3;

    private final boolean decoupled;
    private boolean amsgrad;

    /** Adam over one group, no weight decay. */
    public Adam(List<Tensor> params, double lr) {
        this(oneGroup(params, lr), 0, false);
    }

    /** Adam over one group with the given betas, eps and weight decay (L2). */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(params, lr);
        betas(beta1, beta2);
        eps(eps);
        weightDecay(weightDecay);
    }

    /** Adam over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public Adam(List<ParamGroup> groups) {
        this(groups, 0, false);
    }

    /** For {@link AdamW}: groups without a weight decay get {@code defaultWeightDecay}. */
    protected Adam(List<ParamGroup> groups, double defaultWeightDecay, boolean decoupledWeightDecay) {
        super(groups, DEFAULT_LR, defaultWeightDecay);
        this.decoupled = decoupledWeightDecay;
    }

    /**
     * Turns the AMSGrad variant (PyTorch's {@code amsgrad}) on or off: the denominator uses the largest second
     * moment seen so far; returns this.
     */
    public Adam amsgrad(boolean amsgrad) {
        this.amsgrad = amsgrad;
        return this;
    }

    /** Whether the AMSGrad variant is on (default off). */
    public boolean amsgrad() {
        return amsgrad;
    }

    @Override
    protected Set<String> stateNames() {
        return amsgrad ? Set.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                : Set.of("step", "exp_avg", "exp_avg_sq");
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        updateGroup(List.of(param), List.of(grad), group, List.of(state));
    }

    /**
     * One multi-tensor update ({@link Updates#adam(List, List, List, List, double, double, double, double, double,
     * boolean, long)}, or {@link Updates#amsgrad}) for each set of parameters that share a step count and dtype:
     * usually the whole group.
     */
    @Override
    protected void updateGroup(List<Tensor> params, List<Tensor> grads, ParamGroup group, List<ParamState> states) {
        Map<BatchKey, Batch> batches = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor param = params.get(i);
            ParamState state = states.get(i);
            Tensor expAvg = state.getOrZeros("exp_avg", param);
            Tensor expAvgSq = state.getOrZeros("exp_avg_sq", param);
            long step = state.nextStep();
            Batch batch = batches.computeIfAbsent(new BatchKey(step, param.dtype()), k -> new Batch(step));
            batch.params.add(param);
            batch.grads.add(grads.get(i));
            batch.expAvgs.add(expAvg);
            batch.expAvgSqs.add(expAvgSq);
            if (amsgrad) {
                batch.maxExpAvgSqs.add(state.getOrZeros("max_exp_avg_sq", param));
            }
        }
        for (Batch b : batches.values()) {
            if (amsgrad) {
                Updates.amsgrad(b.params, b.grads, b.expAvgs, b.expAvgSqs, b.maxExpAvgSqs, group.lr(), beta1(),
                        beta2(), eps(), group.weightDecay(), decoupled, b.step);
            } else {
                Updates.adam(b.params, b.grads, b.expAvgs, b.expAvgSqs, group.lr(), beta1(), beta2(),
                        eps(), group.weightDecay(), decoupled, b.step);
            }
        }
    }

    private record BatchKey(long step, DType dtype) {
    }

    /** Parameters stepped together: the same step count and dtype; maxExpAvgSqs stays empty without amsgrad. */
    private record Batch(long step, List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs,
                         List<Tensor> expAvgSqs, List<Tensor> maxExpAvgSqs) {
        Batch(long step) {
            this(step, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("amsgrad", amsgrad);
        return s;
    }
}
