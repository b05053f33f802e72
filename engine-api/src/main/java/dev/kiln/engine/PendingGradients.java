package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gradients a backward pass has computed but not yet handed on: per tensor of the graph, the sum of what
 * its consumers sent it. Each gradient made during the pass is closed once the node that used it is done and
 * nothing pending holds it, so a deep network's backward pass keeps only the gradients in flight instead of
 * all of them until its scope closes (ResNet-18 at batch 256: 4.1 GiB in use after backward, 2.1 GiB of it
 * gradients). Never closed here: tensors made before the pass began (the caller's gradient, anything a rule
 * returns of its own) and gradients a user's {@link Function} received or returned, which it may keep.
 * A rule may return the gradient it received, or one tensor for several inputs: holders are counted. A leaf
 * without a gradient takes the one it receives when nothing else can reach it ({@link #handOver}), instead of a
 * copy: one copy (a kernel launch on a GPU) less per parameter and step.
 *
 * <p>In a pass that records its own graph ({@link Autograd#grad} with {@code createGraph}) nothing is closed and
 * nothing summed in place: the new graph may read every gradient the pass makes, which then lives in the caller's
 * scope.
 */
final class PendingGradients {
    private final long firstSerial = Tensor.nextSerial();
    private final boolean keepsAll;
    private final Map<Tensor, Tensor> pending = new IdentityHashMap<>();
    private final Map<Tensor, Integer> holders = new IdentityHashMap<>();
    private final List<Tensor> dropped = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The pending gradients being gathered from narrowed views' gradients, not yet complete. */
    private final Map<Tensor, SlicedGradient> sliced = new IdentityHashMap<>();

    /** The gradients a rule just returned, which its node is still handing on: never summed into in place. */
    private Tensor[] handedOn = {};

    /** {@code keepsAll}: the pass records a graph that may read every gradient it makes. */
    PendingGradients(boolean keepsAll) {
        this.keepsAll = keepsAll;
    }

    /**
     * Adds {@code gradient} to what is pending for {@code tensor}: in place where that is a gradient this pass made and
     * nothing else holds or still reads, else into a new tensor. In place, the sum at a ResNet block's input needs no
     * third tensor of its size at the moment a backward pass holds the most (ResNet-18 at batch 256: 62 MiB of its
     * peak).
     */
    void add(Tensor tensor, Tensor gradient) {
        Tensor previous = pending.get(tensor);
        if (previous == null) {
            hold(tensor, gradient);
            return;
        }
        complete(previous);
        if (!keepsAll && summableInPlace(previous)) {
            previous.addInPlace(gradient, 1);
            return;
        }
        replace(tensor, previous, previous.add(gradient));
    }

    /**
     * Adds {@code gradient}, that of the view of {@code tensor} narrowed to [start, start + its length) along
     * {@code axis}, to that slice of what is pending for {@code tensor}, as if it were zeros elsewhere: copied into
     * the slice where the gradient being gathered from such views has nothing there yet ({@link SlicedGradient}),
     * else added into the slice, of a copy where what is pending may not be summed into in place. For a pass that
     * records no graph; the node being handed on must have {@link #handingOn} {@code gradient}.
     */
    void addSlice(Tensor tensor, Tensor gradient, int axis, int start) {
        Tensor previous = pending.get(tensor);
        if (previous == null) {
            previous = gradient.emptyLike(tensor.shape(), gradient.dtype());
            hold(tensor, previous);
            sliced.put(previous, new SlicedGradient(previous, axis));
        }
        SlicedGradient gathering = sliced.get(previous);
        if (gathering != null && gathering.isUnwritten(axis, start, gradient.dim(axis))) {
            gathering.write(gradient, start);
            return;
        }
        complete(previous);
        if (!summableInPlace(previous)) {
            Tensor copy = previous.emptyLike(previous.shape(), previous.dtype());
            previous.backend().copy(previous, copy);
            replace(tensor, previous, copy);
            previous = copy;
        }
        SlicedGradient.addInto(previous, gradient, axis, start);
    }

    /** Removes and returns the gradient pending for {@code tensor}, or null; {@link #drop} it when done. */
    Tensor take(Tensor tensor) {
        Tensor g = pending.remove(tensor);
        if (g != null) {
            holders.merge(g, -1, Integer::sum);
            complete(g);
        }
        return g;
    }

    /** Zeroes what no view wrote of {@code g} when it is a gradient being gathered from views' gradients. */
    private void complete(Tensor g) {
        SlicedGradient gathering = sliced.remove(g);
        if (gathering != null) {
            gathering.complete();
        }
    }

    /**
     * The gradients a node's rule returned, about to be added to its inputs' (null entries allowed): until the next
     * call none of them is summed into in place, as a rule may return one tensor for several inputs, or the gradient
     * it received, which another input's pending may hold.
     */
    void handingOn(Tensor[] gradients) {
        handedOn = gradients;
    }

    /** The node being processed no longer needs {@code gradient}; {@link #closeUnused} may close it. */
    void drop(Tensor gradient) {
        dropped.add(gradient);
    }

    /** Never closes {@code gradient}: a user's Function saw it. */
    void keep(Tensor gradient) {
        kept.add(gradient);
    }

    /**
     * Hands {@code gradient} over to a leaf that has no gradient yet, to become its {@code grad()} without a
     * copy, when this pass made it, nothing pending holds it, no user's Function saw it and no other tensor
     * shares its storage: takes it out of its scope (a leaf's gradient lives until cleared) and never closes it.
     *
     * @return whether the leaf may take it; if not, the leaf copies it
     */
    boolean handOver(Tensor gradient) {
        if (gradient.serial() < firstSerial || holders.getOrDefault(gradient, 0) > 0 || kept.contains(gradient)
                || gradient.sharesStorage()) {
            return false;
        }
        kept.add(gradient);
        Scope.release(gradient);
        return true;
    }

    /** After each node: closes the dropped gradients that this pass made, that nothing holds and none kept. */
    void closeUnused() {
        if (keepsAll) {
            dropped.clear();
            return;
        }
        for (Tensor g : dropped) {
            if (g.serial() >= firstSerial && holders.getOrDefault(g, 0) <= 0 && !kept.contains(g)) {
                holders.remove(g);
                g.close();
            }
        }
        dropped.clear();
    }

    /**
     * Whether g may take a sum in place: this pass made it, its pending entry alone holds it, no user's Function saw it,
     * no view shares its storage and the node being handed on does not still read it.
     */
    private boolean summableInPlace(Tensor g) {
        if (g.serial() < firstSerial || holders.getOrDefault(g, 0) != 1 || kept.contains(g) || g.sharesStorage()) {
            return false;
        }
        for (Tensor t : handedOn) {
            if (t == g) {
                return false;
            }
        }
        return true;
    }

    /** {@code replacement} pending for {@code tensor} instead of {@code previous}, which is dropped. */
    private void replace(Tensor tensor, Tensor previous, Tensor replacement) {
        holders.merge(previous, -1, Integer::sum);
        dropped.add(previous);
        hold(tensor, replacement);
    }

    private void hold(Tensor tensor, Tensor gradient) {
        pending.put(tensor, gradient);
        holders.merge(gradient, 1, Integer::sum);
    }
}
