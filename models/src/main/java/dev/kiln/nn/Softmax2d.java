package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Softmax over the channels at each location, PyTorch's {@code torch.nn.Softmax2d}: [batch, channels, height, width]
 * or unbatched [channels, height, width] to the same shape, the values at each (height, width) summing to 1 over the
 * channels (axis -3). No parameters.
 */
public class Softmax2d extends Module {
    /**
     * @throws IllegalArgumentException naming the layer and the input shape when it is not 3-D or 4-D
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 && x.rank() != 4) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape()
                    + " must be [batch, channels, height, width] or [channels, height, width]");
        }
        return F.softmax(x, -3);
    }
}
