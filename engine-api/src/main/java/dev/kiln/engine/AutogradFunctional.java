package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * PyTorch's {@code torch.autograd.functional} for small functions: Jacobians, Hessians, vector-Jacobian and
 * Jacobian-vector products and Hessian-vector products, made of {@link Autograd#grad} passes. Each runs the function, with gradients on, on leaves that share the inputs'
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
        checkVectors("hvp", inputs, vectors);
        try (Scope scope = Scope.open(); Autograd.Guard on = Autograd.enableGrad()) {
            List<Tensor> at = leaves(inputs);
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
     * PyTorch's {@code vjp}: {@code f}'s value at {@code inputs} and, for each input k, {@code v^T J_k}, the
     * derivatives of {@code sum(f(inputs) * v)} with respect to input k (of its shape); one backward pass.
     *
     * @param v of {@code f(inputs)}'s shape
     * @throws IllegalArgumentException for no inputs, an integer input, f returning null or a tensor of another dtype
     *     or backend, or v of another shape than f's value
     */
    public static VectorJacobianProduct vjp(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, Tensor v) {
        checkInputs("vjp", inputs);
        try (Scope scope = Scope.open(); Autograd.Guard on = Autograd.enableGrad()) {
            List<Tensor> at = leaves(inputs);
            Tensor y = f.apply(at);
            checkResult("vjp", inputs.get(0), y);
            checkCotangent("vjp", y, v);
            // Of the identity, backpropagation hands v back as the product: a view of it instead, as PyTorch 1.13's
            // new tensor sharing v's memory, so that closing the result leaves the caller's v open.
            List<Tensor> grads = y.requiresGrad()
                    ? Autograd.grad(List.of(y), at, List.of(v), GradOptions.DEFAULT.withAllowUnused()) : null;
            List<Tensor> products = new ArrayList<>();
            for (int k = 0; k < at.size(); k++) {
                Tensor g = grads == null ? null : grads.get(k);
                products.add(scope.keep(g == null ? inputs.get(k).fullLike(0) : g == v ? v.detach() : g));
            }
            return new VectorJacobianProduct(scope.keep(y.detach()), products);
        }
    }

    /**
     * PyTorch's {@code jvp}: {@code f}'s value at {@code inputs} and {@code sum_k J_k vectors[k]}, the derivative of f
     * along the vectors (of f's value's shape). As PyTorch's, by two backward passes ("the double backward trick"):
     * the vector-Jacobian product with a stand-in {@code u} is linear in u, and its product with the vectors,
     * differentiated with respect to u, is the Jacobian-vector product.
     *
     * @param vectors one per input, of its shape
     * @throws IllegalArgumentException as {@link #vjp}, and for vectors that differ from the inputs in number or shape
     * @throws UnsupportedOperationException when f runs an op that has no double backward yet
     */
    public static JacobianVectorProduct jvp(Function<List<Tensor>, Tensor> f, List<Tensor> inputs,
                                            List<Tensor> vectors) {
        checkVectors("jvp", inputs, vectors);
        try (Scope scope = Scope.open(); Autograd.Guard on = Autograd.enableGrad()) {
            List<Tensor> at = leaves(inputs);
            Tensor y = f.apply(at);
            checkResult("jvp", inputs.get(0), y);
            Tensor product = y.requiresGrad() ? alongVectors(y, at, vectors) : null;
            return new JacobianVectorProduct(scope.keep(y.detach()),
                    scope.keep(product == null ? y.detach().fullLike(0) : product));
        }
    }

    /**
     * PyTorch's {@code vhp}: for each input k, {@code sum_j vectors[j] d^2 f / (d inputs[j] d inputs[k])}, the
     * vector-Hessian product of the one-element {@code f}; the same two passes as {@link #hvp}, whose result it is
     * wherever f's second derivatives are continuous (the Hessian then symmetric).
     *
     * @throws IllegalArgumentException as {@link #hvp}
     * @throws UnsupportedOperationException when f runs an op that has no double backward yet
     */
    public static List<Tensor> vhp(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, List<Tensor> vectors) {
        return hvp(f, inputs, vectors);
    }

    /** {@code f}'s value and its vector-Jacobian products, one per input, of {@link #vjp}; without graphs. */
    public record VectorJacobianProduct(Tensor output, List<Tensor> vjp) {
    }

    /** {@code f}'s value and its Jacobian-vector product, of its shape, of {@link #jvp}; without graphs. */
    public record JacobianVectorProduct(Tensor output, Tensor jvp) {
    }

    /** {@code sum_k J_k vectors[k]}, or null where the vector-Jacobian products do not depend on their stand-in. */
    private static Tensor alongVectors(Tensor y, List<Tensor> at, List<Tensor> vectors) {
        Tensor u = y.detach().fullLike(0).requiresGrad(true);
        List<Tensor> grads = Autograd.grad(List.of(y), at, List.of(u),
                GradOptions.DEFAULT.withCreateGraph().withAllowUnused());
        Tensor dot = null;
        for (int k = 0; k < at.size(); k++) {
            Tensor g = grads.get(k);
            if (g != null && g.requiresGrad()) {
                Tensor term = g.mul(vectors.get(k)).sum();
                dot = dot == null ? term : dot.add(term);
            }
        }
        if (dot == null) {
            return null;
        }
        return Autograd.grad(List.of(dot), List.of(u), null, GradOptions.DEFAULT.withAllowUnused()).get(0);
    }

    /** Leaves that share the inputs' values, recording gradients. */
    private static List<Tensor> leaves(List<Tensor> inputs) {
        List<Tensor> at = new ArrayList<>();
        for (Tensor in : inputs) {
            at.add(in.detach().requiresGrad(true));
        }
        return at;
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

    private static void checkInputs(String op, List<Tensor> inputs) {
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(op + ": needs at least one input, got "
                    + (inputs == null ? "null" : "none"));
        }
        for (Tensor in : inputs) {
            check(op, in);
            Checks.compatible(op, inputs.get(0), in);
        }
    }

    private static void checkCotangent(String op, Tensor y, Tensor v) {
        if (v == null) {
            throw new IllegalArgumentException(op + ": v is null; it must have the function's shape " + y.shape());
        }
        Checks.compatible(op, y, v);
        if (!v.shape().equals(y.shape())) {
            throw new IllegalArgumentException(op + ": v has shape " + v.shape() + ", the function's value has shape "
                    + y.shape() + "; they must be equal");
        }
    }

    private static void checkVectors(String op, List<Tensor> inputs, List<Tensor> vectors) {
        if (inputs == null || vectors == null || inputs.isEmpty() || inputs.size() != vectors.size()) {
            throw new IllegalArgumentException(op + ": needs one vector per input, at least one of each; got "
                    + (inputs == null ? "null" : inputs.size()) + " inputs and "
                    + (vectors == null ? "null" : vectors.size()) + " vectors");
        }
        for (int k = 0; k < inputs.size(); k++) {
            check(op, inputs.get(k));
            Checks.compatible(op, inputs.get(k), vectors.get(k));
            if (!inputs.get(k).shape().equals(vectors.get(k).shape())) {
                throw new IllegalArgumentException(op + ": vector " + k + " has shape " + vectors.get(k).shape()
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
