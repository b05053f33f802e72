package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * The masks of PyTorch 1.13's pruning methods ({@code torch.nn.utils.prune}), computed on host copies of a weight and
 * its current mask, for {@link Prune}. A mask holds 1 where the weight is kept and 0 where it is pruned. A method
 * prunes among what is left, as PyTorch's {@code PruningContainer} combines masks: an unstructured method among the
 * entries whose mask is still 1 (its amount a fraction of those), a structured one among the channels along its dim
 * that are not wholly pruned, and a custom mask over the whole tensor.
 *
 * <p>A method prunes the entries (or channels) of least importance: magnitude, channel norm, or for a random method a
 * uniform draw. Of equal importances the lowest index is pruned first (NaN counts as the most important), Kiln's own
 * rule: PyTorch's CPU {@code topk} leaves its choice among exact ties unspecified.
 */
final class PruningMask {
    private PruningMask() {
    }

    /** PyTorch's {@code amount}: a fraction of what is left (a float in [0, 1]) or a count (a non-negative int). */
    record Amount(double fraction, int count, boolean isCount) {
        static Amount of(String caller, double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException(caller + ": amount " + fraction
                        + " must be a fraction in [0, 1] (or a count, an int)");
            }
            return new Amount(fraction, 0, false);
        }

        static Amount of(String caller, int count) {
            if (count < 0) {
                throw new IllegalArgumentException(caller + ": amount " + count
                        + " must be a non-negative count (or a fraction in [0, 1], a double)");
            }
            return new Amount(0, count, true);
        }

