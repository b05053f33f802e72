package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Switches gradient recording for the current thread, and computes gradients without touching any tensor's
 * {@link Tensor#grad()} ({@link #grad}, PyTorch's {@code torch.autograd.grad}), also as a graph of their own for
 * derivatives of higher order.
 */
public final class Autograd {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private Autograd() {
    }

    /** True when new ops record a graph. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /**
     * Whether the graph of any of {@code outputs} reaches a tensor that requires a gradient other than
     * {@code inputs}, not looking past those: a transform that differentiates with respect to {@code inputs}
     * ({@code dev.kiln.func}'s grad) learns whether its result must also be a function of tensors recorded outside
     * it, which a function it runs may capture.
     */
    public static boolean dependsOnOtherThan(List<Tensor> outputs, List<Tensor> inputs) {
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(inputs);
        List<Tensor> pending = new ArrayList<>(outputs);
        while (!pending.isEmpty()) {
            Tensor t = pending.remove(pending.size() - 1);
            if (t == null || !t.requiresGrad() || !seen.add(t)) {
                continue;
            }
            if (t.gradFn() == null) {
                return true;
            }
            pending.addAll(Arrays.asList(t.gradFn().inputs));
        }
        return false;
    }

    /**
     * Stops recording until the returned guard closes: {@code try (var g = Autograd.noGrad()) { ... }}.
     */
    public static Guard noGrad() {
        return setEnabled(false);
    }

    /**
     * Records until the returned guard closes, also inside {@link #noGrad()}: PyTorch's {@code torch.enable_grad()},
     * for a computation that needs gradients wherever it is called from (Grad-CAM during an evaluation).
     */
    public static Guard enableGrad() {
        return setEnabled(true);
    }

    /**
     * Records ({@code true}) or stops recording until the returned guard closes: for the engine's own passes that
     * record inside a backward pass, such as a {@link Checkpoint}'s recomputation.
     */
    static Guard setEnabled(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /** {@link #grad(List, List, List, GradOptions)} of a one-element output, with the default options. */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        return grad(output, inputs, GradOptions.DEFAULT);
    }

    /** {@link #grad(List, List, List, GradOptions)} of a one-element output. */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, GradOptions options) {
        if (output == null) {
            throw new IllegalArgumentException("Autograd.grad: output is null");
        }
        return grad(List.of(output), inputs, null, options);
    }

    /**
     * PyTorch's {@code torch.autograd.grad}: the gradient of {@code sum_i <outputs[i], gradOutputs[i]>} with respect
     * to each of {@code inputs} (leaves or tensors made by ops, each of its own shape), in their order, computed by a
     * backward pass that runs only the nodes through which an input is reached and leaves every {@link Tensor#grad()}
     * alone. Hooks ({@link Tensor#registerHook}) run as in {@link Tensor#backward(Tensor)}. The gradients are new
     * tensors of the current scope (or an output's gradient itself, for an input that is that output). With
     * {@link GradOptions#createGraph()} the pass records its own graph, so that the gradients require one where they
     * depend on a tensor that does and can be differentiated again; it keeps every tensor that graph reads, in the
     * current scope. Whole recurrent sequences ({@link F#lstmSequence}, {@link F#gruSequence},
     * {@link F#rnnSequence}) and {@link Checkpoint}s recompute their forward pass in recorded ops there. Such a pass
     * refuses an op whose rule has no double backward (UnsupportedOperationException naming the op).
     *
     * @param gradOutputs null, or one gradient per output of its shape, where null stands for ones and needs a
     *     one-element output (PyTorch's implicit gradient)
     * @return one gradient per input; null for one the outputs do not depend on, with
     *     {@link GradOptions#allowUnused()}
     * @throws IllegalArgumentException for no outputs or inputs, an output or input that does not require a gradient,
     *     a gradOutput of another shape, dtype or backend, a missing gradOutput of an output of more than one element,
     *     or an input the outputs do not depend on (without allowUnused)
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    GradOptions options) {
        checkGrad(outputs, inputs, gradOutputs, options);
        List<Tensor> seeds = new ArrayList<>();
        List<Tensor> implicit = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            Tensor given = gradOutputs == null ? null : gradOutputs.get(i);
            Tensor seed = given != null ? given : outputs.get(i).fullLike(1);
            if (given == null) {
                implicit.add(seed);
            }
            seeds.add(seed);
        }
        Set<Tensor> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        targets.addAll(inputs);
        Map<Tensor, Tensor> arrived = BackwardPass.gradients(outputs, seeds, targets, options.createGraph());
        Tensor[] result = new Tensor[inputs.size()];
        for (int j = 0; j < result.length; j++) {
            result[j] = arrived.get(inputs.get(j));
            if (result[j] == null && !options.allowUnused()) {
                throw new IllegalArgumentException("Autograd.grad: input " + j + " " + inputs.get(j).shape()
                        + " is not used to compute the outputs, so it has no gradient; pass"
                        + " GradOptions.withAllowUnused() to get null for it");
            }
        }
        if (!options.createGraph()) {
            // Without a new graph nothing reads the ones made for implicit gradients, but a gradient returned may be one.
            implicit.removeIf(seed -> arrived.containsValue(seed));
            implicit.forEach(Tensor::close);
        }
        return Collections.unmodifiableList(Arrays.asList(result));
    }

    private static void checkGrad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                  GradOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("Autograd.grad: options are null; use GradOptions.DEFAULT");
        }
        if (outputs == null || outputs.isEmpty() || inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("Autograd.grad: needs at least one output and one input, got "
                    + outputs + " and " + inputs);
        }
        if (gradOutputs != null && gradOutputs.size() != outputs.size()) {
            throw new IllegalArgumentException("Autograd.grad: " + gradOutputs.size() + " gradOutputs for "
                    + outputs.size() + " outputs; give one per output (null for ones), or none");
        }
        for (int i = 0; i < outputs.size(); i++) {
            Tensor out = outputs.get(i);
            if (out == null) {
                throw new IllegalArgumentException("Autograd.grad: output " + i + " is null");
            }
            Checks.open("Autograd.grad", out);
            if (!out.requiresGrad()) {
                throw new IllegalArgumentException("Autograd.grad: output " + i + " " + out.shape() + " does not require"
                        + " a gradient and has no graph (was it made under Autograd.noGrad(), or from tensors without"
                        + " requiresGrad(true)?)");
            }
            checkGradOutput(i, out, gradOutputs == null ? null : gradOutputs.get(i));
        }
        for (int j = 0; j < inputs.size(); j++) {
            Tensor in = inputs.get(j);
            if (in == null) {
                throw new IllegalArgumentException("Autograd.grad: input " + j + " is null");
            }
            Checks.open("Autograd.grad", in);
            if (!in.requiresGrad()) {
                throw new IllegalArgumentException("Autograd.grad: input " + j + " " + in.shape() + " does not require"
                        + " a gradient; mark a leaf with requiresGrad(true)");
            }
        }
    }

    private static void checkGradOutput(int i, Tensor out, Tensor gradOutput) {
        if (gradOutput == null) {
            if (out.size() != 1) {
                throw new IllegalArgumentException("Autograd.grad: output " + i + " has shape " + out.shape()
                        + "; an implicit gradient (ones) needs a one-element output, pass a gradOutput of that shape");
            }
            return;
        }
        Checks.compatible("Autograd.grad", out, gradOutput);
        if (!gradOutput.shape().equals(out.shape())) {
            throw new IllegalArgumentException("Autograd.grad: gradOutput " + i + " has shape " + gradOutput.shape()
                    + ", output " + i + " has shape " + out.shape() + "; they must be equal");
        }
    }

    /** Restores the previous recording state when closed; never throws. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }

    /** {@link #detectAnomaly(boolean)} with NaN checks: PyTorch's {@code torch.autograd.detect_anomaly()}. */
    public static Guard detectAnomaly() {
        return detectAnomaly(true);
    }

    /**
     * Anomaly detection until the returned guard closes, PyTorch's {@code detect_anomaly(check_nan)}, for debugging: it
     * logs a warning (SLF4J) that it slows everything down. Every node recorded meanwhile keeps the stack of the
     * forward call that recorded it; an error in a backward pass run meanwhile (a rule's exception, or with
     * {@code checkNan} a NaN, not an infinity, in a gradient a rule returns: an {@link ArithmeticException} naming the op and
     * which of its inputs) is logged at WARN with that stack ("Error detected in sqrt. Traceback of forward call that
     * caused the error"), followed by that of the node whose backward rule recorded the node, if any ("Previous
     * calculation was induced by ..."), and carries it as a suppressed exception. Forward values are not checked, as in
     * PyTorch. The NaN check reads one flag per gradient back to the host, which on a GPU waits for the work queued
     * before it. Like PyTorch 1.13's, the mode is one switch for the whole process, not per thread; off by default.
     */
    public static Guard detectAnomaly(boolean checkNan) {
        return AnomalyMode.enable(checkNan);
    }

    /** {@link #setDetectAnomaly(boolean, boolean)} with NaN checks. */
    public static Guard setDetectAnomaly(boolean mode) {
        return setDetectAnomaly(mode, true);
    }

    /**
     * PyTorch's {@code torch.autograd.set_detect_anomaly(mode, check_nan)}: switches {@link #detectAnomaly(boolean)} on
     * or off, without its warning, until the returned guard closes (or for good, when it is never closed: PyTorch's
     * function form; a guard opened later and closed gives it back, and such calls repeated pile up no memory).
     */
    public static Guard setDetectAnomaly(boolean mode, boolean checkNan) {
        return AnomalyMode.set(mode, checkNan);
    }

    /** True while anomaly detection is on: PyTorch's {@code torch.is_anomaly_enabled()}. */
    public static boolean isAnomalyEnabled() {
        return AnomalyMode.isEnabled();
    }

    /** Whether anomaly detection checks gradients for NaN when on: PyTorch's {@code is_anomaly_check_nan_enabled()}. */
    public static boolean isAnomalyCheckNanEnabled() {
        return AnomalyMode.checksNan();
    }
}
