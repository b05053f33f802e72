package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code torch.optim.AdamW}: before
 * the Adam update each parameter shrinks, {@code p = p * (1 - lr * weightDecay)}, and the gradient is
 * left alone. Default weight decay 0.01; otherwise as {@link Adam}.
 */
public final class AdamW extends Adam {
    /** PyTorch's default weight decay for AdamW, for groups that set none. */
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;

    /** AdamW over one group, weight decay {@link #DEFAULT_WEIGHT_DECAY}. */
    public AdamW(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_WEIGHT_DECAY, true);
    }

    /** AdamW over one group with its own weight decay. */
    public AdamW(List<Tensor> params, double lr, double weightDecay) {
        this(params, lr);
        weightDecay(weightDecay);
    }

    /**
     * AdamW over parameter groups; groups without a learning rate get {@link Adam#DEFAULT_LR}, without a
     * weight decay {@link #DEFAULT_WEIGHT_DECAY}.
     */
    public AdamW(List<ParamGroup> groups) {
        super(groups, DEFAULT_WEIGHT_DECAY, true);
    }

    @Override
    public AdamW betas(double beta1, double beta2) {
        super.betas(beta1, beta2);
        return this;
    }

    @Override
    public AdamW eps(double eps) {
        super.eps(eps);
        return this;
    }

    @Override
    public AdamW amsgrad(boolean amsgrad) {
        super.amsgrad(amsgrad);
        return this;
    }

    @Override
    public AdamW weightDecay(double weightDecay) {
        super.weightDecay(weightDecay);
        return this;
    }
}
