package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Returns its input unchanged (the same tensor, any shape), like PyTorch's {@code torch.nn.Identity}: a placeholder
 * where a layer is optional, e.g. a classifier head removed for feature extraction. No parameters.
 */
public class Identity extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x;
    }
}
