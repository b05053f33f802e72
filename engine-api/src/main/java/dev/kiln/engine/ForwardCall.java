package dev.kiln.engine;

import java.util.Arrays;

/**
 * Where a node of the autograd graph was recorded, kept only in anomaly detection ({@link Autograd#detectAnomaly}):
 * the op, the stack of the forward call that recorded it (null when the node was recorded outside the mode), and the
 * call of the node whose backward rule was running then (null outside a backward pass), as PyTorch's anomaly
 * metadata keeps a node's traceback and its parent. Holds no tensor, so a graph's memory is freed as without the mode.
 */
final class ForwardCall {
    private final String op;
    /** Its frames become StackTraceElements only if an error shows them. */
    private final Throwable stack;
    private final ForwardCall parent;

    private ForwardCall(String op, Throwable stack, ForwardCall parent) {
        this.op = op;
        this.stack = stack;
        this.parent = parent;
    }

    /** The current thread's call recording {@code op}, induced by {@code parent} (null for none). */
    static ForwardCall capture(String op, ForwardCall parent) {
        return new ForwardCall(op, new Throwable(), parent);
    }

    /** A node recorded outside the mode: its name alone, as a parent of what its backward rule records. */
    static ForwardCall unrecorded(String op) {
        return new ForwardCall(op, null, null);
    }

    /**
     * The traceback PyTorch prints for an error in this node's backward rule, as a throwable whose stack is the
     * forward call's, caused by the calls that induced it in turn (a node recorded by a backward pass that recorded
     * its graph is induced by the node whose rule was running).
     */
    Throwable traceback() {
        return traceback(true);
    }

    /** {@link #traceback()} as text, for the log. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (Throwable t = traceback(); t != null; t = t.getCause()) {
            text.append(text.length() == 0 ? "" : "\n\n").append(t.getMessage());
            for (StackTraceElement frame : t.getStackTrace()) {
                text.append("\n\tat ").append(frame);
            }
        }
        return text.toString();
    }

    private Throwable traceback(boolean failed) {
        String message;
        if (stack == null) {
            message = "Error detected in " + op + ". No forward pass information available. Enable detect anomaly"
                    + " during forward pass for more information.";
        } else if (failed) {
            message = "Error detected in " + op + ". Traceback of forward call that caused the error:";
        } else {
            message = "Previous calculation was induced by " + op + ". Traceback of forward call that induced the"
                    + " previous calculation:";
        }
        Throwable trace = new ForwardTrace(message, parent == null ? null : parent.traceback(false));
        trace.setStackTrace(stack == null ? new StackTraceElement[0] : userFrames(stack.getStackTrace()));
        return trace;
    }

    /** The frames below the engine's recording of the node (this class, Node, Tensor.record...). */
    private static StackTraceElement[] userFrames(StackTraceElement[] frames) {
        int first = 0;
        while (first < frames.length && isRecording(frames[first])) {
            first++;
        }
        return Arrays.copyOfRange(frames, first, frames.length);
    }

    private static boolean isRecording(StackTraceElement frame) {
        String cls = frame.getClassName();
        return cls.equals(ForwardCall.class.getName()) || cls.equals(AnomalyMode.class.getName())
                || cls.equals(Node.class.getName())
                || cls.equals(Tensor.class.getName()) && frame.getMethodName().startsWith("record");
    }

    /** The traceback of a forward call, attached to the error of a backward pass as a suppressed exception. */
    static final class ForwardTrace extends Throwable {
        private static final long serialVersionUID = 1L;

        ForwardTrace(String message, Throwable cause) {
            super(message, cause, false, true);
        }
    }
}
