package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Modules applied one after another, like PyTorch's {@code torch.nn.Sequential}: the output of each is
 * the input of the next. Children are named {@code "0"}, {@code "1"}, ... so a
 * {@code Sequential(Linear, ReLU, Linear)} has state-dict keys {@code 0.weight, 0.bias, 2.weight, 2.bias}.
 * Shapes are whatever the chain produces, e.g. [batch, in] to [batch, out] for an MLP.
 */
public class Sequential extends Module {
    private int size;

    /** The given modules, in order (none gives the identity). */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** The given modules, in order. */
    public Sequential(List<? extends Module> modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code m} under the next index as its name; returns this. */
    public Sequential add(Module m) {
        registerModule(Integer.toString(size), m);
        size++;
        return this;
    }

    /** The {@code i}-th module. */
    public Module get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("Sequential: index " + i + " is out of range for " + size + " modules");
        }
        return module(Integer.toString(i));
    }

    /** Number of modules. */
    public int size() {
        return size;
    }

    /** A deep copy ({@link Module#copy()}): copies of every module, in order. */
    @Override
    public Sequential copy() {
        return (Sequential) super.copy();
    }

    /**
     * Runs the chain; a plain {@link Linear}, {@link Conv2d} or batch norm followed by a {@link FusableActivation}
     * runs as one fused layer (same values and gradients, fewer passes or kernels, and no pre-activation kept).
     * Without gradients each layer's output is freed once the next has read it ({@link #releaseConsumed}).
     */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (int i = 0; i < size; i++) {
            Module m = module(Integer.toString(i));
            FusableActivation activation = i + 1 < size ? fusableAfter(m, module(Integer.toString(i + 1))) : null;
            Tensor next;
            if (activation == null) {
                next = m.call(y);
            } else {
                next = m.recordOutput(fused(m, y, activation));
                module(Integer.toString(++i)).recordOutput(next);
            }
            releaseConsumed(y, next, x);
            y = next;
        }
        return y;
    }

    private static Tensor fused(Module m, Tensor x, FusableActivation activation) {
        if (m instanceof Linear linear) {
            return linear.forward(x, activation);
        }
        return m instanceof Conv2d conv ? conv.forward(x, activation) : ((BatchNorm) m).forward(x, activation);
    }

    /**
     * {@code next} as the activation to fuse into {@code m}, or null. Only a Linear, Conv2d, BatchNorm1d or
     * BatchNorm2d of exactly that class fuses: a subclass (feedback alignment, say) may compute its forward or
     * backward differently.
     */
    private static FusableActivation fusableAfter(Module m, Module next) {
        Class<?> type = m.getClass();
        boolean fusing = type == Linear.class || type == Conv2d.class || type == BatchNorm1d.class
                || type == BatchNorm2d.class;
        if (!fusing || !(next instanceof FusableActivation activation)) {
            return null;
        }
        return activation.op().derivativeFromOutput(activation.param()) ? activation : null;
    }
}
