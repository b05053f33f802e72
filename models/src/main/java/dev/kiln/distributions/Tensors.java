package dev.kiln.distributions;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/** The tensor plumbing the distributions share: broadcasting parameters, draws on a parameter's backend, shapes. */
final class Tensors {
    private Tensors() {
    }

    /** The tensors broadcast to their common shape (PyTorch's {@code broadcast_all}); {@code owner} names the error. */
    static Tensor[] broadcastAll(String owner, Tensor... tensors) {
        Shape common = tensors[0].shape();
        for (Tensor t : tensors) {
            common = Shape.broadcast(owner, common, t.shape());
        }
        Tensor[] out = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            out[i] = expandTo(tensors[i], common);
        }
        return out;
    }

    /** {@code t} itself when it has {@code shape} already, else its broadcast to it (a copy through which gradients flow). */
    static Tensor expandTo(Tensor t, Shape shape) {
        return t.shape().equals(shape) ? t : t.expand(shape.dims());
    }

    /**
     * Uniform draws in [low, high) of {@code dims} from the engine's seeded stream, in {@code like}'s dtype, drawn on
     * its backend (not drawn on the default one and copied).
     */
    static Tensor uniform(Tensor like, double low, double high, int[] dims) {
        return like.uniformLike(low, high, Shape.of(dims));
    }

    /** Standard normal draws of {@code dims} from the engine's seeded stream, in {@code like}'s dtype, on its backend. */
    static Tensor standardNormal(Tensor like, int[] dims) {
        return like.normalLike(0, 1, Shape.of(dims));
    }

    /** {@code t} summed over its last {@code n} axes (PyTorch's {@code _sum_rightmost}). */
    static Tensor sumRightmost(Tensor t, int n) {
        Tensor out = t;
        for (int i = 0; i < n; i++) {
            out = out.sum(-1, false);
        }
        return out;
    }

    /** The dimensions of {@code parts} one after another: a sample shape, then a batch shape, then an event shape. */
    static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    /** {@code shape}'s first {@code n} dimensions. */
    static Shape leading(Shape shape, int n) {
        return Shape.of(Arrays.copyOf(shape.dims(), n));
    }

    /** {@code shape}'s dimensions from {@code start} on. */
    static Shape trailing(Shape shape, int start) {
        return Shape.of(Arrays.copyOfRange(shape.dims(), start, shape.rank()));
    }

    /** {@code t} as I64 indices: itself when it is I64 already, truncated as PyTorch's {@code long()} otherwise. */
    static Tensor indices(Tensor t) {
        return t.dtype() == DType.I64 ? t : t.to(DType.I64);
    }
}
