package dev.kiln.engine;

import java.util.Locale;

/** How {@link F#gridSample} reads the input at a sampling point, as PyTorch's {@code grid_sample} modes. */
public enum GridSampleMode {
    /** The 4 (volumetric: 8) pixels around the point weighted by nearness; differentiable in the input and grid. */
    BILINEAR,
    /** The nearest pixel, halves rounded to even; the grid's gradient is zero. */
    NEAREST;

    /** PyTorch's name for the mode: "bilinear", "nearest". */
    public String pytorchName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
