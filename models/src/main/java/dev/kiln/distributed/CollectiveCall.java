package dev.kiln.distributed;

import dev.kiln.engine.DType;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What one rank asked of a collective: which one, its reduction or source rank, and its tensor's dtype and shape.
 * Every rank sends its own to all the others before any data moves, so that a mismatch fails on every rank alike
 * (naming both calls) and leaves the group in step.
 *
 * @param kind     "allReduce", "broadcast", "allGather" or "barrier"
 * @param argument the ReduceOp's ordinal for allReduce, the source rank for broadcast, else 0
 * @param dtype    the tensor's dtype (F32 for a barrier)
 * @param dims     the tensor's shape (none for a barrier)
 */
record CollectiveCall(String kind, int argument, DType dtype, int[] dims) {
    /** The wire size of any call: kind and dims padded to fixed lengths. */
    static final int BYTES = 4 * (4 + 16 + 8);

    private static final String[] KINDS = {"allReduce", "broadcast", "allGather", "barrier"};

    static CollectiveCall barrier() {
        return new CollectiveCall("barrier", 0, DType.F32, new int[0]);
    }

    byte[] encode() {
        if (dims.length > 16) {
            throw new IllegalArgumentException("ProcessGroup." + kind + ": a tensor of " + dims.length
                    + " axes; collectives take at most 16");
        }
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(Arrays.asList(KINDS).indexOf(kind)).putInt(argument).putInt(dtype.ordinal()).putInt(dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    static CollectiveCall decode(byte[] wire, int offset) {
        ByteBuffer b = ByteBuffer.wrap(wire, offset, BYTES);
        String kind = KINDS[b.getInt()];
        int argument = b.getInt();
        DType dtype = DType.values()[b.getInt()];
        int[] dims = new int[b.getInt()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = b.getInt();
        }
        return new CollectiveCall(kind, argument, dtype, dims);
    }

    long elements() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Readable form for errors: {@code allReduce(SUM) of F32 [4, 3]}. */
    String describe() {
        String what = switch (kind) {
            case "allReduce" -> "allReduce(" + ReduceOp.values()[argument] + ")";
            case "broadcast" -> "broadcast(src " + argument + ")";
            default -> kind;
        };
        return kind.equals("barrier") ? what : what + " of " + dtype + " " + Arrays.toString(dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CollectiveCall c && kind.equals(c.kind) && argument == c.argument && dtype == c.dtype
                && Arrays.equals(dims, c.dims);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + argument) + 31 * dtype.hashCode() + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return describe();
    }
}
