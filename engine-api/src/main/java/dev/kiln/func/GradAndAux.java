package dev.kiln.func;

/**
 * What {@link Func#grad(Fn, int[], boolean)} returns with {@code hasAux}: the gradients and the function's auxiliary
 * output, PyTorch's {@code (grad, aux)}. A tree itself, so {@link Vmap} stacks each part.
 */
public record GradAndAux(Object grad, Object aux) {
}
