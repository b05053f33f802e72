package dev.kiln.engine;

import java.util.Locale;

/** How {@link F#gridSample} reads the input at a sampling point, as PyTorch's {@code grid_sample} modes. */
public enum GridSampleMode {
    /** The 4 (volumetric: 8) pixels around the point weighted by nearness; differentiable in the input and grid. */
    BILINEAR,
    /** The nearest pixel, halves rounded to even; no gradient reaches the grid (PyTorch gives it zeros). */
    NEAREST,
    /** The 4 x 4 pixels around the point, cubic convolution weights (A = -0.75); 4-D input only, as PyTorch's. */
    BICUBIC;

    /** PyTorch's name for the mode: "bilinear", "nearest", "bicubic". */
    public String pytorchName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
