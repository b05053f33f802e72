package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * Multi-label one-versus-all logistic loss, like PyTorch's
 * {@code torch.nn.MultiLabelSoftMarginLoss(weight=..., reduction=...)}: scores x [batch, classes] and targets y of one
 * shape, 1 where the class applies and 0 where not (values between weigh both terms); row n's loss is
 * {@code -(1 / classes) sum_c w_c (y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c))}, w = 1 without weights,
 * computed with softplus so that it never overflows. Any leading axes may stand for the batch (the classes are the
 * last axis) and unbatched scores [classes] give one loss. MEAN (the default) averages the rows' losses, SUM adds
 * them, NONE gives each row's loss: the input's shape without the last axis. The target gets a gradient too.
 */
public class MultiLabelSoftMarginLoss implements WeightedLoss {
    private final Tensor weight;
    private final Reduction reduction;

    /** Unweighted, the mean: PyTorch's defaults. */
    public MultiLabelSoftMarginLoss() {
        this(null, Reduction.MEAN);
    }

    /** Unweighted, reduced by {@code reduction}. */
    public MultiLabelSoftMarginLoss(Reduction reduction) {
        this(null, reduction);
    }

    /** The mean with each class's terms weighted by {@code weight} [classes]; see the two-argument constructor. */
    public MultiLabelSoftMarginLoss(Tensor weight) {
        this(weight, Reduction.MEAN);
    }

    /**
     * Each class's terms weighted by {@code weight} [classes] (null: unweighted), in the input's dtype, reduced by
     * {@code reduction}. The weight is kept, not copied: it must stay open while the loss is used.
     */
    public MultiLabelSoftMarginLoss(Tensor weight, Reduction reduction) {
        this.weight = ClassTargets.checkedWeight("MultiLabelSoftMarginLoss", weight);
        this.reduction = Losses.checked("MultiLabelSoftMarginLoss", reduction);
    }

    @Override
    public Map<String, Tensor> buffers() {
        return WeightedLoss.named("weight", weight);
    }

    @Override
    public Loss withBuffers(Map<String, Tensor> buffers) {
        return new MultiLabelSoftMarginLoss(buffers.get("weight"), reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("MultiLabelSoftMarginLoss", output, target);
        if (output.rank() == 0) {
            throw new IllegalArgumentException("MultiLabelSoftMarginLoss: output and target are scalars: expected"
                    + " [batch, classes] or [classes]");
        }
        int classAxis = output.rank() - 1;
        int classes = output.dim(classAxis);
        ClassTargets.checkWeight("MultiLabelSoftMarginLoss", output, classes, weight);
        // -log sigmoid(x) = softplus(-x) and -log sigmoid(-x) = softplus(x).
        Tensor terms = F.softplus(output.neg()).mul(target).add(F.softplus(output).mul(target.neg().add(1)));
        if (weight != null) {
            terms = terms.mul(weight);
        }
        return Losses.reduce(terms.sum(classAxis, false).div(classes), reduction);
    }
}
