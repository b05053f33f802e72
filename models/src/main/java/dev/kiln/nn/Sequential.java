package dev.kiln.nn;

import dev.kiln.engine.Checkpoint;
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
    private boolean checkpoint;

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
     * Sets whether {@link #forward} runs each layer through its own {@link Checkpoint} (a Linear, Conv2d or batch
     * norm with the activation fused into it counting as one): the backward pass then recomputes each layer's
     * intermediates rather than keeping them, and the step holds each layer's input plus one layer's intermediates at
     * a time. It pays where a layer keeps several tensors, as a block or a Transformer layer does; a chain of single
     * layers keeps as much with it as without, and takes {@link #checkpointSequential} instead. Off by default;
     * returns this.
     */
    public Sequential checkpoint(boolean enabled) {
        this.checkpoint = enabled;
        return this;
    }

    /** Whether {@link #forward} checkpoints each layer ({@link #checkpoint(boolean)}). */
    public boolean checkpointing() {
        return checkpoint;
    }

    /**
     * Runs the chain; a plain {@link Linear}, {@link Conv2d} or batch norm followed by a {@link FusableActivation}
     * runs as one fused layer (same values and gradients, fewer passes or kernels, and no pre-activation kept).
     * Without gradients each layer's output is freed once the next has read it ({@link #releaseConsumed}). With
     * {@link #checkpoint(boolean)} each layer runs through a {@link Checkpoint}.
     */
    @Override
    public Tensor forward(Tensor x) {
        if (!checkpoint) {
            return run(x, 0, size);
        }
        Tensor y = x;
        for (int i = 0; i < size; ) {
            int from = i;
            int end = layerEnd(i);
            Tensor next = Checkpoint.apply(h -> run(h, from, end), y);
            releaseConsumed(y, next, x);
            y = next;
            i = end;
        }
        return y;
    }

    /**
     * PyTorch's {@code checkpoint_sequential(self, segments, x)}: the chain in {@code segments} runs of
     * {@code size() / segments} modules (the last run takes the rest), each but the last through a {@link Checkpoint},
     * so that the step keeps the segments' inputs and one segment's intermediates at a time. The last runs without,
     * as its intermediates are needed at once. The same values and gradients as {@link #forward}.
     *
     * @throws IllegalArgumentException when segments is not in [1, size()]
     */
    public Tensor checkpointSequential(int segments, Tensor x) {
        if (segments < 1 || segments > size) {
            throw new IllegalArgumentException("Sequential.checkpointSequential: segments must be in [1, " + size
                    + "] for " + size + " modules, got " + segments);
        }
        int length = size / segments;
        Tensor y = x;
        for (int from = 0; from < length * (segments - 1); from += length) {
            int start = from;
            Tensor next = Checkpoint.apply(h -> run(h, start, start + length), y);
            releaseConsumed(y, next, x);
            y = next;
        }
        Tensor out = run(y, length * (segments - 1), size);
        releaseConsumed(y, out, x);
        return out;
    }

    /** Modules {@code from} to {@code end - 1} applied to x, fused where {@link #forward} says. */
    private Tensor run(Tensor x, int from, int end) {
        Tensor y = x;
        for (int i = from; i < end; i++) {
            Module m = module(Integer.toString(i));
            FusableActivation activation = i + 1 < end ? fusableAfter(m, module(Integer.toString(i + 1))) : null;
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

    /** The index after layer {@code i}: past its fused activation, if any. */
    private int layerEnd(int i) {
        boolean fuses = i + 1 < size && fusableAfter(module(Integer.toString(i)), module(Integer.toString(i + 1))) != null;
        return fuses ? i + 2 : i + 1;
    }

    private static Tensor fused(Module m, Tensor x, FusableActivation activation) {
        if (m instanceof Linear linear) {
            return linear.forward(x, activation);
        }
        return m instanceof Conv2d conv ? conv.forward(x, activation) : ((BatchNorm) m).forward(x, activation);
    }

    /**
     * {@code next} as the activation to fuse into {@code m}, or null: never where either has hooks, which see
     * each layer's own output. Only a Linear, Conv2d (of groups 1: the fused
     * convolution has no groups), BatchNorm1d or BatchNorm2d of exactly that class fuses: a subclass (feedback
     * alignment, say) may compute its forward or backward differently.
     */
    private static FusableActivation fusableAfter(Module m, Module next) {
        Class<?> type = m.getClass();
        boolean fusing = type == Linear.class || type == Conv2d.class && ((Conv2d) m).groups() == 1
                || type == BatchNorm1d.class || type == BatchNorm2d.class;
        if (!fusing || !(next instanceof FusableActivation activation) || m.hasHooks() || next.hasHooks()) {
            return null;
        }
        return activation.op().derivativeFromOutput(activation.param()) ? activation : null;
    }
}
