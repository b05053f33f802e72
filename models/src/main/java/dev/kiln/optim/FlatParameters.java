package dev.kiln.optim;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameters seen as one flat vector [n] (their elements in order, parameter after parameter), as L-BFGS sees
 * them, and the vector arithmetic it does on such vectors. Vectors made here belong to the caller's scope; the
 * arithmetic's temporaries are released at once.
 */
final class FlatParameters {
    private final List<Tensor> params;
    private final int size;

    FlatParameters(List<Tensor> params) {
        this.params = List.copyOf(params);
        this.size = Math.toIntExact(params.stream().mapToLong(Tensor::size).sum());
    }

    /** n, the elements of all parameters together. */
    int size() {
        return size;
    }

    /** The gradients as one vector [n]; zeros for a parameter without one (PyTorch's {@code _gather_flat_grad}). */
    Tensor gradient() {
        try (Autograd.Guard g = Autograd.noGrad()) {
            List<Tensor> parts = new ArrayList<>();
            for (Tensor p : params) {
                Tensor grad = p.grad();
                parts.add((grad == null ? p.fullLike(0) : grad).reshape(-1));
            }
            return Tensor.cat(parts, 0);
        }
    }

    /** Adds {@code scale * update} (a vector [n]) to the parameters in place. */
    void addScaled(double scale, Tensor update) {
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            int offset = 0;
            for (Tensor p : params) {
                int n = (int) p.size();
                p.addInPlace(update.narrow(0, offset, n).reshape(p.shape().dims()), scale);
                offset += n;
            }
        }
    }

    /** Copies of the parameters' values, for {@link #set}. */
    List<Tensor> copies() {
        try (Autograd.Guard g = Autograd.noGrad()) {
            return params.stream().map(Tensor::copy).toList();
        }
    }

    /** Puts back values that {@link #copies} took. */
    void set(List<Tensor> values) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                params.get(i).assign(values.get(i));
            }
        }
    }

    /** The dot product of two vectors, read back. */
    static double dot(Tensor a, Tensor b) {
        try (Scope s = Scope.open()) {
            return a.mul(b).sum().item();
        }
    }

    /** The largest |element| of a vector, read back. */
    static double maxAbs(Tensor v) {
        try (Scope s = Scope.open()) {
            return v.abs().max().item();
        }
    }

    /** The sum of |element| of a vector, read back. */
    static double sumAbs(Tensor v) {
        try (Scope s = Scope.open()) {
            return v.abs().sum().item();
        }
    }
}
