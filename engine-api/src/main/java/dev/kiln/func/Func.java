package dev.kiln.func;

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
 * take one or several argnums and record a graph as grad does, so {@code grad(jacrev(f))} composes.
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
     * PyTorch's {@code torch.func.jacrev(f, argnums)}: the Jacobian of {@code f(args)} with respect to tensor argument
     * {@code argnum} (negative from the end), shape {@code f.shape ++ args[argnum].shape}; for f returning a list of
     * tensors, a list of their Jacobians. One forward pass and one backward pass per element of f's value. The
     * Jacobian records a graph where f depends on a tensor that requires a gradient and gradients are recorded, so
     * {@code grad(jacrev(f))} and {@code jacrev(jacrev(f))} compose.
     *
     * @throws IllegalArgumentException (when called) for an argnum out of range, an argument that is no F32 or F64
     *     tensor, or f returning neither a tensor nor a non-empty list of them
     */
    public static Fn jacrev(Fn f, int argnum) {
        return new Jacobian(f, new int[] {argnum}, true, "jacrev");
    }

    /**
     * {@link #jacrev(Fn, int)} with respect to several arguments, PyTorch's {@code argnums=(0, 2)}: a list of
     * Jacobians, one per argnum (for f returning a list, a list of those per element of f's value).
     */
    public static Fn jacrev(Fn f, int[] argnums) {
        return new Jacobian(f, argnums, false, "jacrev");
    }

    /**
     * PyTorch's {@code torch.func.jacfwd(f, argnums)}: the same Jacobian as {@link #jacrev(Fn, int)}. Kiln has no
     * forward mode, so it is computed as jacrev's is, by backward passes: the Jacobian is the same matrix whichever
     * mode builds it, and forward mode emulated by double backward (a jvp per column) would cost more and need every
     * op of f to have a double backward.
     */
    public static Fn jacfwd(Fn f, int argnum) {
        return new Jacobian(f, new int[] {argnum}, true, "jacfwd");
    }

    /** {@link #jacfwd(Fn, int)} with respect to several arguments: a list of Jacobians, one per argnum. */
    public static Fn jacfwd(Fn f, int[] argnums) {
        return new Jacobian(f, argnums, false, "jacfwd");
    }

    /**
     * PyTorch's {@code torch.func.hessian(f, argnums)} of a one-element f: the Jacobian of {@link #grad}, shape
     * {@code args[argnum].shape} twice; a graph as {@link #jacrev(Fn, int)}'s. f's ops need a double backward.
     */
    public static Fn hessian(Fn f, int argnum) {
        return new Jacobian(new GradTransform(f, new int[] {argnum}, true, false, false), new int[] {argnum}, true,
                "hessian");
    }

    /**
     * {@link #hessian(Fn, int)} with respect to several arguments, PyTorch's nested tuples: element {@code [k][l]} of
     * the returned list of lists is {@code d^2 f / (d args[argnums[k]] d args[argnums[l]])}, shape
     * {@code args[argnums[k]].shape ++ args[argnums[l]].shape}.
     */
    public static Fn hessian(Fn f, int[] argnums) {
        return new Jacobian(new GradTransform(f, argnums, false, false, false), argnums, false, "hessian");
    }
}
