package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Sub-pixel upscaling (ESPCN), like PyTorch's {@code torch.nn.PixelShuffle(upscale_factor)}: [..., channels * r * r,
 * height, width] to [..., channels, height * r, width * r], the r * r channels of each output channel becoming the
 * r x r pixels of each block (see {@link F#pixelShuffle}). After a convolution to {@code channels * r * r} channels it
 * upsamples by r. No parameters; the inverse is {@link PixelUnshuffle}.
 */
public class PixelShuffle extends Module {
    private final int upscaleFactor;

    /** @throws IllegalArgumentException naming the layer for a factor below 1 */
    public PixelShuffle(int upscaleFactor) {
        if (upscaleFactor < 1) {
            throw new IllegalArgumentException("PixelShuffle: upscale factor must be at least 1, got " + upscaleFactor);
        }
        this.upscaleFactor = upscaleFactor;
    }

    /**
     * [..., channels * r * r, height, width] to [..., channels, height * r, width * r].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has fewer than 3 dimensions or
     *     channels that are not a multiple of r * r
     */
    @Override
    public Tensor forward(Tensor x) {
        try {
            return F.pixelShuffle(x, upscaleFactor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** PyTorch's {@code extra_repr}: {@code upscale_factor=2}. */
    @Override
    protected String extraRepr() {
        return "upscale_factor=" + upscaleFactor;
    }
}
