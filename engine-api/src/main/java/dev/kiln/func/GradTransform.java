package dev.kiln.func;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link Func#grad} and {@link Func#gradAndValue}: f run on stand-ins for the argnums arguments' tensors, its
 * one-element value differentiated with respect to them by {@link Autograd#grad}. The callers' tensors and their
 * {@code grad()} are left alone.
 *
 * <p>The stand-in of a tensor that requires a gradient, while the caller records, is a recorded copy; any other is a
 * fresh leaf sharing its values. When the caller records and f's value (or aux) depends on a tensor of the caller's
 * that requires a gradient (an argument's, as under an enclosing {@code grad}, or one f captures, as a gradient
 * penalty's discriminator parameters), the pass records its own graph ({@code createGraph}), so the gradients are
 * differentiable functions of those tensors, as PyTorch's are: {@code grad(grad(f))}. Otherwise what f makes is
 * freed and the results carry no graph.
 */
final class GradTransform implements Fn {
    private final Fn f;
    private final int[] argnums;
    private final boolean single;
    private final boolean hasAux;
    private final boolean withValue;

    GradTransform(Fn f, int[] argnums, boolean single, boolean hasAux, boolean withValue) {
        if (f == null) {
            throw new IllegalArgumentException(name(withValue) + ": f is null");
        }
        this.f = f;
        this.argnums = Argnums.checked(name(withValue), argnums);
        this.single = single;
        this.hasAux = hasAux;
        this.withValue = withValue;
    }

    @Override
    public Object apply(Object... args) {
        int[] positions = Argnums.positions(name(withValue), argnums, args.length);
        boolean recording = Autograd.isEnabled();
        Scope scope = Scope.open();
        try (Autograd.Guard on = Autograd.enableGrad()) {
            Object[] inner = args.clone();
            List<Tensor> standIns = new ArrayList<>();
            for (int p : positions) {
                checkAllTensors(args[p]);
                inner[p] = Trees.mapTensors(args[p], t -> standIn(t, p, recording, standIns));
            }
            Object out = f.apply(inner);
            Object aux = hasAux ? part(out, 1) : null;
            Tensor value = scalar(hasAux ? part(out, 0) : out);
            boolean nested = recording && dependsOnCaller(value, aux, standIns);
            List<Tensor> grads = gradients(value, standIns, nested);
            Object result = result(args, positions, grads, value, aux, nested);
            return Trees.handOut(scope, result, nested);
        } finally {
            scope.close();
        }
    }

    /**
     * Whether the value or aux depends on a tensor of the caller's that requires a gradient: an argument's (reached
     * through its recorded stand-in) or one f captures. The gradients are then to be functions of it.
     */
    private static boolean dependsOnCaller(Tensor value, Object aux, List<Tensor> standIns) {
        List<Tensor> outputs = new ArrayList<>(Trees.tensors(aux));
        outputs.add(value);
        List<Tensor> fresh = new ArrayList<>();
        for (Tensor s : standIns) {
            if (s.isLeaf()) {
                fresh.add(s);
            }
        }
        return Autograd.dependsOnOtherThan(outputs, fresh);
    }

    /** The gradient of {@code value} with respect to each stand-in; zeros where it does not depend on one. */
    private static List<Tensor> gradients(Tensor value, List<Tensor> standIns, boolean nested) {
        if (standIns.isEmpty()) {
            return List.of();
        }
        GradOptions options = nested ? GradOptions.DEFAULT.withCreateGraph().withAllowUnused()
                : GradOptions.DEFAULT.withAllowUnused();
        List<Tensor> grads = value.requiresGrad() ? Autograd.grad(List.of(value), standIns, null, options) : null;
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < standIns.size(); k++) {
            Tensor g = grads == null ? null : grads.get(k);
            out.add(g == null ? standIns.get(k).detach().fullLike(0) : g);
        }
        return out;
    }

    /** The gradients in the argnums arguments' structure, with the value and aux where asked for. */
    private Object result(Object[] args, int[] positions, List<Tensor> grads, Tensor value, Object aux,
                          boolean nested) {
        var next = grads.iterator();
        List<Object> perArgument = new ArrayList<>();
        for (int p : positions) {
            perArgument.add(Trees.mapTensors(args[p], t -> next.next()));
        }
        Object grad = single ? perArgument.get(0) : List.copyOf(perArgument);
        Object auxOut = aux == null || nested ? aux : Trees.mapTensors(aux, Tensor::detach);
        if (withValue) {
            return new GradAndValue(grad, nested ? value : value.detach(), auxOut);
        }
        return hasAux ? new GradAndAux(grad, auxOut) : grad;
    }

    /**
     * What f sees for the caller's tensor {@code t}: a recorded copy when t requires a gradient and the caller records
     * a graph (so gradients flow back to t), else a fresh leaf sharing t's values.
     */
    private Tensor standIn(Tensor t, int argument, boolean recording, List<Tensor> standIns) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(name(withValue) + "(f, argnums=" + Arrays.toString(argnums)
                    + ")(*args): argument " + argument + " holds a " + t.dtype() + " tensor " + t.shape()
                    + "; only F32 or F64 tensors can be differentiated");
        }
        Tensor s = recording && t.requiresGrad() ? t.clone() : t.detach().requiresGrad(true);
        standIns.add(s);
        return s;
    }

    /** A differentiated argument's leaves must all be tensors: any other would be returned as its own "gradient". */
    private void checkAllTensors(Object arg) {
        for (Object leaf : Trees.leaves(arg)) {
            if (!(leaf instanceof Tensor)) {
                throw new IllegalArgumentException(name(withValue) + "(f, argnums=" + Arrays.toString(argnums)
                        + ")(*args): Thing passed to transform API must be Tensor, got " + Trees.kind(leaf));
            }
        }
    }

    private Object part(Object out, int i) {
        if (!(out instanceof List<?> pair) || pair.size() != 2) {
            throw new IllegalArgumentException(name(withValue) + "(f)(*args): output of function f should be a tuple:"
                    + " (output, aux) if has_aux is True (a List of two), got " + Trees.kind(out));
        }
        return pair.get(i);
    }

    private Tensor scalar(Object out) {
        if (!(out instanceof Tensor t)) {
            throw new IllegalArgumentException(name(withValue) + "(f)(*args): Expected f(*args) to return a Tensor, got "
                    + Trees.kind(out));
        }
        if (t.size() != 1) {
            throw new IllegalArgumentException(name(withValue) + "(f)(*args): Expected f(*args) to return a scalar"
                    + " Tensor, got tensor of shape " + t.shape() + ". Maybe you wanted to use the vjp or jacrev APIs"
                    + " instead?");
        }
        return t;
    }

    private static String name(boolean withValue) {
        return withValue ? "grad_and_value" : "grad";
    }
}
