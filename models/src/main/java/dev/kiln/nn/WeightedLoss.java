package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * A loss that holds tensors, which PyTorch's loss module registers as buffers ({@code weight}, {@code pos_weight}):
 * {@link LossModule} registers copies of them and runs the loss on its own buffers, so that they follow the module's
 * {@code to(dtype)}, state dict and {@code close()}.
 */
interface WeightedLoss extends Loss {
    /** The tensors by PyTorch's buffer names, those the loss was made without (null) left out. */
    Map<String, Tensor> buffers();

    /** This loss with {@code buffers} (named as {@link #buffers()} names them) in place of its own tensors. */
    Loss withBuffers(Map<String, Tensor> buffers);

    /** {@code name -> t}, or nothing when t is null: for {@link #buffers()}. */
    static Map<String, Tensor> named(String name, Tensor t) {
        return t == null ? Map.of() : Map.of(name, t);
    }
}
