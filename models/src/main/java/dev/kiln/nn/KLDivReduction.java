package dev.kiln.nn;

/** How {@link KLDivLoss} combines its per-element terms [batch, ...], as PyTorch's {@code reduction} argument. */
public enum KLDivReduction {
    /** 'batchmean': the sum over all elements divided by the batch size (the first axis), the KL per example. */
    BATCH_MEAN,
    /** 'sum': the sum over all elements. */
    SUM,
    /** 'mean': the mean over all elements, so also over the classes; PyTorch's default, which it warns about. */
    MEAN,
    /** 'none': the terms themselves, in the input's shape. */
    NONE
}
