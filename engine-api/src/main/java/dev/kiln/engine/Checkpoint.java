package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Activation (gradient) checkpointing, PyTorch's {@code torch.utils.checkpoint.checkpoint(segment, input,
 * use_reentrant=False)}: trades compute for memory by keeping none of a segment's intermediate tensors for the
 * backward pass and recomputing them there instead.
 * <pre>{@code
 * Tensor h = x;
 * for (Block block : blocks) {
 *     h = Checkpoint.apply(block::forward, h);   // keeps h, not what the block makes on the way
 * }
 * }</pre>
 * The forward pass runs the segment with gradients on, to learn what its output depends on, and frees its graph when
 * it returns. The backward pass re-runs the segment on the same input, back-propagates through that graph, and frees
 * it: a step holds the inputs of the segments plus the graph of one segment at a time, instead of every segment's
 * graph, for the price of a second forward pass of each segment. The gradients are those without checkpointing, bit
 * for bit on a backend that computes deterministically: the recomputation draws the same random numbers as the forward
 * pass (dropout keeps its mask; PyTorch's {@code preserve_rng_state=True}), runs under the same {@link Autocast}
 * precision, and leaves the random stream where it found it. (A parameter read both inside and outside checkpoints
 * that already holds a gradient sums its parts in another order: the last bits may differ.)
 *
 * <p>Every tensor made before the segment that requires a gradient and that its output depends on receives its
 * gradient, as without checkpointing: the input, the parameters the segment reads (also when the input needs no
 * gradient, unlike PyTorch's reentrant variant), which take theirs while the segment is recomputed, and any other
 * tensor it captures. An output that depends on none records no graph, as in PyTorch, so that a backward pass from it
 * fails as without checkpointing.
 *
 * <p>The segment must compute the same thing each time it runs: the backward pass refuses a recomputation whose output
 * differs in shape or dtype, or that reads other tensors requiring gradients than the forward pass did, and the
 * input must be left open and unwritten until then. State that a forward pass updates is updated once: layers with
 * such state (batch norm's running statistics) leave it alone while {@link #isRecomputing()}. Whatever else the
 * segment makes, its output aside, is freed when it returns.
 *
 * <p>The gradients can be differentiated again (PyTorch's non-reentrant checkpoint under {@code create_graph}): in a
 * backward pass that records its graph ({@link Autograd#grad} with {@code createGraph}) the recomputed segment's
 * backward pass records too, and its graph stays in the caller's scope.
 */
public final class Checkpoint {
    private static final ThreadLocal<int[]> RECOMPUTING = ThreadLocal.withInitial(() -> new int[1]);

    private Checkpoint() {
    }

    /**
     * {@code segment.apply(input)}, any shapes, keeping none of what the segment makes for the backward pass, which
     * recomputes it. With gradients off ({@link Autograd#noGrad()}) it is just the segment.
     *
     * @throws IllegalArgumentException when the segment returns null
     */
    public static Tensor apply(UnaryOperator<Tensor> segment, Tensor input) {
        if (segment == null || input == null) {
            throw new IllegalArgumentException("checkpoint: segment and input must not be null, got segment " + segment
                    + " and input " + (input == null ? null : input.describe()));
        }
        Checks.open("checkpoint", input);
        if (!Autograd.isEnabled()) {
            return output(segment.apply(input));
        }
        Conditions conditions = Conditions.now();
        long firstSerial = Tensor.nextSerial();
        Tensor result;
        List<Tensor> sources;
        try (Scope forward = Scope.open()) {
            Tensor y = output(segment.apply(input));
            sources = y.requiresGrad() ? BackwardPass.earlierInputs(y, firstSerial) : List.of();
            result = forward.keep(y.detach());
        }
        if (sources.isEmpty()) {
            return result;
        }
        Tensor[] recorded = recorded(input, sources);
        Shape shape = result.shape();
        DType dtype = result.dtype();
        result.record("checkpoint", recorded, Node.differentiable(
                g -> recompute(segment, recorded, sources, conditions, shape, dtype, g)));
        return result;
    }

    /**
     * The node's inputs: the input first, also when it needs no gradient, so that the backward pass refuses to
     * recompute from an input closed or written in place since, then the other sources.
     */
    private static Tensor[] recorded(Tensor input, List<Tensor> sources) {
        List<Tensor> recorded = new ArrayList<>();
        recorded.add(input);
        for (Tensor t : sources) {
            if (t != input) {
                recorded.add(t);
            }
        }
        return recorded.toArray(new Tensor[0]);
    }

    /**
     * True while a checkpoint's backward pass re-runs its segment on this thread: a layer whose forward pass updates
     * state (batch norm's running statistics) leaves it alone then, so that the recomputation does not update it a
     * second time (PyTorch updates it twice).
     */
    public static boolean isRecomputing() {
        return RECOMPUTING.get()[0] > 0;
    }

    /**
     * The gradients of the {@code recorded} inputs made by ops (the segment's input first), from the segment
     * recomputed, whose graph is freed before this returns; the leaves among them (parameters) take theirs in
     * {@link Tensor#grad()} on the way, as without a checkpoint. In a backward pass that records its graph
     * ({@link Node#createsGraph()}, PyTorch's non-reentrant checkpoint under {@code create_graph}) the gradients are
     * recorded through the recomputed segment, whose graph then lives in the caller's scope, so that they can be
     * differentiated again.
     */
    private static Tensor[] recompute(UnaryOperator<Tensor> segment, Tensor[] recorded, List<Tensor> sources,
                                      Conditions conditions, Shape shape, DType dtype, Tensor gradOutput) {
        if (Node.createsGraph()) {
            return gradientsThroughSegment(segment, recorded, sources, conditions, shape, dtype, gradOutput);
        }
        try (Scope scope = Scope.open()) {
            Tensor[] grads = gradientsThroughSegment(segment, recorded, sources, conditions, shape, dtype, gradOutput);
            for (Tensor grad : grads) {
                if (grad != null) {
                    scope.keep(grad);
                }
            }
            return grads;
        }
    }

    /** The gradients of {@link #recompute}, leaving the recomputed graph and every tensor made to the caller. */
    private static Tensor[] gradientsThroughSegment(UnaryOperator<Tensor> segment, Tensor[] recorded,
                                                    List<Tensor> sources, Conditions conditions, Shape shape,
                                                    DType dtype, Tensor gradOutput) {
        long firstSerial = Tensor.nextSerial();
        Tensor y;
        try (Autograd.Guard recomputing = conditions.restore()) {
            y = output(segment.apply(recorded[0]));
        }
        checkSameAsForward(y, y.requiresGrad() ? BackwardPass.earlierInputs(y, firstSerial) : List.of(), shape, dtype,
                sources);
        Map<Tensor, Tensor> arrived = BackwardPass.gradientsOfEarlier(y, gradOutput, firstSerial);
        Tensor[] grads = new Tensor[recorded.length];
        for (int k = 0; k < recorded.length; k++) {
            grads[k] = arrived.get(recorded[k]);
        }
        return grads;
    }

    /** Refuses a recomputation whose output or whose sources differ from the forward pass's. */
    private static void checkSameAsForward(Tensor y, List<Tensor> reached, Shape shape, DType dtype,
                                           List<Tensor> sources) {
        if (!y.shape().equals(shape) || y.dtype() != dtype) {
            throw new IllegalStateException("checkpoint: the segment recomputed for the backward pass returned "
                    + y.shape() + " " + y.dtype() + ", its forward pass " + shape + " " + dtype
                    + "; a checkpointed segment must compute the same each time");
        }
        Set<Tensor> forward = Collections.newSetFromMap(new IdentityHashMap<>());
        forward.addAll(sources);
        for (Tensor t : reached) {
            if (!forward.remove(t)) {
                throw new IllegalStateException("checkpoint: the segment recomputed for the backward pass reads "
                        + describe(t) + ", which requires a gradient and which its forward pass did not read; a"
                        + " checkpointed segment must compute the same each time");
            }
        }
        if (!forward.isEmpty()) {
            throw new IllegalStateException("checkpoint: the segment recomputed for the backward pass no longer reads "
                    + describe(forward.iterator().next()) + ", which its forward pass read; a checkpointed segment must"
                    + " compute the same each time");
        }
    }

    private static Tensor output(Tensor y) {
        if (y == null) {
            throw new IllegalArgumentException("checkpoint: the segment returned null; it must return a tensor");
        }
        return y;
    }

    private static String describe(Tensor t) {
        return t.shape() + " " + t.dtype() + (t.isLeaf() ? " (a leaf)" : " (made by " + t.gradFnName() + ")");
    }

    /** What the forward pass ran under, which its recomputation runs under too. */
    private record Conditions(long seed, long counter, Precision precision) {
        static Conditions now() {
            Engine engine = Engine.get();
            return new Conditions(engine.seed(), engine.counter(), Autocast.current());
        }

        /**
         * Gradients on, the forward pass's random state and precision, and {@link #isRecomputing()}, until the
         * guard closes, which puts back the random state the recomputation found, as PyTorch's
         * {@code preserve_rng_state} does: the random numbers drawn after the backward pass are those drawn without
         * checkpointing.
         */
        Autograd.Guard restore() {
            Engine engine = Engine.get();
            long seedBefore = engine.seed();
            long counterBefore = engine.counter();
            Engine.restoreRandomState(seed, counter);
            Autocast.Guard autocast = Autocast.enable(precision);
            Autograd.Guard recording = Autograd.setEnabled(true);
            int[] depth = RECOMPUTING.get();
            depth[0]++;
            return () -> {
                depth[0]--;
                recording.close();
                autocast.close();
                Engine.restoreRandomState(seedBefore, counterBefore);
            };
        }
    }
}
