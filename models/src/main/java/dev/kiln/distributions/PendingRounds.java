package dev.kiln.distributions;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Rounds of a sampler over only the elements of a flat batch still pending: each round computes on tensors of those
 * elements alone (so that its work shrinks as they settle, where rounds over the whole batch cost the batch's size
 * each), says which elements still pend and, for {@link #sum}, what it adds to each element's value; the next round
 * runs on those still pending. Their positions are kept on the host: each round reads back one tensor over the
 * elements it ran on, positive where they still pend (a difference rather than a comparison: cheaper to compute), and the indices it uploads carry their range, so that selecting by them reads nothing back.
 * The values are put at their positions once, at the end. A round's intermediates are freed with it.
 */
final class PendingRounds {
    /** One round over the pending elements. */
    interface Round {
        /**
         * The outcome of a round over {@code elements}, the per-element tensors (flat, one value per pending
         * element, in the order given to {@link #sum} or {@link #count}) narrowed to the elements still pending.
         */
        Outcome apply(Tensor[] elements);
    }

    /**
     * Which elements still pend ({@code pending}, positive for those; 0, negative or NaN for the others), what the round adds to each element's value
     * ({@code added}, for {@link #sum}; null for {@link #count}), and the per-element tensors the next round takes
     * (narrowed to the pending ones before it does).
     */
    record Outcome(Tensor pending, Tensor added, Tensor... elements) {
    }

    /** What the rounds make of the elements they settle, and the result it comes to. */
    private interface Tally {
        /** Notes a round over the elements at {@code at} of which those at indices {@code still} still pend. */
        void round(long[] at, long[] still, Tensor added, Scope inRound);

        /** The result, [n] like the pending mask. */
        Tensor result(Tensor like);
    }

    private PendingRounds() {
    }

    /**
     * Runs {@code round} until no element pends, starting from the elements where {@code pending} (flat, [n]) is
     * positive and the per-element tensors {@code elements} makes (each [n]): made only where some element pends, and
     * the intermediates of making them freed before the first round. Returns [n] of pending's dtype holding each
     * element's sum of what the rounds added to it (0 where it never pended).
     */
    static Tensor sum(Tensor pending, Round round, Supplier<Tensor[]> elements) {
        List<long[]> positions = new ArrayList<>();
        List<Tensor> added = new ArrayList<>();
        return run(pending, round, elements, new Tally() {
            @Override
            public void round(long[] at, long[] still, Tensor values, Scope inRound) {
                positions.add(at);
                added.add(inRound.keep(values));
            }

            @Override
            public Tensor result(Tensor like) {
                return scatter(like, positions, added);
            }
        });
    }

    /**
     * As {@link #sum}, but each element's value is the number of rounds after which it still pended (counted on the
     * host, where each round's mask is read anyway, and uploaded once).
     */
    static Tensor count(Tensor pending, Round round, Supplier<Tensor[]> elements) {
        double[] counts = new double[(int) pending.size()];
        return run(pending, round, elements, new Tally() {
            @Override
            public void round(long[] at, long[] still, Tensor values, Scope inRound) {
                for (long i : still) {
                    counts[(int) at[(int) i]]++;
                }
            }

            @Override
            public Tensor result(Tensor like) {
                return Tensor.fromArray(counts, counts.length).to(like.dtype()).to(like.backend());
            }
        });
    }

    private static Tensor run(Tensor pending, Round round, Supplier<Tensor[]> make, Tally tally) {
        try (Scope scope = Scope.open()) {
            long[] at = positive(pending);
            if (at.length == 0) {
                return scope.keep(tally.result(pending));
            }
            Tensor[] elements = made(make);
            Tensor[] current = at.length == pending.size() ? elements : select(elements, upload(at, pending));
            while (at.length > 0) {
                try (Scope inRound = Scope.open()) {
                    Outcome outcome = round.apply(current);
                    long[] still = positive(outcome.pending());
                    tally.round(at, still, outcome.added(), inRound);
                    Tensor[] next = still.length == at.length ? outcome.elements()
                            : select(outcome.elements(), upload(still, pending));
                    for (Tensor t : next) {
                        inRound.keep(t);
                    }
                    freeReplaced(current, next, elements);
                    current = next;
                    at = positionsOf(still, at);
                }
            }
            return scope.keep(tally.result(pending));
        }
    }

    /** The per-element tensors {@code make} makes, the intermediates it made them of freed. */
    private static Tensor[] made(Supplier<Tensor[]> make) {
        try (Scope making = Scope.open()) {
            Tensor[] elements = make.get();
            for (Tensor t : elements) {
                making.keep(t);
            }
            return elements;
        }
    }

    /**
     * Closes the tensors a round carried that the next does not carry on and that are not among the ones the rounds
     * started from: each round's carried tensors would otherwise stay until the last round (Knuth's as many rounds as
     * the largest count drawn).
     */
    private static void freeReplaced(Tensor[] carried, Tensor[] next, Tensor[] initial) {
        for (Tensor t : carried) {
            if (!holds(next, t) && !holds(initial, t)) {
                t.close();
            }
        }
    }

    private static boolean holds(Tensor[] tensors, Tensor t) {
        for (Tensor u : tensors) {
            if (u == t) {
                return true;
            }
        }
        return false;
    }

    /** The indices of {@code t}'s positive elements, read back in one copy. */
    private static long[] positive(Tensor t) {
        float[] values = t.toFloatArray();
        int count = 0;
        for (float v : values) {
            count += v > 0 ? 1 : 0;
        }
        long[] out = new long[count];
        for (int i = 0, j = 0; i < values.length; i++) {
            if (values[i] > 0) {
                out[j++] = i;
            }
        }
        return out;
    }

    /** The batch positions of the elements at {@code indices} among those at {@code positions}. */
    private static long[] positionsOf(long[] indices, long[] positions) {
        long[] out = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = positions[(int) indices[i]];
        }
        return out;
    }

    /** {@code indices} as I64 on {@code like}'s backend, their range recorded, so that no check reads them back. */
    private static Tensor upload(long[] indices, Tensor like) {
        return Tensor.fromArray(indices, indices.length).to(like.backend());
    }

    private static Tensor[] select(Tensor[] elements, Tensor index) {
        Tensor[] out = new Tensor[elements.length];
        for (int i = 0; i < elements.length; i++) {
            out[i] = elements[i].indexSelect(0, index);
        }
        return out;
    }

    /** Zeros like {@code like} with every round's values added at their positions, in one scatter. */
    private static Tensor scatter(Tensor like, List<long[]> positions, List<Tensor> added) {
        Tensor zeros = like.fullLike(0);
        if (added.isEmpty()) {
            return zeros;
        }
        long[] all = new long[positions.stream().mapToInt(p -> p.length).sum()];
        int from = 0;
        for (long[] p : positions) {
            System.arraycopy(p, 0, all, from, p.length);
            from += p.length;
        }
        Tensor values = added.size() == 1 ? added.get(0) : Tensor.cat(added, 0);
        return zeros.indexAdd(0, upload(all, like), values);
    }
}
