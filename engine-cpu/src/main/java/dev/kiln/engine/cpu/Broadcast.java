package dev.kiln.engine.cpu;

import dev.kiln.engine.Shape;

/**
 * NumPy broadcasting as loops: the output is walked as rows of its last dimension; for each row, every
 * input has a base element and a stride along the row (0 where that input is broadcast).
 */
final class Broadcast {
    private final int[] outDims;
    private final long[][] strides;
    final int rows;
    final int cols;

    Broadcast(Shape out, Shape... inputs) {
        this.outDims = out.rank() == 0 ? new int[] {1} : out.dims();
        int rank = outDims.length;
        this.cols = outDims[rank - 1];
        this.rows = cols == 0 ? 0 : Math.toIntExact(out.size() / cols);
        this.strides = new long[inputs.length][];
        for (int k = 0; k < inputs.length; k++) {
            strides[k] = alignedStrides(inputs[k], rank);
        }
    }

    /** The input's strides against the output's dimensions, 0 where it is broadcast. */
    private long[] alignedStrides(Shape in, int rank) {
        long[] own = in.strides();
        long[] s = new long[rank];
        int lead = rank - in.rank();
        for (int d = 0; d < rank; d++) {
            int id = d - lead;
            s[d] = id < 0 || in.dim(id) == 1 ? 0 : own[id];
        }
        return s;
    }

    /** Stride of input {@code k} along a row. */
    int colStride(int k) {
        return (int) strides[k][outDims.length - 1];
    }

    /** Element index of input {@code k} at the start of output row {@code row}. */
    int base(int k, int row) {
        long[] s = strides[k];
        long index = 0;
        int r = row;
        for (int d = outDims.length - 2; d >= 0 && r > 0; d--) {
            int c = r % outDims[d];
            r /= outDims[d];
            index += c * s[d];
        }
        return (int) index;
    }
}
