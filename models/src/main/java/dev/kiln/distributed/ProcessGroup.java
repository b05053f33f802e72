package dev.kiln.distributed;

import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.util.List;

/**
 * The ranks of one training job and their collectives (PyTorch's default process group after
 * {@code init_process_group(backend="gloo")}), made by {@link Distributed#initProcessGroup}. Every rank calls the
 * same collectives in the same order, each on a tensor of the same shape and dtype; the tensors are updated in place.
 *
 * <p>Before any data moves, the ranks exchange what they were asked (collective, op or source, dtype, shape): a
 * mismatch throws {@link IllegalArgumentException} on every rank, naming both calls, and the group stays usable. A
 * peer that fails, exits or stops answering for the group's timeout makes the collective throw
 * {@link IllegalStateException} on this rank, which then closes the group, so that its other neighbour fails too
 * rather than waiting; a group that failed so refuses later calls.
 *
 * <p>One thread at a time: collectives are synchronized on the group. {@link #close()} is not, so that another
 * thread can break off a collective that waits for a lost peer.
 */
public final class ProcessGroup implements AutoCloseable {
    private final int rank;
    private final int worldSize;
    private final RingLinks links;
    /** Null while usable; why not, once failed or closed (empty when closed by hand). */
    private volatile String failure;

    ProcessGroup(int rank, int worldSize, RingLinks links) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.links = links;
    }

    /** This process's rank, in [0, worldSize). */
    public int rank() {
        return rank;
    }

    /** The number of ranks. */
    public int worldSize() {
        return worldSize;
    }

    /** {@code allReduce(t, ReduceOp.SUM)}. */
    public void allReduce(Tensor t) {
        allReduce(t, ReduceOp.SUM);
    }

    /**
     * Replaces {@code t} (any shape, F32, F64, I32 or I64) on every rank by {@code op} of every rank's {@code t},
     * element by element: the same bits on every rank. AVG is for F32 and F64.
     */
    public synchronized void allReduce(Tensor t, ReduceOp op) {
        agree(new CollectiveCall("allReduce", op.ordinal(), t.dtype(), t.shape().dims()));
        HostBuffer buffer = HostBuffer.of(t);
        allReduce(buffer, op);
        buffer.writeTo(t, 0);
    }

    /** Replaces {@code t} on every rank by rank {@code src}'s {@code t}. */
    public synchronized void broadcast(Tensor t, int src) {
        checkRank("broadcast: src", src);
        agree(new CollectiveCall("broadcast", src, t.dtype(), t.shape().dims()));
        HostBuffer buffer = HostBuffer.of(t);
        communicate(() -> RingBroadcast.run(links, rank, worldSize, src, buffer.array()));
        if (rank != src) {
            buffer.writeTo(t, 0);
        }
    }

    /**
     * Writes every rank's {@code t} into {@code out}: rank {@code r}'s into {@code out.get(r)}. {@code out} holds
     * {@code worldSize} tensors of {@code t}'s shape and dtype.
     */
    public synchronized void allGather(List<Tensor> out, Tensor t) {
        if (out.size() != worldSize) {
            throw new IllegalArgumentException("ProcessGroup.allGather: out holds " + out.size()
                    + " tensors; expected one per rank, " + worldSize);
        }
        for (int r = 0; r < worldSize; r++) {
            Tensor o = out.get(r);
            if (o.dtype() != t.dtype() || !o.shape().equals(t.shape())) {
                throw new IllegalArgumentException("ProcessGroup.allGather: out[" + r + "] is " + o.dtype() + " "
                        + o.shape() + "; expected the tensor's " + t.dtype() + " " + t.shape());
            }
        }
        agree(new CollectiveCall("allGather", 0, t.dtype(), t.shape().dims()));
        int n = Math.toIntExact(t.size());
        HostBuffer all = new HostBuffer(t.dtype(), Math.multiplyExact(n, worldSize));
        all.read(t, rank * n);
        communicate(() -> RingAllGather.run(links, rank, worldSize, all.array(), n * t.dtype().bytes()));
        for (int r = 0; r < worldSize; r++) {
            all.writeTo(out.get(r), r * n);
        }
    }

    /** Returns once every rank has called it. */
    public synchronized void barrier() {
        agree(CollectiveCall.barrier());
    }

    /** All-reduces a host buffer in place (the gradient buckets of {@link DistributedDataParallel}). */
    synchronized void allReduce(HostBuffer buffer, ReduceOp op) {
        if (buffer.length() > 0) {
            communicate(() -> RingAllReduce.run(links, rank, worldSize, buffer, op));
        }
    }

    /** Exchanges every rank's call; throws on every rank alike when they differ. Also a barrier. */
    private void agree(CollectiveCall call) {
        if (failure != null) {
            throw new IllegalStateException("ProcessGroup." + call.kind() + ": rank " + rank + "'s group is closed"
                    + (failure.isEmpty() ? "" : " after a failure: " + failure));
        }
        byte[] calls = new byte[CollectiveCall.BYTES * worldSize];
        System.arraycopy(call.encode(), 0, calls, rank * CollectiveCall.BYTES, CollectiveCall.BYTES);
        communicate(() -> RingAllGather.run(links, rank, worldSize, calls, CollectiveCall.BYTES));
        for (int r = 0; r < worldSize; r++) {
            CollectiveCall other = CollectiveCall.decode(calls, r * CollectiveCall.BYTES);
            if (!other.equals(CollectiveCall.decode(calls, 0))) {
                throw new IllegalArgumentException("ProcessGroup." + call.kind() + ": rank 0 called "
                        + CollectiveCall.decode(calls, 0).describe() + " but rank " + r + " called "
                        + other.describe() + "; every rank calls the same collective on the same shape and dtype");
            }
        }
        if (call.kind().equals("allReduce") && ReduceOp.values()[call.argument()] == ReduceOp.AVG
                && !call.dtype().isFloating()) {
            throw new IllegalArgumentException("ProcessGroup.allReduce: AVG of a " + call.dtype()
                    + " tensor; AVG is for F32 and F64 (SUM the integers and divide)");
        }
    }

    private interface Transfer {
        void run() throws IOException;
    }

    private void communicate(Transfer transfer) {
        if (worldSize == 1) {
            return;
        }
        try {
            transfer.run();
        } catch (IOException e) {
            failure = e.getMessage();
            links.close();
            throw new IllegalStateException("ProcessGroup: " + e.getMessage(), e);
        }
    }

    private void checkRank(String what, int r) {
        if (r < 0 || r >= worldSize) {
            throw new IllegalArgumentException("ProcessGroup." + what + " " + r + " is outside [0, " + worldSize + ")");
        }
    }

    /** Closes the connections; this rank's and its peers' collectives under way then fail. Idempotent. */
    @Override
    public void close() {
        if (failure == null) {
            failure = "";
        }
        if (links != null) {
            links.close();
        }
    }
}
