package dev.kiln.engine;

import java.util.Locale;

/** What {@link F#gridSample} reads outside the input, as PyTorch's {@code grid_sample} padding modes. */
public enum GridSamplePadding {
    /** Zeros: a pixel outside the input contributes nothing. */
    ZEROS,
    /** The edge pixel: the point is clipped into the input. */
    BORDER,
    /** The input mirrored at its edges (the outer pixels' edges without alignCorners, their centres with it). */
    REFLECTION;

    /** PyTorch's name for the padding mode: "zeros", "border", "reflection". */
    public String pytorchName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
