package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * ONNX's MaxPool Indices and MaxUnpool I count positions in the whole [N, C, spatial...] tensor; Kiln's pooling and
 * unpooling ops count them within each channel's plane (or volume). These convert between the two: a channel's
 * positions start at {@code (n C + c) * region}, region the number of positions in a plane. Kiln's arithmetic is
 * floating-point, so the sums run in F64 (exact for any index below 2^53) and come back as I64.
 */
final class PlaneIndices {
    private PlaneIndices() {
    }

    /** Per-plane indices [N, C, ...] as whole-tensor ones. */
    static Tensor wholeTensor(Tensor perPlane, long region) {
        return perPlane.to(DType.F64).add(starts(perPlane, region)).to(DType.I64);
    }

    /** Whole-tensor indices [N, C, ...] as per-plane ones. */
    static Tensor perPlane(Tensor whole, long region) {
        return whole.to(DType.F64).sub(starts(whole, region)).to(DType.I64);
    }

    /** The first position of each channel's plane, F64 [N, C, 1, ...] of the indices' rank. */
    private static Tensor starts(Tensor indices, long region) {
        int planes = indices.dim(0) * indices.dim(1);
        double[] starts = new double[planes];
        for (int k = 0; k < planes; k++) {
            starts[k] = k * region;
        }
        int[] dims = new int[indices.rank()];
        Arrays.fill(dims, 1);
        dims[0] = indices.dim(0);
        dims[1] = indices.dim(1);
        return Tensor.fromArray(starts, dims).to(indices.backend());
    }

    /**
     * Row-major positions in a plane of {@code sizes} as column-major ones (MaxPool's storage_order 1: the first
     * spatial axis varies fastest), each coordinate taken off with floor division in F64, exact for any plane.
     */
    static Tensor columnMajor(Tensor rowMajor, int[] sizes) {
        long[] weights = new long[sizes.length];
        weights[0] = 1;
        for (int k = 1; k < sizes.length; k++) {
            weights[k] = weights[k - 1] * sizes[k - 1];
        }
        Tensor rest = rowMajor.to(DType.F64);
        Tensor column = rest.fullLike(0, rest.shape());
        for (int k = sizes.length - 1; k >= 0; k--) {
            Tensor next = rest.div(sizes[k]).floor();
            column = column.add(rest.sub(next.mul(sizes[k])).mul(weights[k]));
            rest = next;
        }
        return column.to(DType.I64);
    }
}
