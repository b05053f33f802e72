package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * 0 for x &lt;= -3, 1 for x &gt;= 3, else x / 6 + 1 / 2, element-wise (any shape, e.g. [batch, features] to the
 * same), like PyTorch's {@code torch.nn.Hardsigmoid}: the gradient is 1/6 strictly between -3 and 3 and 0 elsewhere.
 * (PyTorch 1.13's float64 gradient is 1/6 rounded to float32; this one is 1/6 in the tensor's dtype.) No
 * parameters.
 */
public class Hardsigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> Clamp.between(x, -3, 3).add(3).div(6));
    }
}
