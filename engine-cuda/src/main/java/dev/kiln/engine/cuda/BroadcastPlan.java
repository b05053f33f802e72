package dev.kiln.engine.cuda;

import dev.kiln.engine.Shape;

/**
 * How the element-wise kernels walk broadcast operands: the output's dimensions and, per operand, its
 * strides against them (0 where the operand is broadcast). Adjacent dimensions that every operand
 * walks contiguously are merged and size-1 dimensions dropped, so the common cases (a row vector
 * against a matrix, a scalar against anything) reach the kernel as rank 1 or 2.
 */
final class BroadcastPlan {
    /** The kernels' Dims8 holds this many dimensions. */
    static final int MAX_RANK = 8;

    final int rank;
    final long[] dims = new long[MAX_RANK];
    final long[][] strides;

    BroadcastPlan(String op, Shape out, Shape... operands) {
        int full = out.rank();
        long[] outDims = new long[full];
        long[][] s = new long[operands.length][full];
        for (int d = 0; d < full; d++) {
            outDims[d] = out.dim(d);
        }
        for (int k = 0; k < operands.length; k++) {
            s[k] = aligned(operands[k], full);
        }
        int r = 0;
        long[][] merged = new long[operands.length][full];
        long[] mergedDims = new long[full];
        for (int d = 0; d < full; d++) {
            if (outDims[d] == 1) {
                continue;
            }
            if (r > 0 && contiguousWithPrevious(s, d, outDims, merged, r)) {
                mergedDims[r - 1] *= outDims[d];
                for (int k = 0; k < operands.length; k++) {
                    merged[k][r - 1] = s[k][d];
                }
                continue;
            }
            mergedDims[r] = outDims[d];
            for (int k = 0; k < operands.length; k++) {
                merged[k][r] = s[k][d];
            }
            r++;
        }
        if (r > MAX_RANK) {
            throw new IllegalArgumentException(op + ": the CUDA backend broadcasts at most " + MAX_RANK
                    + " dimensions that cannot be merged; output shape " + out);
        }
        this.rank = r;
        System.arraycopy(mergedDims, 0, dims, 0, r);
        this.strides = new long[operands.length][MAX_RANK];
        for (int k = 0; k < operands.length; k++) {
            System.arraycopy(merged[k], 0, strides[k], 0, r);
        }
    }

    /** Dimension d continues the last merged one when, for every operand, stepping it is one step there too. */
    private static boolean contiguousWithPrevious(long[][] s, int d, long[] outDims, long[][] merged, int r) {
        for (int k = 0; k < s.length; k++) {
            if (merged[k][r - 1] != s[k][d] * outDims[d]) {
                return false;
            }
        }
        return true;
    }

    /** The operand's strides against the output's dimensions, 0 where it is broadcast. */
    private static long[] aligned(Shape in, int rank) {
        long[] own = in.strides();
        long[] s = new long[rank];
        int lead = rank - in.rank();
        for (int d = lead; d < rank; d++) {
            int id = d - lead;
            s[d] = in.dim(id) == 1 ? 0 : own[id];
        }
        return s;
    }
}
