package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Categorical cross-entropy from logits and class indices, like PyTorch's
 * {@code torch.nn.CrossEntropyLoss()}: logits [batch, classes], target [batch] I64 (or I32) indices;
 * {@code mean(-log softmax(x)[n, y_n])}, fused with the softmax and stable for large logits.
 */
public class CrossEntropyLoss implements Loss {
    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.classIndices("CrossEntropyLoss", output, target);
        return F.crossEntropy(output, target);
    }
}
