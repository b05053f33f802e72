package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Mean squared error {@code mean((output - target)^2)} over all elements, like PyTorch's
 * {@code torch.nn.MSELoss()}: output and target of one shape, e.g. [batch, features]; a scalar result.
 */
public class MSELoss implements Loss {
    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("MSELoss", output, target);
        return output.sub(target).square().mean();
    }
}
