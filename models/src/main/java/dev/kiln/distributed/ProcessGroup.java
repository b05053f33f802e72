package dev.kiln.distributed;

import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

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
 * <p>Collectives run on the group's one communication thread, in the order they were called: the {@code ...Async}
 * forms return a {@link Work} at once (PyTorch's {@code async_op=True}), the others wait for theirs. The values are
 * read from the tensor when the collective is called and written back into it by {@link Work#await()}, on the
 * caller's thread. One thread at a time calls collectives (they are synchronized on the group); {@link #close()} is
 * not, so that another thread can break off a collective that waits for a lost peer.
 */
public final class ProcessGroup implements AutoCloseable {
    private final int rank;
    private final int worldSize;
    private final RingLinks links;
    /** The communication thread, one per group so that every rank runs its collectives in one order; null alone. */
    private final ExecutorService communication;
    /** Null while usable; why not, once failed or closed (empty when closed by hand). */
    private volatile String failure;

    ProcessGroup(int rank, int worldSize, RingLinks links) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.links = links;
        this.communication = worldSize == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kiln-communication-rank-" + rank);
            t.setDaemon(true);
            return t;
        });
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
    public void allReduce(Tensor t, ReduceOp op) {
        allReduceAsync(t, op).await();
    }

    /**
     * {@link #allReduce(Tensor, ReduceOp)} launched without waiting ({@code all_reduce(t, op, async_op=True)}):
     * {@code t}'s values are taken now, and {@link Work#await()} writes the result into {@code t}. Leave {@code t}
     * alone until then.
     */
    public synchronized Work allReduceAsync(Tensor t, ReduceOp op) {
        CollectiveCall call = new CollectiveCall("allReduce", op.ordinal(), t.dtype(), t.shape().dims());
        HostBuffer buffer = HostBuffer.of(t);
        return launch(call, null, () -> reduce(buffer, op), () -> buffer.writeTo(t, 0));
    }

    /** Replaces {@code t} on every rank by rank {@code src}'s {@code t}. */
    public synchronized void broadcast(Tensor t, int src) {
        checkRank("broadcast: src", src);
        CollectiveCall call = new CollectiveCall("broadcast", src, t.dtype(), t.shape().dims());
        HostBuffer buffer = HostBuffer.of(t);
        launch(call, null, () -> RingBroadcast.run(links, rank, worldSize, src, buffer.array()),
                rank == src ? null : () -> buffer.writeTo(t, 0)).await();
    }

    /**
     * Writes every rank's {@code t} into {@code out}: rank {@code r}'s into {@code out.get(r)}. {@code out} holds
     * {@code worldSize} tensors of {@code t}'s shape and dtype; when it does not on some rank, every rank throws
     * {@link IllegalArgumentException} (that rank naming what is wrong) and the group stays usable.
     */
    public synchronized void allGather(List<Tensor> out, Tensor t) {
        String problem = outputProblem(out, t);
        CollectiveCall call = new CollectiveCall("allGather", problem == null ? 0 : 1, t.dtype(), t.shape().dims());
        int n = Math.toIntExact(t.size());
        HostBuffer all = new HostBuffer(t.dtype(), Math.multiplyExact(n, worldSize));
        all.read(t, rank * n);
        launch(call, problem, () -> RingAllGather.run(links, rank, worldSize, all.array(), n * t.dtype().bytes()),
                () -> {
                    for (int r = 0; r < worldSize; r++) {
                        all.writeTo(out.get(r), r * n);
                    }
                }).await();
    }

    /** Why {@code out} cannot take an all-gather of {@code t}, or null when it can. */
    private String outputProblem(List<Tensor> out, Tensor t) {
        if (out.size() != worldSize) {
            return "ProcessGroup.allGather: rank " + rank + "'s out holds " + out.size()
                    + " tensors; expected one per rank, " + worldSize;
        }
        for (int r = 0; r < worldSize; r++) {
            Tensor o = out.get(r);
            if (o.dtype() != t.dtype() || !o.shape().equals(t.shape())) {
                return "ProcessGroup.allGather: rank " + rank + "'s out[" + r + "] is " + o.dtype() + " "
                        + o.shape() + "; expected the tensor's " + t.dtype() + " " + t.shape();
            }
        }
        return null;
    }

    /** Returns once every rank has called it. */
    public synchronized void barrier() {
        launch(CollectiveCall.barrier(), null, () -> {
        }, null).await();
    }

    /**
     * Launches an all-reduce of a host buffer in place (a gradient bucket of {@link DistributedDataParallel}),
     * without the exchange of calls: the buckets are the same on every rank by construction.
     */
    synchronized Work allReduceAsync(HostBuffer buffer, ReduceOp op) {
        return launch(null, null, () -> reduce(buffer, op), null);
    }

    private void reduce(HostBuffer buffer, ReduceOp op) throws IOException {
        if (buffer.length() > 0) {
            RingAllReduce.run(links, rank, worldSize, buffer, op);
        }
    }

    /**
     * Queues a collective on the communication thread: the exchange of {@code call} (unless null), then the
     * transfer; {@code finish} runs on the caller's thread in {@link Work#await()}.
     *
     * @param problem why this rank's arguments are wrong (every rank then throws), or null
     */
    private Work launch(CollectiveCall call, String problem, Transfer transfer, Runnable finish) {
        String kind = call == null ? "allReduce" : call.kind();
        checkUsable(kind);
        if (communication == null) {
            if (call != null) {
                agree(call, problem);
            }
            return Work.done(finish);
        }
        try {
            return new Work(communication.submit(() -> {
                if (call != null) {
                    agree(call, problem);
                }
                communicate(transfer);
                return null;
            }), finish);
        } catch (RejectedExecutionException e) {
            throw closed(kind);
        }
    }

    private void checkUsable(String kind) {
        if (failure != null) {
            throw closed(kind);
        }
    }

    private IllegalStateException closed(String kind) {
        String why = failure;
        return new IllegalStateException("ProcessGroup." + kind + ": rank " + rank + "'s group is closed"
                + (why == null || why.isEmpty() ? "" : " after a failure: " + why));
    }

    /**
     * Exchanges every rank's call; throws on every rank alike when they differ, or when a rank's arguments are wrong
     * ({@code problem} here, a flag in the call's argument elsewhere). Also a barrier.
     */
    private void agree(CollectiveCall call, String problem) {
        checkUsable(call.kind());
        byte[] calls = new byte[CollectiveCall.BYTES * worldSize];
        System.arraycopy(call.encode(), 0, calls, rank * CollectiveCall.BYTES, CollectiveCall.BYTES);
        communicate(() -> RingAllGather.run(links, rank, worldSize, calls, CollectiveCall.BYTES));
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        for (int r = 0; r < worldSize; r++) {
            CollectiveCall other = CollectiveCall.decode(calls, r * CollectiveCall.BYTES);
            if (other.kind().equals("allGather") && other.argument() != 0) {
                throw new IllegalArgumentException("ProcessGroup.allGather: rank " + r + "'s out does not hold "
                        + worldSize + " tensors of " + other.dtype() + " " + Arrays.toString(other.dims())
                        + " (that rank says what is wrong); every rank passes one per rank of the tensor's shape"
                        + " and dtype");
            }
        }
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

    /**
     * Closes the connections; this rank's and its peers' collectives under way, or launched and not yet begun, then
     * fail. Idempotent.
     */
    @Override
    public void close() {
        if (failure == null) {
            failure = "";
        }
        if (links != null) {
            links.close();
        }
        if (communication != null) {
            // Not shutdownNow: the queued collectives still run, each failing at once, so that every Work ends.
            communication.shutdown();
        }
    }
}
