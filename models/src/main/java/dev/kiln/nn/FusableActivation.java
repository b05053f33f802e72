package dev.kiln.nn;

import dev.kiln.engine.UnaryOp;

/**
 * An element-wise activation module that a {@link Linear} before it can apply in the same pass as its bias
 * ({@link dev.kiln.engine.F#linear(dev.kiln.engine.Tensor, dev.kiln.engine.Tensor, dev.kiln.engine.Tensor,
 * UnaryOp, double)}); {@link Sequential} fuses such pairs. Implementing it promises that {@code forward(x)}
 * is {@code op()} applied with {@code param()} to every element, so a subclass that changes forward must
 * not keep it.
 */
public interface FusableActivation {
    /** The element-wise function. */
    UnaryOp op();

    /** Its parameter as {@link UnaryOp} documents it (slope, alpha), 0 where it has none. */
    double param();
}
