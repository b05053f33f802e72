package dev.kiln.func;

import dev.kiln.engine.AutogradFunctional;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch 2's {@code torch.func} (1.13's {@code functorch}): function transforms that compose.
 * <pre>{@code
 * // per-sample gradients, PyTorch's tutorial: params (detached copies of the model's) unmapped, one sample and
 * // target per slice
 * Fn loss = a -> ce.compute(model.functionalCall((Map<String, Tensor>) a[0], ((Tensor) a[1]).unsqueeze(0)),
 *                           ((Tensor) a[2]).unsqueeze(0));
 * Map<String, Tensor> perSample = (Map<String, Tensor>) Func.vmap(Func.grad(loss), Func.dims(null, 0, 0), Func.dims(0))
 *         .apply(params, x, y);     // each [64, ...parameter shape]
 * }</pre>
 * {@link #vmap} runs f once per slice and stacks the results (Kiln has no batching rules; PyTorch does the same for
 * ops without one), so it equals the loop exactly and is no faster than it. {@link #grad} differentiates by
 * {@link dev.kiln.engine.Autograd#grad}, recording a graph where f depends on a tensor that requires a gradient (an
 * argument, or one f captures), so
 * {@code grad(grad(f))} and {@code vmap(grad(f))} work (pass detached parameters, as the tutorial does, or every
 * sample's gradient records a graph back to the model's own). {@link #jacrev}, {@link #jacfwd} and {@link #hessian}
 * are {@link AutogradFunctional}'s, without a graph in their results.
 */
public final class Func {
    private Func() {
    }

    /** An in-dims or out-dims array, {@code dims(null, 0, 0)}: null for an argument passed whole (PyTorch's None). */
    public static Integer[] dims(Integer... dims) {
        return dims == null ? new Integer[] {null} : dims.clone();
    }

    /** {@code vmap(f, inDims=0, outDims=0)}: every argument mapped along its dimension 0. */
    public static Vmap vmap(Fn f) {
        return new Vmap(f, null, dims(0), null, Randomness.ERROR);
    }

    /**
     * PyTorch's {@code torch.func.vmap(f, in_dims, out_dims)} (see {@link Vmap}); {@link Vmap#chunkSize} and
     * {@link Vmap#randomness} set the others.
     *
     * @param inDims one per argument: the dimension to map it along (negative from the end), or null to pass it whole
     * @param outDims one for every result, or one per element of a list result: where the batch dimension goes
     */
    public static Vmap vmap(Fn f, Integer[] inDims, Integer[] outDims) {
        if (inDims == null) {
            throw new IllegalArgumentException("vmap: inDims is null; give one entry per argument (null for one not"
                    + " mapped), or use vmap(f) to map every argument along dimension 0");
        }
        return new Vmap(f, inDims, outDims, null, Randomness.ERROR);
    }

    /** {@code grad(f, argnums=0)}. */
    public static Fn grad(Fn f) {
        return grad(f, 0, false);
    }

    /**
     * PyTorch's {@code torch.func.grad(f, argnums, has_aux)}: a function returning the gradient of f's one-element
     * value with respect to argument {@code argnum} (a tensor, or a list, map or record of them: the gradient has its
     * structure and shapes). With {@code hasAux}, f returns {@code List.of(value, aux)} and the function a
     * {@link GradAndAux}. The caller's tensors' {@code grad()} are untouched.
     *
     * @throws IllegalArgumentException (when called) for f returning no one-element tensor, an argnum out of range, or
     *     an integer tensor to differentiate
     */
    public static Fn grad(Fn f, int argnum, boolean hasAux) {
        return new GradTransform(f, new int[] {argnum}, true, hasAux, false);
    }

    /** {@link #grad(Fn, int, boolean)} with respect to several arguments: a list of gradients, one per argnum. */
    public static Fn grad(Fn f, int[] argnums, boolean hasAux) {
        return new GradTransform(f, argnums, false, hasAux, false);
    }

    /** {@code grad_and_value(f, argnums=0)}. */
    public static Fn gradAndValue(Fn f) {
        return gradAndValue(f, 0, false);
    }

    /**
     * PyTorch's {@code torch.func.grad_and_value(f, argnums, has_aux)}: as {@link #grad(Fn, int, boolean)}, returning a
     * {@link GradAndValue} with f's value (and aux) too.
     */
    public static Fn gradAndValue(Fn f, int argnum, boolean hasAux) {
        return new GradTransform(f, new int[] {argnum}, true, hasAux, true);
    }

    /** {@link #gradAndValue(Fn, int, boolean)} with respect to several arguments: a list of gradients, one per argnum. */
    public static Fn gradAndValue(Fn f, int[] argnums, boolean hasAux) {
        return new GradTransform(f, argnums, false, hasAux, true);
    }

    /**
     * PyTorch's {@code torch.func.jacrev(f, argnums)} for a tensor argument and a tensor result: the Jacobian of
     * {@code f(args)} with respect to {@code args[argnum]}, shape {@code f.shape ++ args[argnum].shape}, by one
     * backward pass per element of f's value ({@link AutogradFunctional#jacobian}); without a graph.
     */
    public static Fn jacrev(Fn f, int argnum) {
        return args -> AutogradFunctional.jacobian(x -> call(f, args, argnum, x, "jacrev"),
                argument(args, argnum, "jacrev"));
    }

    /**
     * PyTorch's {@code torch.func.jacfwd(f, argnums)}: the Jacobian as {@link #jacrev}'s, built column by column from
     * Jacobian-vector products with the unit vectors ({@link AutogradFunctional#jvp}, which Kiln computes by two
     * backward passes, having no forward mode: f's ops need a double backward); without a graph.
     */
    public static Fn jacfwd(Fn f, int argnum) {
        return args -> {
            Tensor x = argument(args, argnum, "jacfwd");
            if (x.size() == 0) {
                return jacrev(f, argnum).apply(args);
            }
            List<Tensor> columns = new ArrayList<>();
            Tensor y = null;
            for (long j = 0; j < x.size(); j++) {
                var product = AutogradFunctional.jvp(in -> call(f, args, argnum, in.get(0), "jacfwd"), List.of(x),
                        List.of(unit(x, j)));
                y = product.output();
                columns.add(product.jvp().reshape(-1));
            }
            int[] dims = new int[y.rank() + x.rank()];
            System.arraycopy(y.shape().dims(), 0, dims, 0, y.rank());
            System.arraycopy(x.shape().dims(), 0, dims, y.rank(), x.rank());
            return Tensor.stack(columns, 1).reshape(dims);
        };
    }

    /**
     * PyTorch's {@code torch.func.hessian(f, argnums)} of a one-element f: shape {@code args[argnum].shape} twice
     * ({@link AutogradFunctional#hessian}); without a graph.
     */
    public static Fn hessian(Fn f, int argnum) {
        return args -> AutogradFunctional.hessian(x -> call(f, args, argnum, x, "hessian"),
                argument(args, argnum, "hessian"));
    }

    /** The tensor that is argument {@code argnum}. */
    private static Tensor argument(Object[] args, int argnum, String op) {
        if (argnum < 0 || argnum >= args.length) {
            throw new IllegalArgumentException(op + ": Got argnums=" + argnum + " but only " + args.length
                    + " positional inputs");
        }
        if (!(args[argnum] instanceof Tensor t)) {
            throw new IllegalArgumentException(op + ": argument " + argnum + " must be a Tensor, got "
                    + Trees.kind(args[argnum]));
        }
        return t;
    }

    /** f with argument {@code argnum} replaced by {@code x}; its result must be a tensor. */
    private static Tensor call(Fn f, Object[] args, int argnum, Tensor x, String op) {
        Object[] with = args.clone();
        with[argnum] = x;
        Object out = f.apply(with);
        if (!(out instanceof Tensor t)) {
            throw new IllegalArgumentException(op + ": f must return a Tensor, got " + Trees.kind(out));
        }
        return t;
    }

    /** Zeros of x's shape with a 1 at flat index {@code j}. */
    private static Tensor unit(Tensor x, long j) {
        double[] values = new double[(int) x.size()];
        values[(int) j] = 1;
        return Tensor.fromArray(values, x.shape().dims()).to(x.dtype()).to(x.backend());
    }
}
