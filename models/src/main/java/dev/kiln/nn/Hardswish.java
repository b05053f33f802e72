package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * 0 for x &lt;= -3, x for x &gt;= 3, else x (x + 3) / 6, element-wise (any shape, e.g. [batch, features] to the
 * same), like PyTorch's {@code torch.nn.Hardswish} (MobileNetV3). As in PyTorch, the gradient is 0 below -3,
 * x / 3 + 1/2 from -3 (included) up to 3 and 1 from 3 on. No parameters. (At 3 itself PyTorch 1.13 disagrees with
 * itself: its vectorised CPU kernel gives 1, its scalar loop, which takes a short tensor or the tail of a long one,
 * 1.5; Kiln gives 1 everywhere.)
 */
public class Hardswish extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> {
            // The gate x/6 + 1/2 keeps its slope at -3 itself, so that the gradient there is PyTorch's -1/2.
            Tensor gate = x.add(3).div(6).maskedFill(x.lt(-3), 0).maskedFill(x.ge(3), 1);
            return x.mul(gate);
        });
    }
}
