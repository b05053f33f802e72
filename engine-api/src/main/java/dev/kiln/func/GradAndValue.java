package dev.kiln.func;

/**
 * What {@link Func#gradAndValue} returns: the gradients (one tree per argnum, or the one argnum's tree), the
 * function's one-element value, and its auxiliary output (null without {@code hasAux}); PyTorch's {@code (grad, value)}
 * or {@code (grad, (value, aux))}. A tree itself, so {@link Vmap} stacks each part.
 */
public record GradAndValue(Object grad, Object value, Object aux) {
}
