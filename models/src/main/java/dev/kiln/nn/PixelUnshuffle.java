package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * The inverse of {@link PixelShuffle}, like PyTorch's {@code torch.nn.PixelUnshuffle(downscale_factor)}: [...,
 * channels, height * r, width * r] to [..., channels * r * r, height, width], each r x r block of pixels becoming r * r
 * channels (see {@link F#pixelUnshuffle}). No parameters.
 */
public class PixelUnshuffle extends Module {
    private final int downscaleFactor;

    /** @throws IllegalArgumentException naming the layer for a factor below 1 */
    public PixelUnshuffle(int downscaleFactor) {
        if (downscaleFactor < 1) {
            throw new IllegalArgumentException("PixelUnshuffle: downscale factor must be at least 1, got "
                    + downscaleFactor);
        }
        this.downscaleFactor = downscaleFactor;
    }

    /**
     * [..., channels, height * r, width * r] to [..., channels * r * r, height, width].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has fewer than 3 dimensions or a
     *     height or width that is not a multiple of r
     */
    @Override
    public Tensor forward(Tensor x) {
        try {
            return F.pixelUnshuffle(x, downscaleFactor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** PyTorch's {@code extra_repr}: {@code downscale_factor=2}. */
    @Override
    protected String extraRepr() {
        return "downscale_factor=" + downscaleFactor;
    }
}
