package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Two recurrent layers over one sequence, one reading it forwards and one backwards, merged (Keras'
 * {@code Bidirectional}): the backward layer's output at step t is what it computes after reading the
 * sequence from its last real step down to t, i.e. the layer run on the reversed sequence, reversed back.
 * Sub-modules {@code forward} and {@code backward}, both unidirectional, of one kind, input size, hidden
 * size and layout; each keeps its own layers, which are not interleaved (for PyTorch's interleaved stacks
 * use {@code bidirectional(true)} on the layer's builder).
 *
 * <p>Output [T, B, 2H] with {@link Merge#CONCAT} (forward half first) or [T, B, H] with {@link Merge#SUM}
 * ([B, T, ...] when batch-first); h_n (and c_n) [2L, B, H]: the forward layer's L rows, then the backward
 * layer's. Lengths as in {@link Recurrent}: the backward layer starts at each sequence's last real step.
 */
public class Bidirectional extends Module {
    /** How the two directions' outputs are combined. */
    public enum Merge {
        /** Concatenated along the feature axis, forward first. */
        CONCAT,
        /** Added element by element. */
        SUM
    }

    private final Merge merge;

    /**
     * @throws IllegalArgumentException when either layer is bidirectional or the two differ in kind, sizes,
     *     number of layers or layout
     */
    public Bidirectional(Recurrent forward, Recurrent backward, Merge merge) {
        if (forward == backward) {
            throw new IllegalArgumentException("Bidirectional: the forward and backward layers must be two instances");
        }
        if (forward.directions() != 1 || backward.directions() != 1) {
            throw new IllegalArgumentException("Bidirectional: both layers must be unidirectional, got " + forward
                    + " and " + backward);
        }
        if (forward.getClass() != backward.getClass() || forward.inputSize() != backward.inputSize()
                || forward.hiddenSize() != backward.hiddenSize() || forward.layers() != backward.layers()
                || forward.isBatchFirst() != backward.isBatchFirst()) {
            throw new IllegalArgumentException("Bidirectional: the layers must match in kind, input size, hidden size,"
                    + " layers and layout, got " + forward + " and " + backward);
        }
        registerModule("forward", forward);
        registerModule("backward", backward);
        this.merge = Objects.requireNonNull(merge, "Bidirectional: merge");
    }

    /** The merged output sequence, from zero states, for full-length sequences. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).output();
    }

    /**
     * Runs both layers over {@code input} from {@code initial} (null: zeros; else h, and c for LSTMs,
     * [2L, B, H]: the forward layer's rows first) with the given lengths (null: all full).
     */
    public RecurrentOutput forward(Tensor input, RecurrentState initial, int[] lengths) {
        int rows = forwardLayer().layers();
        RecurrentState initialForward = null;
        RecurrentState initialBackward = null;
        if (initial != null) {
            checkInitial(initial, rows);
            initialForward = half(initial, 0, rows);
            initialBackward = half(initial, rows, rows);
        }
        RecurrentOutput f = forwardLayer().forward(input, initialForward, lengths);
        RecurrentOutput b = backwardLayer().run(input, initialBackward, lengths, true);
        Tensor output = merge == Merge.CONCAT ? Tensor.cat(List.of(f.output(), b.output()), 2) : f.output().add(b.output());
        Tensor hN = Tensor.cat(List.of(f.hN(), b.hN()), 0);
        Tensor cN = f.cN() == null ? null : Tensor.cat(List.of(f.cN(), b.cN()), 0);
        return new RecurrentOutput(output, hN, cN);
    }

    /** h (and c, when given) must be [2L, batch, hidden]: both layers' rows. */
    private void checkInitial(RecurrentState initial, int rows) {
        Tensor h = initial.h();
        if (h == null || h.rank() != 3 || h.dim(0) != 2 * rows) {
            throw new IllegalArgumentException(describe() + ": initial h " + (h == null ? "null" : h.shape()) + " must be ["
                    + 2 * rows + ", batch, hidden]: the forward layer's rows, then the backward layer's");
        }
        if (initial.c() != null && !initial.c().shape().equals(h.shape())) {
            throw new IllegalArgumentException(describe() + ": initial c " + initial.c().shape() + " must have h's shape "
                    + h.shape());
        }
    }

    private static RecurrentState half(RecurrentState s, int start, int rows) {
        return new RecurrentState(s.h().narrow(0, start, rows), s.c() == null ? null : s.c().narrow(0, start, rows));
    }

    // The layers are read through module(): a field holding them would make copy() refuse this module.
    public Recurrent forwardLayer() {
        return (Recurrent) module("forward");
    }

    public Recurrent backwardLayer() {
        return (Recurrent) module("backward");
    }

    /** How the two directions' outputs are combined. */
    public Merge merge() {
        return merge;
    }

    /** Kiln's own settings in PyTorch's style, before the two layers: {@code merge=concat} or {@code merge=sum}. */
    @Override
    protected String extraRepr() {
        return "merge=" + merge.name().toLowerCase(Locale.ROOT);
    }
}
