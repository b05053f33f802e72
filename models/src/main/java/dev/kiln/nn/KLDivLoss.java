package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Kullback-Leibler divergence, like PyTorch's {@code torch.nn.KLDivLoss(reduction='batchmean')}: the
 * input holds <em>log</em>-probabilities (e.g. from {@code F.logSoftmax}) and the target probabilities,
 * both [batch, classes]; {@code sum(target * (log(target) - input)) / batch}, with
 * {@code 0 * log 0 = 0}. A scalar; equals the mathematical KL(target || exp(input)) averaged per sample.
 */
public class KLDivLoss implements Loss {
    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("KLDivLoss", output, target);
        if (output.rank() == 0) {
            throw new IllegalArgumentException("KLDivLoss: needs at least one dimension (the batch), got a scalar");
        }
        Tensor positive = target.gt(0);
        Tensor one = Tensor.full(1, target.dtype());
        Tensor zero = Tensor.full(0, target.dtype());
        Tensor safeLog = Tensor.where(positive, target, one).log();
        Tensor entropyTerm = Tensor.where(positive, target.mul(safeLog), zero);
        return entropyTerm.sub(target.mul(output)).sum().div(output.dim(0));
    }
}
