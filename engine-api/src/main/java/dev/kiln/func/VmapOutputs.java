package dev.kiln.func;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How {@link Vmap} puts f's per-slice results together: stacked along the out-dims, then chunks concatenated. */
final class VmapOutputs {
    private VmapOutputs() {
    }

    /** The slices' results (trees of one structure and shapes) stacked leaf by leaf along their out-dim. */
    static Object stack(List<Object> results, Integer[] outDims) {
        Object template = results.get(0);
        List<Integer> dims = leafDims(template, outDims);
        List<List<Object>> bySlice = new ArrayList<>();
        for (Object result : results) {
            bySlice.add(checkedLeaves(result, dims));
        }
        List<Object> stacked = new ArrayList<>();
        for (int j = 0; j < dims.size(); j++) {
            Integer d = dims.get(j);
            if (d == null) {
                stacked.add(unbatched(bySlice, j));
                continue;
            }
            List<Tensor> parts = new ArrayList<>();
            for (List<Object> leaves : bySlice) {
                parts.add(checkedShape((Tensor) leaves.get(j), (Tensor) bySlice.get(0).get(j), j));
            }
            stacked.add(Tensor.stack(parts, axis(d, parts.get(0).rank() + 1, j)));
        }
        return Trees.rebuild(template, stacked.iterator());
    }

    /** Stacked chunks concatenated leaf by leaf along their out-dim. */
    static Object concat(List<Object> chunks, Integer[] outDims) {
        Object template = chunks.get(0);
        List<Integer> dims = leafDims(template, outDims);
        List<Object> joined = new ArrayList<>();
        for (int j = 0; j < dims.size(); j++) {
            Integer d = dims.get(j);
            if (d == null) {
                List<List<Object>> byChunk = new ArrayList<>();
                for (Object chunk : chunks) {
                    byChunk.add(Trees.leaves(chunk));
                }
                joined.add(unbatched(byChunk, j));
                continue;
            }
            List<Tensor> parts = new ArrayList<>();
            for (Object chunk : chunks) {
                parts.add((Tensor) Trees.leaves(chunk).get(j));
            }
            joined.add(Tensor.cat(parts, axis(d, parts.get(0).rank(), j)));
        }
        return Trees.rebuild(template, joined.iterator());
    }

    /** Each leaf's out-dim: the one entry for all, or entry k for the leaves of the k-th element of a list result. */
    private static List<Integer> leafDims(Object template, Integer[] outDims) {
        int leaves = Trees.leaves(template).size();
        List<Integer> dims = new ArrayList<>();
        if (outDims.length == 1) {
            for (int j = 0; j < leaves; j++) {
                dims.add(outDims[0]);
            }
            return dims;
        }
        if (!(template instanceof List<?> list) || list.size() != outDims.length) {
            throw new IllegalArgumentException("vmap(f, ..., out_dims=" + Arrays.toString(outDims) + ")(<inputs>):"
                    + " out_dims is not compatible with the structure of `outputs`: " + outDims.length
                    + " out_dims need f to return a List of " + outDims.length + ", got " + Trees.kind(template));
        }
        for (int k = 0; k < list.size(); k++) {
            for (int j = 0; j < Trees.leaves(list.get(k)).size(); j++) {
                dims.add(outDims[k]);
            }
        }
        return dims;
    }

    private static List<Object> checkedLeaves(Object result, List<Integer> dims) {
        List<Object> leaves = Trees.leaves(result);
        if (leaves.size() != dims.size()) {
            throw new IllegalArgumentException("vmap(f, ...): `f` returned " + leaves.size() + " outputs for one slice"
                    + " and " + dims.size() + " for the first; it must return the same structure for every slice");
        }
        for (int j = 0; j < leaves.size(); j++) {
            if (dims.get(j) != null && !(leaves.get(j) instanceof Tensor)) {
                throw new IllegalArgumentException("vmap(f, ...): `f` must only return Tensors, got type "
                        + Trees.kind(leaves.get(j)) + " for return " + j + ". Did you mean to set its out_dim to null?");
            }
        }
        return leaves;
    }

    /**
     * Leaf j of a result whose out-dim is null: the first slice's, which must be every slice's. PyTorch refuses a
     * result that depends on the mapped inputs there (a BatchedTensor); running f per slice, Kiln sees the values, so
     * it refuses one that differs between slices rather than return the first slice's as if it were everyone's.
     */
    private static Object unbatched(List<List<Object>> bySlice, int j) {
        Object first = bySlice.get(0).get(j);
        if (first instanceof Tensor t) {
            double[] values = null;
            for (List<Object> leaves : bySlice) {
                if (leaves.get(j) == first) {
                    continue;
                }
                if (values == null) {
                    values = t.toDoubleArray();
                }
                if (!(leaves.get(j) instanceof Tensor other) || !other.shape().equals(t.shape())
                        || !Arrays.equals(values, other.toDoubleArray())) {
                    throw new IllegalArgumentException("vmap(f, ...): `f` can not return a BatchedTensor when out_dim"
                            + " is None: return " + j + " differs between slices, so it depends on the mapped inputs;"
                            + " give it an out_dim");
                }
            }
        }
        return first;
    }

    private static Tensor checkedShape(Tensor t, Tensor first, int j) {
        if (!t.shape().equals(first.shape())) {
            throw new IllegalArgumentException("vmap(f, ...): return " + j + " of `f` has shape " + t.shape()
                    + " for one slice and " + first.shape() + " for the first; every slice's must be equal to stack"
                    + " them");
        }
        return t;
    }

    private static int axis(int dim, int rank, int j) {
        if (dim < -rank || dim >= rank) {
            throw new IllegalArgumentException("vmap(f, ..., out_dims=" + dim + "): for return " + j + " of rank "
                    + (rank - 1) + " per slice, out_dim must satisfy -" + rank + " <= out_dim < " + rank);
        }
        return Math.floorMod(dim, rank);
    }
}
