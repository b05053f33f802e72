package dev.kiln.optim;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.SparseRows;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Parameters seen as one flat vector [n] (their elements in order, parameter after parameter, each row-major), as
 * L-BFGS sees them, and the vector arithmetic it does on such vectors; publicly, PyTorch's
 * {@code torch.nn.utils.parameters_to_vector} and {@code vector_to_parameters} ({@link #parametersToVector},
 * {@link #vectorToParameters}). Vectors made here belong to the caller's scope; the arithmetic's temporaries are
 * released at once.
 */
public final class FlatParameters {
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

    /**
     * The gradients as one vector [n]; zeros for a parameter without one, a sparse gradient made dense (PyTorch's
     * {@code _gather_flat_grad}).
     */
    Tensor gradient() {
        try (Autograd.Guard g = Autograd.noGrad()) {
            List<Tensor> grads = new ArrayList<>();
            for (Tensor p : params) {
                Tensor grad = p.grad();
                SparseRows sparse = p.sparseGrad();
                grads.add(grad != null ? grad : sparse != null ? sparse.toDense() : p.fullLike(0));
            }
            return flatten(grads);
        }
    }

    /** Adds {@code scale * update} (a vector [n]) to the parameters in place. */
    void addScaled(double scale, Tensor update) {
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            forEachSlice(update, (p, slice) -> p.addInPlace(slice, scale));
        }
    }

    /**
     * PyTorch's {@code parameters_to_vector(params)}: the elements of {@code params} as one vector [n], parameter after
     * parameter, each row-major. Recorded for autograd like any op, so a loss on the vector back-propagates into the
     * parameters, as in PyTorch. The parameters share one dtype and device.
     *
     * @throws IllegalArgumentException when {@code params} is empty, or (naming cat) when dtypes or devices differ
     */
    public static Tensor parametersToVector(List<Tensor> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("parametersToVector: needs at least one parameter, got none");
        }
        return flatten(params);
    }

    /**
     * PyTorch's {@code vector_to_parameters(vector, params)}: writes the consecutive slices of {@code vector} [n] into
     * {@code params} in place (converted to each parameter's dtype, as {@code copy_} does), the inverse of
     * {@link #parametersToVector}. Records nothing for autograd; gradients already stored stay. Unlike PyTorch, which
     * ignores a longer vector's tail, the length must be exactly n.
     *
     * @throws IllegalArgumentException naming the vector's shape and n when it is not [n]
     */
    public static void vectorToParameters(Tensor vector, List<Tensor> params) {
        FlatParameters flat = new FlatParameters(params);
        if (vector.rank() != 1 || vector.dim(0) != flat.size) {
            throw new IllegalArgumentException("vectorToParameters: vector " + vector.shape() + " must be [" + flat.size
                    + "], the elements of the " + params.size() + " parameters");
        }
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            flat.forEachSlice(vector, (p, slice) -> p.assign(slice.to(p.dtype())));
        }
    }

    /** {@code tensors} reshaped to [numel] each and concatenated: [n]. */
    private static Tensor flatten(List<Tensor> tensors) {
        return Tensor.cat(tensors.stream().map(t -> t.reshape(-1)).toList(), 0);
    }

    /** Calls {@code action} with each parameter and its slice of {@code vector} [n], shaped as the parameter. */
    private void forEachSlice(Tensor vector, BiConsumer<Tensor, Tensor> action) {
        int offset = 0;
        for (Tensor p : params) {
            int n = (int) p.size();
            action.accept(p, vector.narrow(0, offset, n).reshape(p.shape().dims()));
            offset += n;
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
