package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PyTorch 2's {@code unravel_index} (PyTorch 1.13 has none): flat indices into a shape turned into one coordinate
 * tensor per axis, as PyTorch 2 computes them, {@code floor(index / stride) mod size} in I64, so a negative index
 * counts from the end and one past the end wraps round, as there.
 */
final class UnravelIndexOps {
    private UnravelIndexOps() {
    }

    static List<Tensor> unravelIndex(Tensor indices, int... shape) {
        String op = "unravelIndex";
        Checks.open(op, indices);
        if (indices.dtype().isFloating()) {
            throw new IllegalArgumentException("unravelIndex: indices must be I32 or I64, got " + indices.dtype());
        }
        long stride = 1;
        long[] strides = new long[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            if (shape[k] <= 0) {
                throw new IllegalArgumentException("unravelIndex: shape " + Arrays.toString(shape)
                        + " must have positive sizes, got " + shape[k] + " at axis " + k);
            }
            strides[k] = stride;
            stride = Math.multiplyExact(stride, shape[k]);
        }
        List<Tensor> coordinates = new ArrayList<>();
        for (int k = 0; k < shape.length; k++) {
            int axis = k;
            coordinates.add(Composite.untracked(() -> {
                Tensor flat = indices.to(DType.I64);
                return flat.floorDivide(flat.fullLike(strides[axis], Shape.of()))
                        .remainder(flat.fullLike(shape[axis], Shape.of()));
            }));
        }
        return coordinates;
    }
}
