package dev.kiln.engine;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
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
    /**
     * The settings of the guards still open, oldest first; the newest holds. Guards of several threads close in any
     * order, so each closing takes out its own setting, where restoring the flags it found would undo a guard opened
     * after it and still open, and could leave the mode on for good. A guard never closed (PyTorch's
     * {@code set_detect_anomaly(mode)} called as a function) keeps its setting here for good; once its guard is
     * collected, the settings of collected guards below it, which can neither close nor hold again, are dropped, so
     * that calling it so in a loop piles nothing up.
     */
    private static final List<Setting> OPEN = new ArrayList<>();
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

    /**
     * Sets both flags until the returned guard closes, which gives back those of the newest guard still open (the
     * previous ones, when guards close innermost first), or the defaults when none is.
     */
    static Autograd.Guard set(boolean mode, boolean nanChecks) {
        Setting setting = new Setting(mode, nanChecks);
        Autograd.Guard guard = () -> {
            synchronized (OPEN) {
                if (OPEN.remove(setting)) {
                    apply();
                }
            }
        };
        setting.guard = new WeakReference<>(guard);
        synchronized (OPEN) {
            forgetHidden();
            OPEN.add(setting);
            apply();
        }
        return guard;
    }

    /**
     * Drops the settings of guards collected unclosed below the newest such one: it never closes, so none of them
     * can be the newest again, and they cannot close either.
     */
    private static void forgetHidden() {
        int newestDropped = OPEN.size() - 1;
        while (newestDropped >= 0 && !OPEN.get(newestDropped).dropped()) {
            newestDropped--;
        }
        for (int i = newestDropped - 1; i >= 0; i--) {
            if (OPEN.get(i).dropped()) {
                OPEN.remove(i);
            }
        }
    }

    /** How many settings are kept: of the guards open, and of those dropped unclosed that may hold again. */
    static int openSettings() {
        synchronized (OPEN) {
            return OPEN.size();
        }
    }

    /** The flags of the newest open guard, or off with NaN checks (PyTorch's defaults). */
    private static void apply() {
        Setting newest = OPEN.isEmpty() ? null : OPEN.get(OPEN.size() - 1);
        enabled = newest != null && newest.mode;
        checkNan = newest == null || newest.nanChecks;
    }

    /**
     * One guard's flags and the guard, held weakly so that a guard dropped unclosed can be told; a class, not a
     * record, as guards with equal flags are still distinct.
     */
    private static final class Setting {
        private final boolean mode;
        private final boolean nanChecks;
        private WeakReference<Autograd.Guard> guard;

        Setting(boolean mode, boolean nanChecks) {
            this.mode = mode;
            this.nanChecks = nanChecks;
        }

        /** Whether its guard was collected without being closed: it can no longer close. */
        boolean dropped() {
            return guard.get() == null;
        }
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
