package dev.kiln.engine;

/** The smallest and largest elements, as {@link Tensor#aminmax} returns them (PyTorch's {@code aminmax}). */
public record MinMax(Tensor min, Tensor max) {
}
