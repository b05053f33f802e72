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

    Node(String op, Tensor[] inputs, Rule rule, boolean userFunction) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
        this.userFunction = userFunction;
    }
}
