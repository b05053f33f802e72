package dev.kiln.engine;

import java.util.function.Supplier;

/**
 * An op composed of other ops that records one node of its own: its forward steps run with gradients off and its
 * backward rule is composed of ops too. One node keeps the graph to what the rule reads, and the intermediates of
 * either pass are freed as soon as the pass ends, where a graph of the steps would keep them all until its scope
 * closed. In a backward pass that records its graph the rule's ops are recorded instead, so that the gradient can be
 * differentiated again, and what they make stays in the caller's scope: a {@link Gradient} closes nothing it made.
 */
final class Composite {
    private Composite() {
    }

    /**
     * The gradient of an op's one input, from the op's output and the output's gradient, in Tensor ops that close
     * nothing they made (a graph recorded from them may read it).
     */
    @FunctionalInterface
    interface Gradient {
        Tensor of(Tensor output, Tensor gradOutput);
    }

    /**
     * The result of {@code steps} on {@code input}, recorded as op {@code name} whose input gradient
     * {@code gradient} gives; a fresh tensor even where the steps change nothing or return a view of the input.
     */
    static Tensor op(String name, Tensor input, Supplier<Tensor> steps, Gradient gradient) {
        Tensor out = untracked(() -> {
            Tensor result = steps.get();
            return result.storage() == input.storage() ? result.copy() : result;
        });
        out.record(name, new Tensor[] {input}, Node.differentiable(g -> new Tensor[] {
                gradient(() -> gradient.of(out, g))}));
        return out;
    }

    /**
     * The gradient {@code steps} computes: in a backward pass that records its graph as it comes (recorded, and what
     * the steps made stays in the caller's scope), otherwise {@link #untracked}.
     */
    static Tensor gradient(Supplier<Tensor> steps) {
        return Node.createsGraph() ? steps.get() : untracked(steps);
    }

    /** {@link #gradient} for steps that compute several gradients, null where one is not wanted. */
    static Tensor[] gradients(Supplier<Tensor[]> steps) {
        if (Node.createsGraph()) {
            return steps.get();
        }
        try (Scope scope = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor[] grads = steps.get();
            for (Tensor grad : grads) {
                if (grad != null) {
                    scope.keep(grad);
                }
            }
            return grads;
        }
    }

    /** The result of {@code steps} run with gradients off; every other tensor they make is closed on the way out. */
    static Tensor untracked(Supplier<Tensor> steps) {
        try (Scope scope = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            return scope.keep(steps.get());
        }
    }

    /**
     * {@code steps}, composed of recorded ops, run as they are where a graph is recorded from {@code inputs} (null
     * entries allowed): their intermediates then live as long as the graph that reads them. Otherwise they run
     * {@link #untracked}, so that nothing but the result outlives the call.
     */
    static Tensor composed(Supplier<Tensor> steps, Tensor... inputs) {
        return Tensor.recordsFrom(inputs) ? steps.get() : untracked(steps);
    }
}
