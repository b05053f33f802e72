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

    final String op;
    final Tensor[] inputs;
    final Rule rule;
    /** Recorded by a user's {@link Function}, which may keep the gradients it sees. */
    final boolean userFunction;
    /** Each input's storage version when the op ran (0 for a null input). */
    private final int[] versions;
    /** The output's storage version when the op was recorded: rules such as exp's and softmax's read the output. */
    private final int outputVersion;

    Node(String op, Tensor[] inputs, Rule rule, boolean userFunction, Tensor output) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
        this.userFunction = userFunction;
        this.outputVersion = output.storageVersion();
        this.versions = new int[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            versions[k] = inputs[k] == null ? 0 : inputs[k].storageVersion();
        }
    }

    /**
     * Refuses a backward pass through this op when an input its rule may read is closed or was written in place
     * since the op ran, or when its {@code output} was written in place since: the rule would read freed memory or
     * other values, and give wrong gradients silently.
     */
    void checkReadable(Tensor output) {
        if (output.storageVersion() != outputVersion) {
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
            if (in.storageVersion() != versions[k]) {
                throw new IllegalStateException("backward (" + op + "): its input " + k + " " + in.shape() + " "
                        + in.dtype() + " was written in place (assign, addInPlace, copyFrom or an optimizer step) after"
                        + " the op read it; the backward pass needs the values the op saw. Write it after backward(),"
                        + " or compute the op from a copy");
            }
        }
    }
}
