package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * {@link dev.kiln.engine.Backend#sortLastAxis} on the device (sort.cu): rows of up to {@link #TILE} elements are
 * sorted in shared memory in one launch, many short rows to a block; a longer row is sorted a tile at a time into a
 * scratch copy, then merged pairwise in ceil(log2(tiles)) passes, the last writing the first k of each row.
 */
final class CudaSort {
    /** Elements a block sorts in shared memory: KILN_SORT_TILE of sort.cu. */
    static final int TILE = 2048;

    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaSort(CudaKernels kernels, KernelLauncher launcher) {
        this.kernels = kernels;
        this.launcher = launcher;
    }

    void sortLastAxis(Tensor x, boolean descending, Tensor values, Tensor indices) {
        long n = x.dim(x.rank() - 1);
        long k = values.dim(values.rank() - 1);
        if (x.size() == 0 || k == 0) {
            return;
        }
        long rows = x.size() / n;
        long tiles = (n + TILE - 1) / TILE;
        if (tiles == 1) {
            sortTiles(x, values, indices, rows, n, k, descending);
            return;
        }
        Tensor[] from = null;
        Tensor[] to = null;
        try {
            from = scratch(x);
            to = tiles > 2 ? scratch(x) : null;
            sortTiles(x, from[0], from[1], rows, n, n, descending);
            for (long width = TILE; width < n; width *= 2) {
                boolean last = 2 * width >= n;
                Tensor mergedValues = last ? values : to[0];
                Tensor mergedIndices = last ? indices : to[1];
                launcher.begin().pointer(from[0]).pointer(from[1]).pointer(mergedValues).pointer(mergedIndices)
                        .int64(rows).int64(n).int64(last ? k : n).int64(width).int32(descending ? 1 : 0)
                        .launch(kernels.function(Kernel.SORT_MERGE, x.dtype()), launcher.blocksFor(rows * n));
                if (!last) {
                    Tensor[] swap = from;
                    from = to;
                    to = swap;
                }
            }
        } finally {
            close(from);
            close(to);
        }
    }

    /** Sorts every tile of each row of x [rows, n] and writes the first k places of each to rows of [rows, k]. */
    private void sortTiles(Tensor x, Tensor values, Tensor indices, long rows, long n, long k, boolean descending) {
        long tilesPerRow = (n + TILE - 1) / TILE;
        long padded = Long.highestOneBit(Math.min(n, TILE) * 2 - 1);
        long tilesPerBlock = TILE / padded;
        long blocks = (rows * tilesPerRow + tilesPerBlock - 1) / tilesPerBlock;
        launcher.begin().pointer(x).pointer(values).pointer(indices).int64(rows).int64(n).int64(k)
                .int32(descending ? 1 : 0)
                .launch(kernels.function(Kernel.SORT_TILES, x.dtype()), launcher.blocksForRows(blocks));
    }

    /** Values and I64 positions of x's shape, for the merge passes. */
    private static Tensor[] scratch(Tensor x) {
        Tensor values = Tensor.empty(x.shape(), x.dtype(), x.backend());
        try {
            return new Tensor[] {values, Tensor.empty(x.shape(), DType.I64, x.backend())};
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
    }

    private static void close(Tensor[] pair) {
        if (pair != null) {
            pair[0].close();
            pair[1].close();
        }
    }
}
