package dev.kiln.func;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's {@code torch.func.vmap(f, in_dims, out_dims, randomness, chunk_size)}: {@code f} mapped over a batch
 * dimension of its arguments, its results stacked along a batch dimension of theirs. Made by {@link Func#vmap}.
 *
 * <p>Kiln has no batching rules, so this runs {@code f} once per slice and stacks the results: what PyTorch itself
 * does for an op without a batching rule (its slow fallback). The results are exactly the loop's, the convenience is
 * the transform (per-sample gradients as {@code vmap(grad(loss))}), not speed. The slices are recorded
 * {@code narrow}s and the stacking an op, so a loss of the result backpropagates to the arguments. Random ops are
 * seen through the engine's stream ({@link Engine#counter()}), which is process-wide: under
 * {@link Randomness#ERROR} another thread drawing meanwhile reads as a draw of f's.
 *
 * <p>Argument {@code i} is mapped along {@code inDims[i]} (negative counts from the end; null passes the argument
 * whole to every slice); a mapped argument that is a list, map or record is mapped along that dimension in each of
 * its tensors. Result leaf tensors are stacked along {@code outDims} (one entry for every result, or one per element of
 * a list result; null returns the first slice's result unstacked, for a result that does not vary over the batch:
 * one that differs between slices is refused, as PyTorch refuses a batched one, and one that is no tensor passes).
 */
public final class Vmap implements Fn {
    private final Fn f;
    private final Integer[] inDims;
    private final Integer[] outDims;
    private final Integer chunkSize;
    private final Randomness randomness;

    Vmap(Fn f, Integer[] inDims, Integer[] outDims, Integer chunkSize, Randomness randomness) {
        if (f == null) {
            throw new IllegalArgumentException("vmap: f is null");
        }
        if (outDims == null || outDims.length == 0) {
            throw new IllegalArgumentException("vmap: outDims must have at least one entry, got "
                    + Arrays.toString(outDims));
        }
        if (chunkSize != null && chunkSize < 1) {
            throw new IllegalArgumentException("vmap: chunkSize should be None or greater than 0. (got " + chunkSize
                    + ")");
        }
        if (randomness == null) {
            throw new IllegalArgumentException("vmap: randomness is null; use Randomness.ERROR, DIFFERENT or SAME");
        }
        this.f = f;
        this.inDims = inDims == null ? null : inDims.clone();
        this.outDims = outDims.clone();
        this.chunkSize = chunkSize;
        this.randomness = randomness;
    }

    /**
     * This transform computing {@code chunkSize} slices at a time, PyTorch's {@code chunk_size}: the results are the
     * same; where the results record no graph, what f makes for a chunk is freed once its results are stacked,
     * bounding the memory by a chunk's.
     *
     * @param chunkSize null for the whole batch at once, else at least 1
     */
    public Vmap chunkSize(Integer chunkSize) {
        return new Vmap(f, inDims, outDims, chunkSize, randomness);
    }

    /** This transform with random ops inside f treated as {@code randomness} (default {@link Randomness#ERROR}). */
    public Vmap randomness(Randomness randomness) {
        return new Vmap(f, inDims, outDims, chunkSize, randomness);
    }

    /**
     * f over the batch: {@code result = stack([f(slice_0), f(slice_1), ...], outDims)}.
     *
     * @throws IllegalArgumentException for no arguments, inDims of another length than the arguments, no mapped
     *     argument, a mapped leaf that is no tensor, a dimension out of range, mapped sizes that differ (naming each
     *     argument and size), a batch of size 0, results with an out-dim that are not tensors or differ in shape
     *     between slices, or results with a null out-dim that differ between slices
     * @throws IllegalStateException for a random op inside f under {@link Randomness#ERROR}
     */
    @Override
    public Object apply(Object... args) {
        List<Mapped> mapped = mappedArguments(args);
        int batch = batchSize(mapped);
        int chunk = chunkSize == null ? batch : Math.min(chunkSize, batch);
        Engine engine = Engine.get();
        long seed = engine.seed();
        long start = engine.counter();
        if (chunk == batch) {
            return runChunk(args, mapped, 0, batch, seed, start);
        }
        try (Scope scope = Scope.open()) {
            List<Object> chunks = new ArrayList<>();
            for (int first = 0; first < batch; first += chunk) {
                chunks.add(runChunk(args, mapped, first, Math.min(first + chunk, batch), seed, start));
            }
            return handOut(scope, VmapOutputs.concat(chunks, outDims));
        }
    }

    /** f on slices {@code [from, to)}, stacked; what f made is freed unless a graph of the results reads it. */
    private Object runChunk(Object[] args, List<Mapped> mapped, int from, int to, long seed, long start) {
        try (Scope scope = Scope.open()) {
            return handOut(scope, VmapOutputs.stack(slices(args, mapped, from, to, seed, start), outDims));
        }
    }

    /**
     * Hands {@code results} out of {@code scope}, freeing the rest of what it holds (the slices, f's intermediates,
     * the per-slice results stacked) unless the results record a graph, which may read all of it.
     */
    private static Object handOut(Scope scope, Object results) {
        return Trees.handOut(scope, results, Trees.tensors(results).stream().anyMatch(Tensor::requiresGrad));
    }

    private List<Object> slices(Object[] args, List<Mapped> mapped, int from, int to, long seed, long start) {
        List<Object> results = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (randomness == Randomness.SAME) {
                Engine.restoreRandomState(seed, start);
            }
            long before = Engine.get().counter();
            Object result = f.apply(slice(args, mapped, i));
            if (randomness == Randomness.ERROR && Engine.get().counter() != before) {
                Engine.restoreRandomState(seed, before);
                throw new IllegalStateException("vmap: called random operation while in randomness error mode. Please"
                        + " either use the 'same' or 'different' randomness flags on vmap or perform the randomness"
                        + " operation out of vmap");
            }
            results.add(result);
        }
        return results;
    }

    /** The arguments of slice {@code i}: each mapped one's tensors narrowed to index i along their dimension. */
    private static Object[] slice(Object[] args, List<Mapped> mapped, int i) {
        Object[] out = args.clone();
        for (Mapped m : mapped) {
            out[m.argument()] = Trees.mapTensors(args[m.argument()], t -> {
                int dim = Math.floorMod(m.dim(), t.rank());
                return t.narrow(dim, i, 1).squeeze(dim);
            });
        }
        return out;
    }

    /** One mapped argument: its index, its in-dim as given, and the size of each of its tensors there. */
    private record Mapped(int argument, int dim, List<Integer> sizes) {
    }

    private List<Mapped> mappedArguments(Object[] args) {
        if (args == null || args.length == 0) {
            throw new IllegalArgumentException("vmap(f)(<inputs>): got no inputs. Maybe you forgot to add inputs, or"
                    + " you are trying to vmap over a function with no inputs. The latter is unsupported.");
        }
        if (inDims != null && inDims.length != args.length) {
            throw new IllegalArgumentException("vmap(f, in_dims=" + Arrays.toString(inDims) + ", ...)(<inputs>): in_dims"
                    + " is not compatible with the structure of `inputs`: " + inDims.length + " in_dims for "
                    + args.length + " arguments");
        }
        List<Mapped> mapped = new ArrayList<>();
        for (int a = 0; a < args.length; a++) {
            Integer dim = inDims == null ? Integer.valueOf(0) : inDims[a];
            if (dim != null) {
                mapped.add(new Mapped(a, dim, sizes(a, dim, args[a])));
            }
        }
        if (mapped.isEmpty()) {
            throw new IllegalArgumentException("vmap(f, in_dims=" + Arrays.toString(inDims) + ", ...)(<inputs>): at"
                    + " least one argument must be mapped over (an in_dims entry that is not null, for a Tensor)");
        }
        return mapped;
    }

    private List<Integer> sizes(int argument, int dim, Object arg) {
        List<Integer> sizes = new ArrayList<>();
        for (Object leaf : Trees.leaves(arg)) {
            if (!(leaf instanceof Tensor t)) {
                throw new IllegalArgumentException("vmap(f, in_dims=" + Arrays.toString(inDims) + ", ...)(<inputs>):"
                        + " Got in_dim=" + dim + " for an input but the input is of type " + Trees.kind(leaf)
                        + " (argument " + argument + "). We cannot vmap over non-Tensor arguments, please use None"
                        + " (null) as the respective in_dim");
            }
            if (dim < -t.rank() || dim >= t.rank()) {
                throw new IllegalArgumentException("vmap(f, in_dims=" + Arrays.toString(inDims) + ", ...)(<inputs>):"
                        + " Got in_dim=" + dim + " for argument " + argument + ", but that input is a Tensor of"
                        + " dimensionality " + t.rank() + " so expected in_dim to satisfy -" + t.rank()
                        + " <= in_dim < " + t.rank() + ".");
            }
            sizes.add(t.shape().dim(Math.floorMod(dim, t.rank())));
        }
        return sizes;
    }

    private static int batchSize(List<Mapped> mapped) {
        List<Integer> all = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        for (Mapped m : mapped) {
            all.addAll(m.sizes());
            where.append(where.length() == 0 ? "" : ", ").append("argument ").append(m.argument()).append(" along dim ")
                    .append(m.dim()).append(": ").append(m.sizes().size() == 1 ? m.sizes().get(0) : m.sizes());
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("vmap: the mapped arguments hold no Tensor (" + where + ")");
        }
        if (all.stream().distinct().count() > 1) {
            throw new IllegalArgumentException("vmap: Expected all tensors to have the same size in the mapped"
                    + " dimension, got sizes " + all + " for the mapped dimension (" + where + ")");
        }
        if (all.get(0) == 0) {
            throw new IllegalArgumentException("vmap: the mapped dimension has size 0 (" + where + "); Kiln's vmap runs f"
                    + " once per slice, so with no slice it cannot know the shape of f's result");
        }
        return all.get(0);
    }
}
