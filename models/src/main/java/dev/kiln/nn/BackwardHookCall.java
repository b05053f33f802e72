package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Function;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * One call of a module with full backward hooks, after PyTorch's {@code torch.utils.hooks.BackwardHook}: identity
 * autograd functions around the module's inputs and its output catch, in the backward pass, the gradient of the
 * output and those of the inputs, and call the hooks once both are known.
 *
 * <p>The output passes through a {@link BackwardHookOutput}, whose backward runs the pre-hooks on the output's
 * gradient. Each input that requires a gradient passes through a {@link BackwardHookInput}, which takes, as a second
 * input, the zero scalar of one {@link BackwardHookInputs} made from all of them: PyTorch's one multi-output node,
 * which Kiln's single-output functions cannot be. A {@link BackwardHookInput} notes its input's gradient and hands
 * only a zero on to the {@link BackwardHookInputs}, which the backward pass therefore runs once, after every
 * {@link BackwardHookInput} of the call, with every input's gradient noted: there the hooks run, and what they return
 * goes on to the module's inputs. When no input requires a gradient, no input is wrapped and the hooks run at the
 * output with null input gradients, as PyTorch's do.
 */
final class BackwardHookCall {
    private final Module module;
    private final List<Module.BackwardPreHook> preHooks;
    private final List<Module.BackwardHook> hooks;
    private final Tensor[] originals;
    /** The positions of the inputs that require a gradient; empty when none does or gradients are off. */
    private final int[] differentiable;
    /** What forward takes: the inputs, each that requires a gradient through its identity. */
    private final Tensor[] wrapped;
    /** The gradient each wrapped input received in the running backward pass, by its place in differentiable. */
    private final Tensor[] received;
    /** The output's gradient after the pre-hooks, from the output's node until the hooks have run. */
    private Tensor[] gradOutput;

    BackwardHookCall(Module module, List<Module.BackwardPreHook> preHooks, List<Module.BackwardHook> hooks,
                     Tensor[] inputs) {
        this.module = module;
        this.preHooks = preHooks;
        this.hooks = hooks;
        this.originals = inputs.clone();
        this.differentiable = Autograd.isEnabled() ? requiringGrad(inputs) : new int[0];
        this.received = new Tensor[differentiable.length];
        this.wrapped = wrap();
    }

    /** The inputs forward takes. */
    Tensor[] inputs() {
        return wrapped.clone();
    }

    /** {@code y}, through its identity when gradients are on and it requires one. */
    Tensor output(Tensor y) {
        return Autograd.isEnabled() && y.requiresGrad() ? new BackwardHookOutput().apply(y) : y;
    }

    private static int[] requiringGrad(Tensor[] inputs) {
        return IntStream.range(0, inputs.length).filter(i -> inputs[i] != null && inputs[i].requiresGrad()).toArray();
    }

    private Tensor[] wrap() {
        Tensor[] out = originals.clone();
        if (differentiable.length == 0) {
            return out;
        }
        Tensor[] needing = new Tensor[differentiable.length];
        for (int k = 0; k < needing.length; k++) {
            needing[k] = originals[differentiable[k]];
        }
        Tensor gate = new BackwardHookInputs().apply(needing);
        for (int k = 0; k < needing.length; k++) {
            out[differentiable[k]] = new BackwardHookInput(k).apply(needing[k], gate);
        }
        return out;
    }

    /** The gradient of the output: the pre-hooks run on it, and the hooks too when no input requires a gradient. */
    private Tensor[] outputReached(Tensor g) {
        Tensor[] reference = {g};
        Tensor[] grads = reference;
        for (Module.BackwardPreHook hook : preHooks) {
            Tensor[] replaced = hook.beforeBackward(module, grads.clone());
            if (replaced != null) {
                grads = checked("full backward pre-hook", "gradOutput", replaced, reference);
            }
        }
        if (differentiable.length > 0) {
            gradOutput = grads;
        } else {
            runWithoutInputGradients(grads);
        }
        return grads;
    }

