package dev.kiln.engine;

/**
 * One recorded operation of the autograd graph: its inputs and the rule that turns the gradient of its
 * output into gradients of its inputs.
 */
final class Node {
    /** Computes input gradients (null where an input needs none) from the output gradient. */
    @FunctionalInterface
    interface Rule {
        Tensor[] backward(Tensor gradOutput);
    }

    /**
     * A rule that computes with recorded Tensor ops whenever {@link #createsGraph()}, so that a backward pass that
     * records its own graph ({@link Autograd#grad} with {@code createGraph}) can differentiate what it returns
     * again. A rule that calls backend kernels directly records nothing: its second derivative would be silently
     * zero, so such a pass refuses it ({@link #checkDifferentiable}).
     */
    @FunctionalInterface
    interface DifferentiableRule extends Rule {
    }

    /** Marks {@code rule} as a {@link DifferentiableRule}; the same object, so the ordinary pass pays nothing. */
    static DifferentiableRule differentiable(DifferentiableRule rule) {
        return rule;
    }

    /**
     * True while a rule runs in a backward pass that records its own graph ({@link Autograd#grad} with
     * {@code createGraph}), where gradients are on: a {@link DifferentiableRule} then computes with recorded ops
     * instead of its fused kernels, and keeps every tensor the new graph reads. False in an ordinary backward pass,
     * which runs with gradients off.
     */
    static boolean createsGraph() {
        return Autograd.isEnabled();
    }

    final String op;
    final Tensor[] inputs;
    final Rule rule;
    /** Recorded by a user's {@link Function}, which may keep the gradients it sees. */
    final boolean userFunction;
    /** Each input's storage version when the op ran (0 for a null input). */
    private final int[] versions;
    /** The output's storage version when the op was recorded: rules such as exp's and softmax's read the output. */
    private final int outputVersion;
    /** Where the op was recorded, in anomaly detection ({@link Autograd#detectAnomaly}); null outside it. */
    final ForwardCall forwardCall;

    Node(String op, Tensor[] inputs, Rule rule, boolean userFunction, Tensor output) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
        this.userFunction = userFunction;
        this.outputVersion = output.version();
        this.forwardCall = AnomalyMode.forwardCall(op);
        this.versions = new int[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            versions[k] = inputs[k] == null ? 0 : inputs[k].version();
        }
    }

    /**
     * Refuses a backward pass that records its own graph through this op when its rule is not a
     * {@link DifferentiableRule}, naming the op: its second derivative would be silently zero.
     */
    void checkDifferentiable() {
        if (!(rule instanceof DifferentiableRule)) {
            throw new UnsupportedOperationException("Autograd.grad with createGraph: double backward through " + op
                    + " is not supported yet; its backward rule runs kernels that record no graph, so the gradient it"
                    + " gives could not be differentiated again");
        }
    }

    /**
     * Refuses a backward pass through this op when an input its rule may read is closed or was written in place
     * since the op ran, or when its {@code output} was written in place since: the rule would read freed memory or
     * other values, and give wrong gradients silently.
     */
    void checkReadable(Tensor output) {
        if (output.version() != outputVersion) {
            throw new IllegalStateException("backward (" + op + "): its output " + output.shape() + " " + output.dtype()
                    + " was written in place (through detach() or a view) after the op; the backward pass needs the"
                    + " values the op wrote. Write into a copy instead");
        }
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            if (in == null) {
                continue;
            }
            if (in.isClosed()) {
                throw new IllegalStateException("backward (" + op + "): its input " + k + " " + in.shape() + " "
                        + in.dtype() + " was closed before the backward pass, which reads it; close it after backward()");
            }
            if (in.version() != versions[k]) {
                throw new IllegalStateException("backward (" + op + "): its input " + k + " " + in.shape() + " "
                        + in.dtype() + " was written in place (assign, addInPlace, copyFrom or an optimizer step) after"
                        + " the op read it; the backward pass needs the values the op saw. Write it after backward(),"
                        + " or compute the op from a copy");
            }
        }
    }
}
