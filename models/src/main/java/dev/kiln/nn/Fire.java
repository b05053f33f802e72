package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * SqueezeNet's Fire module (Iandola et al. 2016), as torchvision's {@code Fire}: a 1x1 convolution {@code squeeze} to
 * few channels and ReLU, then two expansions of it side by side, {@code expand1x1} (1x1) and {@code expand3x3} (3x3,
 * padding 1), each with bias and ReLU, concatenated along the channels (the 1x1 expansion's first). Input
 * [batch, in, height, width], output [batch, expand1x1 + expand3x3, height, width].
 */
public class Fire extends Module {
    public Fire(int in, int squeeze, int expand1x1, int expand3x3) {
        registerModule("squeeze", Conv2d.builder(in, squeeze, 1).build());
        registerModule("squeeze_activation", new ReLU());
        registerModule("expand1x1", Conv2d.builder(squeeze, expand1x1, 1).build());
        registerModule("expand1x1_activation", new ReLU());
        registerModule("expand3x3", Conv2d.builder(squeeze, expand3x3, 3).padding(1).build());
        registerModule("expand3x3_activation", new ReLU());
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor squeezed = activated("squeeze", x);
        Tensor narrow = activated("expand1x1", squeezed);
        Tensor wide = activated("expand3x3", squeezed);
        releaseConsumed(squeezed, wide);
        Tensor out = Tensor.cat(List.of(narrow, wide), 1);
        releaseConsumed(narrow, out);
        releaseConsumed(wide, out);
        return out;
    }

    /** The convolution {@code name} and its ReLU ({@code name_activation}) applied to x. */
    private Tensor activated(String name, Tensor x) {
        Tensor convolved = module(name).call(x);
        Tensor y = module(name + "_activation").call(convolved);
        releaseConsumed(convolved, y);
        return y;
    }

    /** One line naming the block in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        Conv2d squeeze = (Conv2d) module("squeeze");
        return "Fire(" + squeeze.inChannels() + " -> " + squeeze.outChannels() + " -> "
                + ((Conv2d) module("expand1x1")).outChannels() + " + " + ((Conv2d) module("expand3x3")).outChannels()
                + ")";
    }
}
