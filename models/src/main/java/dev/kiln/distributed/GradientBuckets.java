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
 * (about the order a backward pass finishes them), cut into buckets of one dtype each, a bucket closed once it
 * holds at least the cap's bytes. As each parameter's gradient arrives ({@link #arrived}, from its gradient hook) its
 * bucket fills; buckets are averaged across the ranks in bucket order, each as one flat all-reduce, as soon as it and
 * every bucket before it are full.
 *
 * <p>A hook sees its parameter's new gradient before the backward pass adds it to {@code grad()}, and must hand on
 * what is to be added. So the bucket that the arriving gradient completes is averaged from every other parameter's
 * {@code grad()} (already accumulated) and, for the arriving one, its {@code grad()} plus the new gradient; the
 * averages are written back into the others' {@code grad()}, and for the arriving one its {@code grad()} is zeroed
 * and the average handed on, so that it becomes the gradient exactly (0 + x = x). Gradients accumulated locally under
 * {@link DistributedDataParallel#noSync()} are thus averaged with the next synchronised pass, as PyTorch does.
 */
final class GradientBuckets {
    private record Bucket(DType dtype, List<Tensor> params, List<String> names, int[] offsets, int length) {
    }

    private final ProcessGroup group;
    private final List<Bucket> buckets = new ArrayList<>();
    private final Map<Tensor, Integer> bucketOf = new IdentityHashMap<>();
    private final Map<Tensor, Boolean> ready = new IdentityHashMap<>();
    private int nextToReduce;

    /**
     * @param params   the trainable parameters by state-dict name, in registration order
     * @param capBytes a bucket is closed once it holds at least this many bytes
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
            if (bytes >= capBytes) {
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
    }

    /** The number of buckets. */
    int size() {
        return buckets.size();
    }

    /**
     * Parameter {@code p}'s new gradient {@code g} has arrived in a synchronised backward pass: averages every bucket
     * this completes. Returns what the backward pass is to add to {@code p.grad()} instead of {@code g}, or null for
     * {@code g} itself.
     */
    Tensor arrived(Tensor p, Tensor g) {
        ready.put(p, Boolean.TRUE);
        Tensor handedOn = null;
        while (nextToReduce < buckets.size() && full(buckets.get(nextToReduce))) {
            Tensor average = reduce(buckets.get(nextToReduce), p, g);
            handedOn = average != null ? average : handedOn;
            nextToReduce++;
        }
        if (nextToReduce == buckets.size()) {
            ready.clear();
            nextToReduce = 0;
        }
        return handedOn;
    }

    private boolean full(Bucket b) {
        for (Tensor p : b.params()) {
            if (!ready.containsKey(p)) {
                return false;
            }
        }
        return true;
    }

    /** Averages bucket {@code b}; returns the average of {@code arriving}'s gradient when it is in {@code b}. */
    private Tensor reduce(Bucket b, Tensor arriving, Tensor g) {
        HostBuffer flat = new HostBuffer(b.dtype(), b.length());
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
        group.allReduce(flat, ReduceOp.AVG);
        Tensor handedOn = null;
        for (int k = 0; k < b.params().size(); k++) {
            Tensor p = b.params().get(k);
            if (p == arriving) {
                p.zeroGrad();
                handedOn = flat.toTensor(b.offsets()[k], p.shape().dims());
            } else {
                flat.writeTo(p.grad(), b.offsets()[k]);
            }
        }
        return handedOn;
    }

    /**
     * Throws when the last synchronised backward pass left a bucket unaveraged: some parameter got no gradient (not
     * used by the forward pass, or cut from the graph), so the ranks' gradients differ. Resets for the next pass.
     */
    void checkFinished() {
        if (ready.isEmpty()) {
            return;
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
        ready.clear();
        nextToReduce = 0;
        throw new IllegalStateException("DistributedDataParallel: the last backward pass gave no gradient to "
                + missing + ", so " + unreduced + " gradient bucket(s) were never averaged and"
                + " the ranks' gradients differ; every trainable parameter must take part in each synchronised"
                + " backward pass (freeze the unused ones before wrapping, or run that pass under noSync())");
    }
}
