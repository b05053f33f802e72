package dev.kiln.engine;

import java.util.Locale;

/**
 * What {@link F#pad(Tensor, int[], PaddingMode)} puts in the elements it adds, as PyTorch's {@code F.pad} modes and
 * the convolutions' {@code padding_mode}. Each example is {@code [1, 2, 3]} padded by (2, 2).
 */
public enum PaddingMode {
    /** Zeros, {@code 0 0 1 2 3 0 0}: convolutions' {@code padding_mode='zeros'}, {@code F.pad}'s {@code 'constant'}. */
    ZEROS,
    /** The elements mirrored about the edge, which is not repeated: {@code 3 2 1 2 3 2 1}. */
    REFLECT,
    /** The edge element repeated: {@code 1 1 1 2 3 3 3}. */
    REPLICATE,
    /** The elements from the other end, as if the axis wrapped around: {@code 2 3 1 2 3 1 2}. */
    CIRCULAR;

    /** PyTorch's name for the mode as a convolution's {@code padding_mode}: "zeros", "reflect", and so on. */
    public String pytorchName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
