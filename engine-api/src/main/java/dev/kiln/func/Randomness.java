package dev.kiln.func;

/** What random ops inside a {@link Vmap}ped function draw: PyTorch's {@code randomness=} of {@code torch.func.vmap}. */
public enum Randomness {
    /** A random op inside the function is refused (IllegalStateException), PyTorch's default {@code "error"}. */
    ERROR,
    /** Every slice draws its own values from the engine's stream, {@code "different"}. */
    DIFFERENT,
    /** Every slice sees the same draws: the stream restarts at the same place for each, {@code "same"}. */
    SAME
}
