package dev.kiln.func;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Func#jacrev}, {@link Func#jacfwd} and {@link Func#hessian}: the Jacobian of f's tensor result (or of each
 * tensor of a list result) with respect to each argnums argument, {@code J[o][k]} of shape
 * {@code out[o].shape ++ args[k].shape}, by one forward pass and one backward pass per element of the results.
 *
 * <p>As {@link GradTransform}: f runs on stand-ins (a recorded copy of an argument that requires a gradient while the
 * caller records, else a fresh leaf), and when the caller records and f's result depends on a tensor of the caller's
 * that requires a gradient, the backward passes record their own graph, so the Jacobians are differentiable functions
 * of it: {@code grad(jacrev(f))}, {@code jacrev(jacrev(f))}. Otherwise what f makes is freed and they carry no graph.
 */
final class Jacobian implements Fn {
    private final Fn f;
    private final int[] argnums;
    private final boolean single;
    private final String op;

    Jacobian(Fn f, int[] argnums, boolean single, String op) {
        if (f == null) {
            throw new IllegalArgumentException(op + ": f is null");
        }
        this.f = f;
        this.argnums = Argnums.checked(op, argnums);
        this.single = single;
        this.op = op;
    }

    /**
     * The Jacobians: for a tensor result one per argnum (the tensor itself for a single argnum), for a list result a
     * list of those, one per element.
     */
    @Override
    public Object apply(Object... args) {
        int[] positions = Argnums.positions(op, argnums, args.length);
        boolean recording = Autograd.isEnabled();
        Scope scope = Scope.open();
        try (Autograd.Guard on = Autograd.enableGrad()) {
            Object[] inner = args.clone();
            List<Tensor> standIns = new ArrayList<>();
            List<Tensor> fresh = new ArrayList<>();
            for (int p : positions) {
                Tensor t = tensorArgument(args, p);
                Tensor s = recording && t.requiresGrad() ? t.clone() : t.detach().requiresGrad(true);
                if (s.isLeaf()) {
                    fresh.add(s);
                }
                standIns.add(s);
                inner[p] = s;
            }
            Object out = f.apply(inner);
            List<Tensor> outputs = outputs(out);
            boolean nested = recording && Autograd.dependsOnOtherThan(outputs, fresh);
            List<Object> perOutput = new ArrayList<>();
            for (Tensor y : outputs) {
                List<Tensor> jacobians = jacobians(y, standIns, nested);
                perOutput.add(single ? jacobians.get(0) : List.copyOf(jacobians));
            }
            Object result = out instanceof Tensor ? perOutput.get(0) : List.copyOf(perOutput);
            return Trees.handOut(scope, result, nested);
        } finally {
            scope.close();
        }
    }

    /** d y / d each stand-in, shape {@code y.shape ++ standIn.shape}: one backward pass per element of y. */
    private static List<Tensor> jacobians(Tensor y, List<Tensor> standIns, boolean nested) {
        GradOptions options = nested ? GradOptions.DEFAULT.withCreateGraph().withAllowUnused()
                : GradOptions.DEFAULT.withAllowUnused();
        List<List<Tensor>> rows = new ArrayList<>();
        standIns.forEach(s -> rows.add(new ArrayList<>()));
        for (long i = 0; i < y.size(); i++) {
            List<Tensor> grads = y.requiresGrad()
                    ? Autograd.grad(List.of(y), standIns, List.of(unit(y, i)), options) : null;
            for (int k = 0; k < standIns.size(); k++) {
                Tensor g = grads == null ? null : grads.get(k);
                rows.get(k).add((g == null ? standIns.get(k).detach().fullLike(0) : g).reshape(-1));
            }
        }
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < standIns.size(); k++) {
            Tensor x = standIns.get(k);
            int[] dims = new int[y.rank() + x.rank()];
            System.arraycopy(y.shape().dims(), 0, dims, 0, y.rank());
            System.arraycopy(x.shape().dims(), 0, dims, y.rank(), x.rank());
            out.add(y.size() == 0 ? x.detach().fullLike(0, Shape.of(dims))
                    : Tensor.stack(rows.get(k), 0).reshape(dims));
        }
        return out;
    }

    private Tensor tensorArgument(Object[] args, int p) {
        if (!(args[p] instanceof Tensor t)) {
            throw new IllegalArgumentException(op + ": argument " + p + " must be a Tensor, got " + Trees.kind(args[p]));
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": argument " + p + " holds a " + t.dtype() + " tensor " + t.shape()
                    + "; only F32 or F64 tensors can be differentiated");
        }
        return t;
    }

    /** f's result as a list of tensors: the tensor itself, or each element of a list of tensors. */
    private List<Tensor> outputs(Object out) {
        if (out instanceof Tensor t) {
            return List.of(t);
        }
        if (out instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(o -> o instanceof Tensor)) {
            List<Tensor> tensors = new ArrayList<>();
            list.forEach(o -> tensors.add((Tensor) o));
            return tensors;
        }
        throw new IllegalArgumentException(op + ": Expected f to return a Tensor or a non-empty List of Tensors, got "
                + Trees.kind(out));
    }

    /** Zeros of y's shape, dtype and backend with a 1 at flat index {@code i}. */
    private static Tensor unit(Tensor y, long i) {
        double[] values = new double[(int) y.size()];
        values[(int) i] = 1;
        return Tensor.fromArray(values, y.shape().dims()).to(y.dtype()).to(y.backend());
    }
}
