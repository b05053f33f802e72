package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * PyTorch's {@code torch.autograd.functional} for small functions: Jacobians, Hessians and Hessian-vector products,
 * made of {@link Autograd#grad} passes. Each runs the function, with gradients on, on leaves that share the inputs'
 * values (the inputs themselves are left alone and need no gradient), and returns tensors without a graph, in the
 * current scope; what it makes on the way is freed. A part that does not depend on an input is 0 there, as with
 * PyTorch's {@code strict=False}. Functions of F32 or F64 tensors on any backend; F64 for exact values.
 */
public final class AutogradFunctional {
    private AutogradFunctional() {
    }

    /**
     * The Jacobian of {@code f} at {@code x}: shape {@code f(x).shape ++ x.shape}, element {@code [i..., j...]} the
     * derivative of {@code f(x)[i...]} with respect to {@code x[j...]}; one backward pass per element of f(x).
     *
     * @throws IllegalArgumentException for an integer x, or f returning null or a tensor of another dtype or backend
     */
    public static Tensor jacobian(UnaryOperator<Tensor> f, Tensor x) {
        check("jacobian", x);
        try (Scope scope = Scope.open(); Autograd.Guard on = Autograd.enableGrad()) {
            Tensor at = x.detach().requiresGrad(true);
            Tensor y = f.apply(at);
            checkResult("jacobian", x, y);
            int[] dims = concat(y.shape(), x.shape());
            if (!y.requiresGrad()) {
                Tensor zeros = x.emptyLike(Shape.of(dims), x.dtype());
                x.backend().fill(zeros, 0);
                return scope.keep(zeros);
            }
            List<Tensor> rows = new ArrayList<>();
            for (long i = 0; i < y.size(); i++) {
                rows.add(row(y, at, i));
            }
            return scope.keep(Tensor.stack(rows, 0).reshape(dims));
        }
    }

    /**
     * The Hessian of the one-element {@code f} at {@code x}: shape {@code x.shape ++ x.shape}, element
     * {@code [i..., j...]} the second derivative of f with respect to {@code x[i...]} and {@code x[j...]}; the Jacobian
     * of f's gradient, which a pass with {@link GradOptions#createGraph()} records.
     *
     * @throws IllegalArgumentException as {@link #jacobian}, and for f returning more than one element
     * @throws UnsupportedOperationException when f runs an op that has no double backward yet
     */
    public static Tensor hessian(UnaryOperator<Tensor> f, Tensor x) {
        check("hessian", x);
        return jacobian(at -> gradient("hessian", f.apply(at), List.of(at)).get(0), x);
    }

    /**
     * The Hessian of the one-element {@code f} at {@code inputs} times {@code vectors} (one per input, of its shape):
     * for each input k, {@code sum_j d^2 f / (d inputs[k] d inputs[j]) vectors[j]}, PyTorch's {@code hvp}; two backward
     * passes, never the Hessian itself.
     *
     * @throws IllegalArgumentException for inputs and vectors that differ in number, shape, dtype or backend, an integer
     *     input, or f returning null or more than one element
     * @throws UnsupportedOperationException when f runs an op that has no double backward yet
     */
    public static List<Tensor> hvp(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, List<Tensor> vectors) {
        checkVectors(inputs, vectors);
        try (Scope scope = Scope.open(); Autograd.Guard on = Autograd.enableGrad()) {
            List<Tensor> at = new ArrayList<>();
            for (Tensor in : inputs) {
                at.add(in.detach().requiresGrad(true));
            }
            List<Tensor> grads = gradient("hvp", f.apply(at), at);
            Tensor dot = null;
            for (int k = 0; k < at.size(); k++) {
                if (grads.get(k).requiresGrad()) {
                    Tensor term = grads.get(k).mul(vectors.get(k)).sum();
                    dot = dot == null ? term : dot.add(term);
                }
            }
            List<Tensor> products = dot == null ? null : Autograd.grad(dot, at, GradOptions.DEFAULT.withAllowUnused());
            List<Tensor> result = new ArrayList<>();
            for (int k = 0; k < at.size(); k++) {
                Tensor p = products == null ? null : products.get(k);
                result.add(scope.keep(p == null ? inputs.get(k).fullLike(0) : p));
            }
            return result;
        }
    }

    /**
     * The gradient of the one-element {@code y} with respect to each of {@code at}, recorded as a graph; zeros
     * (without one) where y does not depend on an input.
     */
    private static List<Tensor> gradient(String op, Tensor y, List<Tensor> at) {
        if (y == null || y.size() != 1) {
            throw new IllegalArgumentException(op + ": the function must return a one-element tensor, got "
                    + (y == null ? "null" : y.shape().toString()));
        }
        checkResult(op, at.get(0), y);
        List<Tensor> grads = y.requiresGrad()
                ? Autograd.grad(List.of(y), at, null, GradOptions.DEFAULT.withCreateGraph().withAllowUnused())
                : null;
        List<Tensor> result = new ArrayList<>();
        for (int k = 0; k < at.size(); k++) {
            Tensor g = grads == null ? null : grads.get(k);
            result.add(g == null ? at.get(k).fullLike(0) : g);
        }
        return result;
    }

    /** The gradient of y's element {@code i} with respect to {@code at}, flattened: one row of the Jacobian. */
    private static Tensor row(Tensor y, Tensor at, long i) {
        try (Scope scope = Scope.open()) {
            Tensor unit = y.fullLike(0);
            try (Tensor element = unit.view(i, Shape.of(1))) {
                unit.backend().fill(element, 1);
            }
            Tensor g = Autograd.grad(List.of(y), List.of(at), List.of(unit), GradOptions.DEFAULT.withAllowUnused()).get(0);
            return scope.keep(g == null ? at.fullLike(0).reshape(-1) : g.reshape(-1));
        }
    }

    private static void check(String op, Tensor x) {
        if (x == null) {
            throw new IllegalArgumentException(op + ": input is null");
        }
        Checks.open(op, x);
        Checks.floating(op, x);
    }

    private static void checkResult(String op, Tensor x, Tensor y) {
        if (y == null) {
            throw new IllegalArgumentException(op + ": the function returned null");
        }
        Checks.compatible(op + " (the function's result and its input)", x, y);
    }

    private static void checkVectors(List<Tensor> inputs, List<Tensor> vectors) {
        if (inputs == null || vectors == null || inputs.isEmpty() || inputs.size() != vectors.size()) {
            throw new IllegalArgumentException("hvp: needs one vector per input, at least one of each; got "
                    + (inputs == null ? "null" : inputs.size()) + " inputs and "
                    + (vectors == null ? "null" : vectors.size()) + " vectors");
        }
        for (int k = 0; k < inputs.size(); k++) {
            check("hvp", inputs.get(k));
            Checks.compatible("hvp", inputs.get(k), vectors.get(k));
            if (!inputs.get(k).shape().equals(vectors.get(k).shape())) {
                throw new IllegalArgumentException("hvp: vector " + k + " has shape " + vectors.get(k).shape()
                        + ", input " + k + " has shape " + inputs.get(k).shape() + "; they must be equal");
            }
        }
    }

    private static int[] concat(Shape a, Shape b) {
        int[] dims = new int[a.rank() + b.rank()];
        System.arraycopy(a.dims(), 0, dims, 0, a.rank());
        System.arraycopy(b.dims(), 0, dims, a.rank(), b.rank());
        return dims;
    }
}
