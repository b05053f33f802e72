package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Mean absolute error {@code mean(|output - target|)} over all elements, like PyTorch's
 * {@code torch.nn.L1Loss()}: output and target of one shape, e.g. [batch, features]; a scalar result
 * (gradient 0 where the two are equal, as {@code sign(0) = 0}).
 */
public class L1Loss implements Loss {
    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("L1Loss", output, target);
        return output.sub(target).abs().mean();
    }
}
