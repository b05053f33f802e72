package dev.kiln.engine;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state and checks of anomaly detection ({@link Autograd#detectAnomaly}), PyTorch 1.13's {@code AnomalyMode}: one
 * switch for the whole process, as there, read once per recorded node and once per node a backward pass runs, which
 * costs nothing measurable while it is off.
 */
final class AnomalyMode {
    private static final Logger LOG = LoggerFactory.getLogger(AnomalyMode.class);

    private static volatile boolean enabled;
    private static volatile boolean checkNan = true;
    /** The call of the node whose backward rule runs on this thread: the parent of the nodes that rule records. */
    private static final ThreadLocal<ForwardCall> EVALUATING = new ThreadLocal<>();

    private AnomalyMode() {
    }

    static boolean isEnabled() {
        return enabled;
    }

    static boolean checksNan() {
        return checkNan;
    }

    /** Sets both flags until the returned guard closes, which restores the previous ones. */
    static Autograd.Guard set(boolean mode, boolean nanChecks) {
        boolean previous = enabled;
        boolean previousCheckNan = checkNan;
        enabled = mode;
        checkNan = nanChecks;
        return () -> {
            enabled = previous;
            checkNan = previousCheckNan;
        };
    }

    /** PyTorch's detect_anomaly(): on, with the warning it gives each time. */
    static Autograd.Guard enable(boolean nanChecks) {
        LOG.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled"
                + " for debugging.");
        return set(true, nanChecks);
    }

    /** Where a node of {@code op} is being recorded, or null while the mode is off (the node then keeps nothing). */
    static ForwardCall forwardCall(String op) {
        return enabled ? ForwardCall.capture(op, EVALUATING.get()) : null;
    }

    /**
     * Runs {@code node}'s backward {@code rule} with the node as the parent of whatever it records, and checks what it
     * returns for NaN when the mode checks NaN; an error escaping it is logged with the traceback of the node's
     * forward call, which it carries as a suppressed exception (once: a checkpoint's rule passes on its inner node's).
     */
    static Tensor[] evaluate(Node node, Supplier<Tensor[]> rule) {
        ForwardCall call = node.forwardCall != null ? node.forwardCall : ForwardCall.unrecorded(node.op);
        ForwardCall outer = EVALUATING.get();
        EVALUATING.set(call);
        try {
            Tensor[] gradients = rule.get();
            if (checkNan) {
                refuseNan(node, gradients);
            }
            return gradients;
        } catch (RuntimeException e) {
            if (!carriesTraceback(e)) {
                Throwable traceback = call.traceback();
                LOG.warn(call.describe());
                e.addSuppressed(traceback);
            }
            throw e;
        } finally {
            EVALUATING.set(outer);
        }
    }

    /**
     * PyTorch's check after each backward function: NaN (not infinity) in a gradient handed to an input that requires
     * one. Reads one flag per gradient back to the host, which waits for a device's queued work.
     */
    private static void refuseNan(Node node, Tensor[] gradients) {
        for (int k = 0; k < gradients.length; k++) {
            Tensor in = node.inputs[k];
            Tensor g = gradients[k];
            if (g != null && in != null && in.requiresGrad() && hasNan(g)) {
                throw new ArithmeticException("backward (" + node.op + ") returned nan values in its " + k
                        + "th output, the gradient of its input " + k + " " + in.shape() + " " + in.dtype()
                        + " (anomaly detection; Autograd.setDetectAnomaly(true, false) checks no NaN)");
            }
        }
    }

    private static boolean hasNan(Tensor g) {
        if (!g.dtype().isFloating()) {
            return false;
        }
        try (Scope scope = Scope.open(); Autograd.Guard noGrad = Autograd.noGrad()) {
            return g.isnan().any().item() != 0;
        }
    }

    private static boolean carriesTraceback(Throwable e) {
        for (Throwable s : e.getSuppressed()) {
            if (s instanceof ForwardCall.ForwardTrace) {
                return true;
            }
        }
        return false;
    }
}
