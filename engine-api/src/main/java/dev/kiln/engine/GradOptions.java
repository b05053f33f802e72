package dev.kiln.engine;

/**
 * How {@link Autograd#grad} runs, PyTorch's {@code create_graph} and {@code allow_unused}: {@code createGraph} records
 * the backward pass as a graph of its own, so that the gradients it returns can be differentiated again (a
 * Hessian-vector product, a gradient penalty); {@code allowUnused} answers null for an input the outputs do not depend
 * on, where it is refused otherwise.
 * <pre>{@code
 * List<Tensor> g = Autograd.grad(loss, List.of(x), GradOptions.DEFAULT.withCreateGraph());
 * }</pre>
 */
public record GradOptions(boolean createGraph, boolean allowUnused) {
    /** Neither, as PyTorch's defaults. */
    public static final GradOptions DEFAULT = new GradOptions(false, false);

    /** These options, recording the backward pass as a graph. */
    public GradOptions withCreateGraph() {
        return new GradOptions(true, allowUnused);
    }

    /** These options, giving null for an input the outputs do not depend on. */
    public GradOptions withAllowUnused() {
        return new GradOptions(createGraph, true);
    }
}
