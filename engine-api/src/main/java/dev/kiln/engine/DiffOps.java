package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's {@code diff}: the n-th forward difference along an axis, {@code x[i + 1] - x[i]} applied n times, after
 * {@code prepend} and {@code append} are joined on ({@code cat}); each difference is two {@code narrow}s and a
 * subtraction, differentiable to any order. F32 or F64.
 */
final class DiffOps {
    private DiffOps() {
    }

    static Tensor diff(Tensor x, int n, int axis, Tensor prepend, Tensor append) {
        String op = "diff";
        Checks.open(op, x);
        Checks.floating(op, x);
        if (n < 0) {
            throw new IllegalArgumentException(op + ": n must not be negative, got " + n);
        }
        if (x.rank() < 1) {
            throw new IllegalArgumentException(op + ": needs a tensor of at least 1 dimension, got shape " + x.shape());
        }
        int a = Axes.axis(op, x.shape(), axis);
        List<Tensor> parts = new ArrayList<>(3);
        joinable(op, "prepend", prepend, x, a, parts);
        parts.add(x);
        joinable(op, "append", append, x, a, parts);
        Tensor y = parts.size() == 1 ? x : Tensor.cat(parts, a);
        for (int i = 0; i < n && y.dim(a) > 0; i++) {
            Tensor previous = y;
            int length = y.dim(a) - 1;
            y = Tensor.consume(y.narrow(a, 1, length), x, later -> Tensor.consume(previous.narrow(a, 0, length), x,
                    later::sub));
            Tensor.releaseIntermediate(previous, x, y);
        }
        return y;
    }

    /** Adds {@code part} (when given) to {@code parts} once it matches x in rank, dtype and every axis but {@code a}. */
    private static void joinable(String op, String name, Tensor part, Tensor x, int a, List<Tensor> parts) {
        if (part == null) {
            return;
        }
        Checks.compatible(op, x, part);
        if (part.rank() != x.rank() || !part.shape().with(a, 1).equals(x.shape().with(a, 1))) {
            throw new IllegalArgumentException(op + ": " + name + " " + part.shape() + " must have the shape of the input "
                    + x.shape() + " but along axis " + a);
        }
        parts.add(part);
    }
}
