package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * PyTorch's {@code F.affine_grid}: the sampling grid of a batch of affine transforms. The output positions' normalised
 * coordinates (x, y[, z], 1), the base grid, are computed on the host and uploaded once per call; each batch entry's
 * grid is that base times its transposed theta, one batched matmul. The gradient of theta is the output's gradient,
 * transposed, times the base grid.
 */
final class AffineGridOps {
    private static final String OP = "affineGrid";

    private AffineGridOps() {
    }

    static Tensor affineGrid(Tensor theta, int[] size, boolean alignCorners) {
        check(theta, size);
        int batch = size[0];
        int[] spatial = Arrays.copyOfRange(size, 2, size.length);
        int axes = spatial.length;
        int points = Checks.dimension(OP, "the output positions of size " + Arrays.toString(size),
                Arrays.stream(spatial).asLongStream().reduce(1, (a, b) -> a * b));
        int[] dims = Arrays.copyOf(size, size.length);
        System.arraycopy(spatial, 0, dims, 1, axes);
        dims[size.length - 1] = axes;
        Tensor base = baseGrid(theta, spatial, points, alignCorners);
        Tensor out = Composite.untracked(() -> base.matmul(theta.transpose(1, 2)).reshape(dims));
        out.recordWithSaved(OP, new Tensor[] {theta}, Node.differentiable(g -> new Tensor[] {Composite.gradient(
                () -> g.reshape(batch, points, axes).transpose(1, 2).matmul(base))}), base);
        return out;
    }

    /**
     * [points, axes + 1]: each output position's (x, y[, z], 1), x along the last axis; positions in row-major order.
     */
    private static Tensor baseGrid(Tensor like, int[] spatial, int points, boolean alignCorners) {
        int axes = spatial.length;
        double[] values = new double[points * (axes + 1)];
        for (int p = 0; p < points; p++) {
            int rest = p;
            for (int a = axes - 1; a >= 0; a--) {
                int component = axes - 1 - a;
                values[p * (axes + 1) + component] = normalised(rest % spatial[a], spatial[a], alignCorners);
                rest /= spatial[a];
            }
            values[p * (axes + 1) + axes] = 1;
        }
        Tensor base = like.emptyLike(Shape.of(points, axes + 1), like.dtype());
        if (like.dtype() == DType.F64) {
            like.backend().copyFromHost(DoubleBuffer.wrap(values), base);
        } else {
            float[] floats = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                floats[i] = (float) values[i];
            }
            like.backend().copyFromHost(FloatBuffer.wrap(floats), base);
        }
        return base;
    }

    /**
     * Position i of n in [-1, 1]: the pixels' centres spread over it with alignCorners, shrunk by (n - 1) / n without
     * (so that the outer pixels' edges lie at -1 and 1); 0 for a single position, as PyTorch's linspace helper.
     */
    private static double normalised(int i, int n, boolean alignCorners) {
        if (n <= 1) {
            return 0;
        }
        double x = -1 + 2.0 * i / (n - 1);
        return alignCorners ? x : x * (n - 1) / n;
    }

    private static void check(Tensor theta, int[] size) {
        Checks.open(OP, theta);
        Checks.floating(OP, theta);
        if (size == null || (size.length != 4 && size.length != 5)) {
            throw new IllegalArgumentException(OP + ": size must be (N, C, H, W) or (N, C, D, H, W), got "
                    + Arrays.toString(size));
        }
        int axes = size.length - 2;
        if (theta.rank() != 3 || theta.dim(1) != axes || theta.dim(2) != axes + 1) {
            throw new IllegalArgumentException(OP + ": theta must be [N, " + axes + ", " + (axes + 1) + "] for size "
                    + Arrays.toString(size) + ", got " + theta.shape());
        }
        if (theta.dim(0) != size[0]) {
            throw new IllegalArgumentException(OP + ": size " + Arrays.toString(size) + " has batch " + size[0]
                    + ", but theta " + theta.shape() + " has " + theta.dim(0));
        }
        for (int s : size) {
            if (s < 1) {
                throw new IllegalArgumentException(OP + ": size must be positive, got " + Arrays.toString(size));
            }
        }
    }
}