    private void runWithoutInputGradients(Tensor[] grads) {
        for (Module.BackwardHook hook : hooks) {
            Tensor[] replaced = hook.afterBackward(module, new Tensor[originals.length], grads.clone());
            if (replaced != null && Arrays.stream(replaced).anyMatch(Objects::nonNull)) {
                throw new IllegalStateException(module.describe()
                        + ": a full backward hook returned input gradients, but no"
                        + " input of the module requires a gradient; it must return null (or only nulls)");
            }
        }
    }

    /**
     * The gradients of the inputs requiring one, after the hooks, from those the inputs received (zeros for one that
     * received none, as PyTorch's hooks see). The hooks do not run when the gradient reached the inputs without
     * passing the output (a double backward pass that differentiates the input gradient), as in PyTorch.
     */
    private Tensor[] inputsReached() {
        Tensor[] gradInput = new Tensor[originals.length];
        for (int k = 0; k < differentiable.length; k++) {
            Tensor x = originals[differentiable[k]];
            // On the input's device, as a gradient handed on to it must be.
            gradInput[differentiable[k]] = received[k] != null ? received[k] : x.fullLike(0);
        }
        Arrays.fill(received, null);
        Tensor[] grads = gradInput;
        if (gradOutput != null) {
            for (Module.BackwardHook hook : hooks) {
                Tensor[] replaced = hook.afterBackward(module, grads.clone(), gradOutput.clone());
                if (replaced != null) {
                    grads = checked("full backward hook", "gradInput", replaced, gradInput);
                }
            }
            gradOutput = null;
        }
        Tensor[] out = new Tensor[differentiable.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = grads[differentiable[k]];
        }
        return out;
    }

    /**
     * {@code replaced}, after checking it against the gradients it replaces: as many, each null or of the same shape
     * and dtype, and null where there was none (an input that needs no gradient).
     */
    private Tensor[] checked(String hook, String name, Tensor[] replaced, Tensor[] reference) {
        if (replaced.length != reference.length) {
            throw new IllegalStateException(module.describe() + ": a " + hook + " returned " + replaced.length + " "
                    + name
                    + " entries, expected " + reference.length);
        }
        for (int i = 0; i < replaced.length; i++) {
            Tensor r = replaced[i];
            Tensor expected = reference[i];
            if (r == null) {
                continue;
            }
            if (expected == null) {
                throw new IllegalStateException(module.describe() + ": a " + hook + " returned " + name + "[" + i
                        + "] for an"
                        + " input that needs no gradient; return null there");
            }
            if (!r.shape().equals(expected.shape()) || r.dtype() != expected.dtype()) {
                throw new IllegalStateException(module.describe() + ": a " + hook + " returned " + name + "[" + i
                        + "] of "
                        + r.dtype() + " " + r.shape() + ", expected " + expected.dtype() + " " + expected.shape());
            }
        }
        return replaced.clone();
    }

    /** The identity around the module's output, whose backward sees the output's gradient first. */
    private final class BackwardHookOutput extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0];
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return outputReached(g);
        }
    }

    /** One input's identity: notes the input's gradient and hands a zero on to the call's BackwardHookInputs. */
    private final class BackwardHookInput extends Function {
        private final int k;

        BackwardHookInput(int k) {
            this.k = k;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0];
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            received[k] = g;
            return new Tensor[] {null, originals[differentiable[0]].fullLike(0, Shape.of())};
        }
    }

    /**
     * A zero scalar (on the first input's device) made from every input requiring a gradient, whose backward runs the
     * hooks once per pass.
     */
    private final class BackwardHookInputs extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].fullLike(0, Shape.of());
        }

        @Override
        protected Tensor[] backward(Tensor ignored) {
            return inputsReached();
        }
    }
}
