package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What {@link AdaptiveLogSoftmaxWithLoss#forward(Tensor, Tensor)} returns, PyTorch's {@code _ASMoutput}: each
 * example's log-probability of its target class ([batch], or a scalar for an unbatched example) and the loss, their
 * negated mean (a scalar).
 */
public record AdaptiveSoftmaxOutput(Tensor output, Tensor loss) {
}
