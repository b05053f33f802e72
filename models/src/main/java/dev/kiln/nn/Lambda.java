package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.function.UnaryOperator;

/**
 * A layer made of a function, the {@code Lambda} of PyTorch's "What is torch.nn really?" tutorial
 * ({@code class Lambda(nn.Module)} whose {@code forward(x)} returns {@code self.func(x)}): puts a reshape or any other
 * tensor function into a {@link Sequential}, e.g. {@code new Lambda(x -> x.view(-1, 1, 28, 28))} before a
 * convolution or {@code new Lambda(x -> x.view(x.dim(0), -1))} after the last pooling. Any input shape; the output is
 * whatever the function returns. No parameters: a function that uses tensors of its own leaves them out of
 * {@link #parameters()} and the state dict. Prints as the tutorial's class does, {@code Lambda()}.
 */
public class Lambda extends Module {
    private final UnaryOperator<Tensor> func;

    /** @param func applied to the layer's input on each call; its result is the layer's output */
    public Lambda(UnaryOperator<Tensor> func) {
        if (func == null) {
            throw new IllegalArgumentException("Lambda: the function is null; give the tensor function to apply");
        }
        this.func = func;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = func.apply(x);
        if (y == null) {
            throw new IllegalStateException("Lambda: the function returned null for the input " + x.describe()
                    + "; it must return a tensor");
        }
        return y;
    }
}
