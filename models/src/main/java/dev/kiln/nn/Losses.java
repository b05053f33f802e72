package dev.kiln.nn;

import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;

/** Argument checks and the reduction shared by the losses. */
final class Losses {
    private Losses() {
    }

    /** Output and target of one shape and one floating dtype. */
    static void sameShape(String loss, Tensor output, Tensor target) {
        if (!output.shape().equals(target.shape())) {
            throw new IllegalArgumentException(loss + ": output " + output.shape() + " and target " + target.shape()
                    + " must have the same shape");
        }
        if (!output.dtype().isFloating() || output.dtype() != target.dtype()) {
            throw new IllegalArgumentException(loss + ": output (" + output.dtype() + ") and target (" + target.dtype()
                    + ") must both be F32 or both F64");
        }
    }

    /** Two tensors of one shape and one floating dtype, named {@code nameA} and {@code nameB} in the error. */
    static void matching(String loss, String nameA, Tensor a, String nameB, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(loss + ": " + nameA + " " + a.shape() + " and " + nameB + " " + b.shape()
                    + " must have the same shape");
        }
        if (!a.dtype().isFloating() || a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(loss + ": " + nameA + " (" + a.dtype() + ") and " + nameB + " ("
                    + b.dtype() + ") must both be F32 or both F64");
        }
    }

    /** {@code value}, refused unless 0 or more and finite, naming {@code loss} and the argument {@code name}. */
    static double nonNegative(String loss, String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(loss + ": " + name + " must be 0 or more and finite, got " + value);
        }
        return value;
    }

    /** {@code reduction}, refused when null. */
    static Reduction checked(String loss, Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException(loss + ": reduction must be MEAN, SUM or NONE, got null");
        }
        return reduction;
    }

    /**
     * Huber's function of the differences {@code diff}, element-wise: {@code 0.5 diff^2} where
     * {@code |diff| < delta}, else {@code delta (|diff| - 0.5 delta)}; delta must be positive.
     */
    static Tensor huber(Tensor diff, double delta) {
        Tensor absDiff = diff.abs();
        Tensor quadratic = diff.square().mul(0.5);
        Tensor linear = absDiff.sub(0.5 * delta).mul(delta);
        return Tensor.where(absDiff.lt(delta), quadratic, linear);
    }

    /**
     * {@code max(z, 0)} with PyTorch's {@code clamp_min(z, 0)} gradient: it passes where z >= 0, at 0 too (where
     * relu's does not).
     */
    static Tensor clampMinZero(Tensor z) {
        return z.maskedFill(z.lt(0), 0);
    }

    /** The per-element {@code losses} as PyTorch's reduction: their mean, their sum, or themselves. */
    static Tensor reduce(Tensor losses, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
            case NONE -> losses;
        };
    }

    /** The error for a call of the one-input {@link Module#forward(Tensor)} of a loss of three inputs. */
    static UnsupportedOperationException threeInputs(Module loss, String inputs) {
        return new UnsupportedOperationException(loss + " takes three inputs (" + inputs + "); call call(" + inputs
                + ") or forward(" + inputs + ")");
    }
}
