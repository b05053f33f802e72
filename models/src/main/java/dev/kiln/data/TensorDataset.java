package dev.kiln.data;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * A {@link Dataset} over a features tensor and a labels tensor, PyTorch's {@code TensorDataset(x, y)}: example
 * {@code i} is {@code (x[i], y[i])}. Features {@code [n, ...]} (F32 or F64; the shape after the first axis is each
 * example's, {@code [784]} for the flattened MNIST of "What is torch.nn really?"), labels {@code [n]} class indices
 * (I64 or I32, none negative); the classes are {@code max(y) + 1}. The values are copied to the host once, when it is
 * made, so the tensors may be closed afterwards and a {@link DataLoader} reads it from its threads. Batches hold F32
 * features and I64 labels whatever the tensors' dtypes ({@link HostBatch}'s), where PyTorch's keep them: F64
 * features are rounded to F32.
 *
 * <p>{@link #slice(int, int)} is PyTorch's {@code ds[start:end]}, a whole mini-batch at once; a {@link DataLoader}
 * over it batches as PyTorch's over a {@code TensorDataset} does.
 */
public final class TensorDataset implements Dataset {
    private final ArrayDataset data;
    private final float[] features;
    private final long[] labels;
    private final int[] featureShape;

    /**
     * @param features [n, ...] F32 or F64
     * @param labels   [n] I64 or I32 class indices, each in [0, 2^31 - 1)
     * @throws IllegalArgumentException where the shapes, dtypes or labels are not those
     */
    public TensorDataset(Tensor features, Tensor labels) {
        if (features == null || labels == null) {
            throw new IllegalArgumentException("TensorDataset: features " + features + " and labels " + labels
                    + "; both are needed");
        }
        if (features.rank() < 1 || !features.dtype().isFloating()) {
            throw new IllegalArgumentException("TensorDataset: features must be F32 or F64 [n, ...], got "
                    + features.describe());
        }
        if (labels.rank() != 1 || labels.dtype().isFloating() || labels.dim(0) != features.dim(0)) {
            throw new IllegalArgumentException("TensorDataset: labels must be I64 or I32 [" + features.dim(0)
                    + "] (one class index per example of features " + features.describe() + "), got "
                    + labels.describe());
        }
        this.featureShape = Arrays.copyOfRange(features.shape().dims(), 1, features.rank());
        this.features = features.dtype() == DType.F32 ? features.toFloatArray() : floats(features.toDoubleArray());
        this.labels = labels.toLongArray();
        long max = -1;
        for (int i = 0; i < this.labels.length; i++) {
            if (this.labels[i] < 0 || this.labels[i] >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("TensorDataset: label " + this.labels[i] + " of example " + i
                        + " is not a class index; expected 0 <= label < " + Integer.MAX_VALUE);
            }
            max = Math.max(max, this.labels[i]);
        }
        this.data = new ArrayDataset(this.features, this.labels, featureShape, (int) Math.max(1, max + 1));
    }

    private static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /**
     * Examples {@code start} to {@code end} (exclusive) as one batch, PyTorch's {@code xb, yb = ds[start:end]} with
     * {@code xb = batch.features()}, {@code yb = batch.labels()}: an {@code end} past the last example stops at it, as
     * Python's slices do, so the last mini-batch of {@code ds[i * bs : i * bs + bs]} may be smaller.
     *
     * @throws IllegalArgumentException where {@code start} is not an example's index or {@code end <= start}
     */
    public HostBatch slice(int start, int end) {
        if (start < 0 || start >= size() || end <= start) {
            throw new IllegalArgumentException("TensorDataset.slice: [" + start + ", " + end + ") of " + size()
                    + " examples; expected 0 <= start < " + size() + " and end > start");
        }
        int stop = Math.min(end, size());
        int featureSize = featureSize();
        return new HostBatch(Arrays.copyOfRange(features, start * featureSize, stop * featureSize),
                Arrays.copyOfRange(labels, start, stop), stop - start, featureShape.clone());
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] featureShape() {
        return featureShape.clone();
    }

    @Override
    public void copyFeatures(int index, float[] dst, int offset) {
        data.copyFeatures(index, dst, offset);
    }

    @Override
    public long label(int index) {
        return data.label(index);
    }

    @Override
    public int classes() {
        return data.classes();
    }
}
