package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Upsampling of images by an integer factor, like PyTorch's {@code torch.nn.Upsample(scale_factor=s, mode=...)}:
 * input [batch, channels, height, width] to [batch, channels, s height, s width]. Mode {@code "nearest"} (the
 * default) repeats each pixel s x s times; {@code "bilinear"} interpolates between the four nearest input
 * pixels, with PyTorch's {@code align_corners} (false by default: the corner pixels' edges line up; true: their
 * centres do). No parameters. PyTorch's fractional factors, output {@code size} and other modes are not taken.
 */
public class Upsample extends Module {
    private final int scaleFactor;
    private final String mode;
    private final boolean alignCorners;

    /** Mode {@code "nearest"}. */
    public Upsample(int scaleFactor) {
        this(scaleFactor, "nearest");
    }

    /** Mode {@code "nearest"} or {@code "bilinear"} (then with align_corners false). */
    public Upsample(int scaleFactor, String mode) {
        this(scaleFactor, mode, false);
    }

    /**
     * @throws IllegalArgumentException naming the layer for a factor below 1, another mode, or
     *     {@code alignCorners} with mode {@code "nearest"} (which PyTorch refuses too)
     */
    public Upsample(int scaleFactor, String mode, boolean alignCorners) {
        if (scaleFactor < 1) {
            throw new IllegalArgumentException("Upsample: scale factor must be at least 1, got " + scaleFactor);
        }
        if (!"nearest".equals(mode) && !"bilinear".equals(mode)) {
            throw new IllegalArgumentException("Upsample: mode must be 'nearest' or 'bilinear', got '" + mode + "'");
        }
        if (alignCorners && "nearest".equals(mode)) {
            throw new IllegalArgumentException("Upsample: alignCorners applies only to mode 'bilinear', got mode 'nearest'");
        }
        this.scaleFactor = scaleFactor;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    /**
     * [batch, channels, height, width] to [batch, channels, scaleFactor height, scaleFactor width].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, channels, height, width]");
        }
        if (scaleFactor == 1) {
            return x;
        }
        if ("bilinear".equals(mode)) {
            return SeparableMaps.apply(x, Interpolation.linear(x.dim(2), scaleFactor, alignCorners),
                    Interpolation.linear(x.dim(3), scaleFactor, alignCorners));
        }
        return consume(Interpolation.nearest(x, 2, scaleFactor), rows -> Interpolation.nearest(rows, 3, scaleFactor));
    }

    @Override
    public String toString() {
        return "Upsample(scale_factor=" + scaleFactor + ", mode=" + mode + (alignCorners ? ", align_corners=True" : "") + ")";
    }
}