        /**
         * How many of {@code size} to prune: the count, or the fraction of size rounded half to even, as Python's
         * {@code round}.
         */
        int of(int size, String what) {
            if (!isCount) {
                return (int) Math.rint(fraction * size);
            }
            if (count > size) {
                throw new IllegalArgumentException(what + ": amount " + count + " exceeds the " + size + " left to prune");
            }
            return count;
        }
    }

    /** A weight or mask on the host: its elements, row-major, and its shape. */
    record Values(double[] data, int[] dims) {
        static Values of(Tensor t) {
            return new Values(t.toDoubleArray(), t.shape().dims());
        }
    }

    /** PyTorch's {@code BasePruningMethod}: its {@code compute_mask} and its {@code PRUNING_TYPE}. */
    interface Method {
        /**
         * The mask for {@code t} (what is left of the weight) given {@code defaultMask} (its current mask, all 1 for
         * an unstructured method); {@code what} names the parameter in errors.
         */
        double[] compute(Values t, double[] defaultMask, String what);
    }

    /** An unstructured method: prunes among the entries whose mask is still 1. */
    interface Unstructured extends Method {
    }

    /** A structured method: prunes whole channels along {@code dim}, among those not wholly pruned. */
    interface Structured extends Method {
        int dim();
    }

    /** PyTorch's {@code Identity}: keeps the mask. */
    static Unstructured identity() {
        return (t, mask, what) -> mask;
    }

    /** PyTorch's {@code L1Unstructured}: zeroes the {@code amount} entries of least magnitude. */
    static Unstructured l1Unstructured(Amount amount) {
        return (t, mask, what) -> {
            double[] magnitudes = Arrays.stream(t.data()).map(Math::abs).toArray();
            return zeroLeast(mask, magnitudes, amount.of(magnitudes.length, what));
        };
    }

    /** PyTorch's {@code RandomUnstructured}: zeroes {@code amount} entries drawn uniformly (the engine's generator). */
    static Unstructured randomUnstructured(Amount amount) {
        return (t, mask, what) -> {
            int k = amount.of(t.data().length, what);
            return k == 0 ? mask.clone() : zeroLeast(mask, uniform(t.data().length), k);
        };
    }

    /** PyTorch's {@code LnStructured}: zeroes the {@code amount} channels along dim of least {@code n}-norm. */
    static Structured lnStructured(Amount amount, double n, int dim) {
        return leastChannels(amount, dim, (t, axis) -> norms(t, axis, n));
    }

    /** PyTorch's {@code RandomStructured}: zeroes {@code amount} channels along dim drawn uniformly. */
    static Structured randomStructured(Amount amount, int dim) {
        return leastChannels(amount, dim, (t, axis) -> uniform(t.dims()[axis]));
    }

    /**
     * Zeroes the {@code amount} channels along dim of least score; the scores are computed only where a channel is to
     * be zeroed (so the random method draws nothing for an amount of 0).
     */
    private static Structured leastChannels(Amount amount, int dim, BiFunction<Values, Integer, double[]> scores) {
        return new Structured() {
            @Override
            public int dim() {
                return dim;
            }

            @Override
            public double[] compute(Values t, double[] mask, String what) {
                int axis = axis(t, dim, what);
                int k = amount.of(t.dims()[axis], what);
                if (k == 0) {
                    return mask;
                }
                return zeroChannels(t.dims(), axis, least(scores.apply(t, axis), k), mask);
            }
        };
    }

    /** PyTorch's {@code CustomFromMask}: the current mask times {@code custom}, over the whole tensor. */
    static Method custom(double[] custom) {
        return (t, mask, what) -> {
            double[] out = mask.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] *= custom[i];
            }
            return out;
        };
    }

    /**
     * PyTorch's {@code PruningContainer._combine_masks}: {@code method}'s mask for {@code t} (the pruned weight)
     * given its current {@code mask}, computed on the part that is left and written back into a copy of the mask.
     */
    static double[] combine(Method method, Values t, double[] mask, String what) {
        int[] left;
        int[] dims;
        if (method instanceof Unstructured) {
            left = IntStream.range(0, mask.length).filter(i -> mask[i] == 1).toArray();
            dims = new int[] {left.length};
        } else if (method instanceof Structured s) {
            int axis = axis(t, s.dim(), what);
            boolean[] channels = channelsLeft(t.dims(), axis, mask);
            int inner = inner(t.dims(), axis);
            left = IntStream.range(0, mask.length)
                    .filter(i -> channels[(i / inner) % channels.length]).toArray();
            dims = t.dims().clone();
            dims[axis] = (int) IntStream.range(0, channels.length).filter(c -> channels[c]).count();
        } else {
            return method.compute(t, mask, what);
        }
        double[] partial = method.compute(new Values(gather(t.data(), left), dims), gather(mask, left), what);
        double[] out = mask.clone();
        for (int i = 0; i < left.length; i++) {
            out[left[i]] = partial[i];
        }
        return out;
    }

    /** Which channels along axis hold a nonzero mask entry: those a structured method prunes among. */
    private static boolean[] channelsLeft(int[] dims, int axis, double[] mask) {
        int inner = inner(dims, axis);
        boolean[] left = new boolean[dims[axis]];
        for (int i = 0; i < mask.length; i++) {
            left[(i / inner) % dims[axis]] |= mask[i] != 0;
        }
        return left;
    }

    private static double[] gather(double[] values, int[] at) {
        double[] out = new double[at.length];
        for (int i = 0; i < at.length; i++) {
            out[i] = values[at[i]];
        }
        return out;
    }

    /**
     * The indices of the {@code k} least of {@code scores}, those pruning zeroes: of equal scores the lowest index
     * first, as {@link Tensor#topk} takes them (NaN the largest, -0.0 equal to 0.0).
     */
    private static int[] least(double[] scores, int k) {
        if (k == 0) {
            return new int[0];
        }
        try (Scope s = Scope.open()) {
            long[] at = Tensor.fromArray(scores, scores.length).topk(k, 0, false, false).indices().toLongArray();
            return Arrays.stream(at).mapToInt(Math::toIntExact).toArray();
        }
    }

    /** {@code mask} with the k entries of least {@code scores} set to 0. */
    private static double[] zeroLeast(double[] mask, double[] scores, int k) {
        double[] out = mask.clone();
        for (int i : least(scores, k)) {
            out[i] = 0;
        }
        return out;
    }

    /** {@code mask} with the channels {@code pruned} along axis set to 0. */
    private static double[] zeroChannels(int[] dims, int axis, int[] pruned, double[] mask) {
        boolean[] zero = new boolean[dims[axis]];
        for (int c : pruned) {
            zero[c] = true;
        }
        int inner = inner(dims, axis);
        double[] out = mask.clone();
        for (int i = 0; i < out.length; i++) {
            if (zero[(i / inner) % dims[axis]]) {
                out[i] = 0;
            }
        }
        return out;
    }

    /** The n-norm of each channel along axis, as {@code torch.norm(t, p=n, dim=every other axis)}. */
    private static double[] norms(Values t, int axis, double n) {
        int[] dims = t.dims();
        int inner = inner(dims, axis);
        double[] norms = new double[dims[axis]];
        if (n == Double.NEGATIVE_INFINITY) {
            Arrays.fill(norms, Double.POSITIVE_INFINITY);
        }
        for (int i = 0; i < t.data().length; i++) {
            int c = (i / inner) % dims[axis];
            double m = Math.abs(t.data()[i]);
            norms[c] = n == Double.POSITIVE_INFINITY ? Math.max(norms[c], m)
                    : n == Double.NEGATIVE_INFINITY ? Math.min(norms[c], m)
                    : n == 0 ? norms[c] + (m != 0 ? 1 : 0)
                    : norms[c] + (n == 1 ? m : n == 2 ? m * m : Math.pow(m, n));
        }
        if (n > 0 && n != 1 && n != Double.POSITIVE_INFINITY) {
            for (int c = 0; c < norms.length; c++) {
                norms[c] = n == 2 ? Math.sqrt(norms[c]) : Math.pow(norms[c], 1 / n);
            }
        }
        return norms;
    }

    /** {@code size} uniform draws in [0, 1) of the engine's generator, in F64. */
    private static double[] uniform(int size) {
        try (Tensor u = Tensor.rand(DType.F64, size)) {
            return u.toDoubleArray();
        }
    }

    /** The product of the dims after axis: the stride of axis in a row-major tensor. */
    private static int inner(int[] dims, int axis) {
        int inner = 1;
        for (int a = axis + 1; a < dims.length; a++) {
            inner *= dims[a];
        }
        return inner;
    }

    /**
     * {@code dim} as an axis of t in [0, rank), for a structured method.
     *
     * @throws IllegalArgumentException naming the parameter when t is a vector or dim is out of range
     */
    private static int axis(Values t, int dim, String what) {
        int rank = t.dims().length;
        if (rank <= 1) {
            throw new IllegalArgumentException(what + ": structured pruning prunes channels of a tensor of rank 2 or"
                    + " more, got shape " + Arrays.toString(t.dims()));
        }
        if (dim < -rank || dim >= rank) {
            throw new IllegalArgumentException(what + ": dim " + dim + " is out of range [" + -rank + ", " + rank
                    + ") for shape " + Arrays.toString(t.dims()));
        }
        return dim < 0 ? dim + rank : dim;
    }
}
