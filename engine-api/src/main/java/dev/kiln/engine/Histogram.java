package dev.kiln.engine;

/**
 * A histogram and the edges of its bins, as {@link F#histogram} returns them (PyTorch's {@code histogram}): hist
 * [bins] and binEdges [bins + 1], both of the input's dtype.
 */
public record Histogram(Tensor hist, Tensor binEdges) {
}
