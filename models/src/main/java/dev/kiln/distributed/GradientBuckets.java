package dev.kiln.distributed;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradient buckets of {@link DistributedDataParallel}: the trainable parameters in reverse registration order
 * (about the order a backward pass finishes them), cut into buckets of one dtype each, a bucket closed once it holds
 * at least the cap's bytes (the first one at 1 MiB, as PyTorch's). As each parameter's gradient arrives
 * ({@link #arrived}, from its gradient hook) its bucket fills; buckets are launched in bucket order, each as one flat
 * asynchronous all-reduce (AVG) on the process group's communication thread, as soon as it and every bucket before it
 * are full, and the backward pass goes on while they travel. The hook that completes the last bucket waits for them
 * all and writes the averages back, as PyTorch's Reducer does in the callback it queues at the end of the backward
 * pass: after it, the backward pass computes no trainable parameter's gradient, and the optimizer finds every average
 * in place.
 *
 * <p>A hook sees its parameter's new gradient before the backward pass adds it to {@code grad()}, and must hand on
 * what is to be added. So a bucket is filled from every other parameter's {@code grad()} (already accumulated) and,
 * for the arriving one, its {@code grad()} plus the new gradient, which it hands on unchanged; the averages are
 * written over every {@code grad()} once all have arrived, except the last arriving one's: its {@code grad()} is
 * zeroed and its average handed on, so that it becomes the gradient exactly (0 + x = x). Gradients accumulated
 * locally under {@link DistributedDataParallel#noSync()} are thus averaged with the next synchronised pass, as
 * PyTorch does.
 */
final class GradientBuckets {
    private record Bucket(DType dtype, List<Tensor> params, List<String> names, int[] offsets, int length) {
    }

    /** PyTorch's {@code dist._DEFAULT_FIRST_BUCKET_BYTES}: the first bucket's cap, 1 MiB. */
    static final long FIRST_BUCKET_BYTES = 1 << 20;

    private final ProcessGroup group;
    private final List<Bucket> buckets = new ArrayList<>();
    private final Map<Tensor, Integer> bucketOf = new IdentityHashMap<>();
    private final Map<Tensor, Boolean> ready = new IdentityHashMap<>();
    /** Each bucket's flat values, reused from pass to pass. */
    private final List<HostBuffer> flats = new ArrayList<>();
    /** The all-reduces launched in this backward pass, in bucket order. */
    private final List<Work> launched = new ArrayList<>();
    private int nextToReduce;
    /**
     * PyTorch's {@code expect_autograd_hooks_}: set by a synchronised forward ({@link #expectGradients}), cleared once
     * a backward pass has averaged every bucket; gradients arriving while it is clear stay local.
     */
    private boolean expecting;
    /** The unused-parameter error once a synchronised pass left buckets unaveraged, thrown from then on; or null. */
    private String unfinished;
    /** All-reduces launched since construction, for tests that count the communication. */
    private long allReducesLaunched;

    /**
     * @param params   the trainable parameters by state-dict name, in registration order
     * @param capBytes a bucket is closed once it holds at least this many bytes; the first one already at
     *                 {@link #FIRST_BUCKET_BYTES}, as PyTorch's, so that its all-reduce starts early in the backward
     *                 pass rather than after a model's last 25 MB of gradients
     */
    GradientBuckets(ProcessGroup group, Map<String, Tensor> params, long capBytes) {
        this.group = group;
        List<String> names = new ArrayList<>(params.keySet());
        Map<DType, List<String>> open = new LinkedHashMap<>();
        Map<DType, Long> openBytes = new LinkedHashMap<>();
        for (int i = names.size() - 1; i >= 0; i--) {
            Tensor p = params.get(names.get(i));
            List<String> current = open.computeIfAbsent(p.dtype(), d -> new ArrayList<>());
            current.add(names.get(i));
            long bytes = openBytes.merge(p.dtype(), p.size() * p.dtype().bytes(), Long::sum);
            if (bytes >= (buckets.isEmpty() ? Math.min(FIRST_BUCKET_BYTES, capBytes) : capBytes)) {
                add(p.dtype(), current, params);
                open.remove(p.dtype());
                openBytes.remove(p.dtype());
            }
        }
        open.forEach((dtype, rest) -> add(dtype, rest, params));
    }

    private void add(DType dtype, List<String> names, Map<String, Tensor> params) {
        List<Tensor> members = new ArrayList<>();
        int[] offsets = new int[names.size()];
        int length = 0;
        for (int k = 0; k < names.size(); k++) {
            Tensor p = params.get(names.get(k));
            members.add(p);
            offsets[k] = length;
            length = Math.addExact(length, Math.toIntExact(p.size()));
            bucketOf.put(p, buckets.size());
        }
        buckets.add(new Bucket(dtype, members, List.copyOf(names), offsets, length));
        flats.add(new HostBuffer(dtype, length));
    }

    /** The number of buckets. */
    int size() {
        return buckets.size();
    }

    /** The bucket all-reduces launched since construction. */
    long allReducesLaunched() {
        return allReducesLaunched;
    }

    /**
     * A forward with gradients on and outside {@code noSync()} ran: the next backward pass averages, whatever
     * {@code noSync()} says while it runs, as PyTorch's Reducer decides in {@code prepare_for_backward}.
     */
    void expectGradients() {
        expecting = true;
    }

    /**
     * Parameter {@code p}'s new gradient {@code g} has arrived; unless a synchronised forward armed this pass
     * ({@link #expectGradients}) it stays local and null is returned. Otherwise launches the
     * all-reduce of every bucket this completes and, when that was the last, waits for them all and writes the
     * averages back. Returns what the backward pass is to add to {@code p.grad()} instead of {@code g}, or null for
     * {@code g} itself.
     */
    Tensor arrived(Tensor p, Tensor g) {
        if (!expecting) {
            return null;
        }
        ready.put(p, Boolean.TRUE);
        while (nextToReduce < buckets.size() && full(buckets.get(nextToReduce))) {
            fill(nextToReduce, p, g);
            launched.add(group.allReduceAsync(flats.get(nextToReduce), ReduceOp.AVG));
            allReducesLaunched++;
            nextToReduce++;
        }
        return nextToReduce == buckets.size() ? finish(p) : null;
    }

    private boolean full(Bucket b) {
        for (Tensor p : b.params()) {
            if (!ready.containsKey(p)) {
                return false;
            }
        }
        return true;
    }

    /** Copies bucket {@code index}'s gradients into its flat buffer, {@code arriving}'s with its new one {@code g}. */
    private void fill(int index, Tensor arriving, Tensor g) {
        Bucket b = buckets.get(index);
        HostBuffer flat = flats.get(index);
        for (int k = 0; k < b.params().size(); k++) {
            Tensor p = b.params().get(k);
            if (p == arriving) {
                flat.read(g, b.offsets()[k]);
                if (p.grad() != null) {
                    flat.add(p.grad(), b.offsets()[k]);
                }
            } else {
                flat.read(p.grad(), b.offsets()[k]);
            }
        }
    }

    /**
     * Waits for every launched all-reduce, in order, and writes the averages over the gradients; returns the
     * average of {@code last}'s gradient (the one arriving now), which the backward pass adds to its zeroed
     * {@code grad()}. Resets for the next pass, also when a collective failed.
     */
    private Tensor finish(Tensor last) {
        try {
            awaitLaunched();
        } finally {
            reset();
        }
        Tensor handedOn = null;
        for (int i = 0; i < buckets.size(); i++) {
            Bucket b = buckets.get(i);
            HostBuffer flat = flats.get(i);
            for (int k = 0; k < b.params().size(); k++) {
                Tensor p = b.params().get(k);
                if (p == last) {
                    p.zeroGrad();
                    handedOn = flat.toTensor(b.offsets()[k], p.shape().dims());
                } else {
                    flat.writeTo(p.grad(), b.offsets()[k]);
                }
            }
        }
        return handedOn;
    }

    /** Waits for every launched all-reduce, even after one failed; throws the first failure. */
    private void awaitLaunched() {
        RuntimeException first = null;
        for (Work w : launched) {
            try {
                w.await();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        launched.clear();
        if (first != null) {
            throw first;
        }
    }

    /**
     * Throws when the last synchronised backward pass left a bucket unaveraged: some parameter got no gradient (not
     * used by the forward pass, or cut from the graph), so the ranks' gradients differ. The error then stays: every
     * later call throws it again, as PyTorch 1.13's Reducer, which never finishes that reduction, fails every later
     * forward with gradients on.
     */
    void checkFinished() {
        if (unfinished != null) {
            throw new IllegalStateException(unfinished);
        }
        if (ready.isEmpty()) {
            return;
        }
        try {
            awaitLaunched();
        } catch (RuntimeException e) {
            reset();
            throw e;
        }
        List<String> missing = new ArrayList<>();
        for (Bucket b : buckets) {
            for (int k = 0; k < b.params().size(); k++) {
                if (!ready.containsKey(b.params().get(k))) {
                    missing.add(b.names().get(k));
                }
            }
        }
        int unreduced = buckets.size() - nextToReduce;
        reset();
        unfinished = "DistributedDataParallel: a synchronised backward pass gave no gradient to " + missing + ", so "
                + unreduced + " gradient bucket(s) were never averaged and the ranks' gradients differ; every"
                + " forward with gradients on fails from then on, as PyTorch's; every trainable parameter must take"
                + " part in each synchronised backward pass (freeze the unused ones before wrapping, or run that"
                + " pass's forward under noSync())";
        throw new IllegalStateException(unfinished);
    }

    /** Forgets this pass: the next backward pass stays local until a synchronised forward arms it. */
    private void reset() {
        ready.clear();
        nextToReduce = 0;
        expecting = false;
    }
}
