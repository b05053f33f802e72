package dev.kiln.data;

import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * One mini-batch in Java arrays, as {@link DataLoader} assembles it off the training thread. Turn it into
 * tensors on the training thread with {@link #features()} and {@link #labels()}; they belong to the caller's
 * current {@link dev.kiln.engine.Scope}.
 *
 * <p>The arrays are named {@code featureData}/{@code labelData} because {@code features()} and {@code labels()} are
 * the tensor accessors. They are used as given, not copied.
 *
 * <p>{@link #recycle()} hands the arrays back to the loader that filled them, which fills them again for a later
 * batch instead of allocating new ones: at batch 1024 of MNIST a batch is 3.2 MB, and memory the process has never
 * touched costs a page fault per 4 KiB on first use, several times the rest of a step's host work on a virtual
 * machine (docs/GPU.md, "Fresh memory for every batch"). Recycling is optional; a batch that is never recycled is
 * collected as usual.
 */
public final class HostBatch {
    private final float[] featureData;
    private final long[] labelData;
    private final float[] targetData;
    private final int classes;
    private final int size;
    private final int[] featureShape;
    private final BatchArrays owner;
    private boolean recycled;

    /**
     * @param featureData  [size * product(featureShape)] row-major features
     * @param labelData    [size] class indices
     * @param size         examples in this batch (the last batch of an epoch may be smaller than the rest)
     * @param featureShape shape of one example, e.g. {1, 28, 28}
     */
    public HostBatch(float[] featureData, long[] labelData, int size, int[] featureShape) {
        this(featureData, labelData, null, 0, size, featureShape, null);
    }

    /**
     * A batch with soft targets, as a {@link BatchAugmentation} makes it.
     *
     * @param targetData [size * classes] row-major class probabilities
     * @param labelData  [size] each row's dominant class (see {@link #labelData()})
     */
    public HostBatch(float[] featureData, long[] labelData, float[] targetData, int classes, int size,
                     int[] featureShape) {
        this(featureData, labelData, Objects.requireNonNull(targetData, "targetData"), classes, size, featureShape,
                null);
    }

    HostBatch(float[] featureData, long[] labelData, int size, int[] featureShape, BatchArrays owner) {
        this(featureData, labelData, null, 0, size, featureShape, owner);
    }

    private HostBatch(float[] featureData, long[] labelData, float[] targetData, int classes, int size,
                      int[] featureShape, BatchArrays owner) {
        this.featureData = Objects.requireNonNull(featureData, "featureData");
        this.labelData = Objects.requireNonNull(labelData, "labelData");
        if (targetData != null && (classes < 1 || targetData.length != (long) size * classes)) {
            throw new IllegalArgumentException("HostBatch: " + targetData.length + " target values for " + size
                    + " examples of " + classes + " classes");
        }
        this.targetData = targetData;
        this.classes = classes;
        this.featureShape = Objects.requireNonNull(featureShape, "featureShape").clone();
        if (size < 0 || labelData.length != size) {
            throw new IllegalArgumentException("HostBatch: size " + size + " but " + labelData.length + " labels");
        }
        long perExample = Datasets.product(featureShape);
        if (featureData.length != size * perExample) {
            throw new IllegalArgumentException("HostBatch: " + featureData.length + " feature values for " + size
                    + " examples of shape " + Arrays.toString(featureShape));
        }
        this.size = size;
        this.owner = owner;
    }

    /** [size * product(featureShape)] row-major features. */
    public float[] featureData() {
        requireNotRecycled("featureData()");
        return featureData;
    }

    /**
     * [size] class indices. In a batch with soft targets ({@link #targetData()}), each row's dominant class: the first
     * of its largest target values, as torchvision's reference training reads a mixed target for its accuracy
     * ({@code target.max(dim=1)[1]}).
     */
    public long[] labelData() {
        requireNotRecycled("labelData()");
        return labelData;
    }

    /** [size * classes] row-major soft targets (class probabilities), or null for a batch of class indices alone. */
    public float[] targetData() {
        requireNotRecycled("targetData()");
        return targetData;
    }

    /** Classes of a row of {@link #targetData()}, or 0 without soft targets. */
    public int classes() {
        return classes;
    }

    /** Examples in this batch (the last batch of an epoch may be smaller than the rest). */
    public int size() {
        return size;
    }

    /** A copy of the shape of one example. */
    public int[] featureShape() {
        return featureShape.clone();
    }

    /** The features as an F32 tensor [size, ...featureShape], created in the caller's scope. */
    public Tensor features() {
        requireNotRecycled("features()");
        int[] dims = new int[featureShape.length + 1];
        dims[0] = size;
        System.arraycopy(featureShape, 0, dims, 1, featureShape.length);
        return Tensor.fromArray(featureData, dims);
    }

    /** The labels as an I64 tensor [size], created in the caller's scope. */
    public Tensor labels() {
        requireNotRecycled("labels()");
        return Tensor.fromArray(labelData, size);
    }

    /**
     * What a loss compares the scores with, created in the caller's scope: the soft targets as an F32 tensor
     * [size, classes] (class probabilities, which {@link dev.kiln.nn.CrossEntropyLoss} takes as PyTorch's does), or
     * without them {@link #labels()}.
     */
    public Tensor targets() {
        requireNotRecycled("targets()");
        return targetData == null ? labels() : Tensor.fromArray(targetData, size, classes);
    }

    /**
     * This batch with soft targets {@code targetData} [size * classes], and its labels overwritten with each row's
     * dominant class; it shares this batch's arrays and gives them back to the same loader.
     */
    HostBatch withTargets(float[] targetData, int classes) {
        HostBatch mixed = new HostBatch(featureData, labelData, targetData, classes, size, featureShape, owner);
        for (int i = 0; i < size; i++) {
            labelData[i] = dominantClass(targetData, i * classes, classes);
        }
        return mixed;
    }

    /** The first class of a row's largest target. */
    private static int dominantClass(float[] targets, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (targets[row + c] > targets[row + best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Hands this batch's arrays back to the loader that filled them, to be filled again for a later batch. Call it
     * once the arrays have been copied into tensors ({@link #features()}, {@link #labels()} copy them); afterwards
     * this batch refuses to give its data. Calling it again does nothing; for a batch not made by a loader it
     * only marks the batch as used up.
     */
    public void recycle() {
        if (recycled) {
            return;
        }
        recycled = true;
        if (owner != null) {
            owner.giveBack(featureData, labelData);
        }
    }

    private void requireNotRecycled(String what) {
        if (recycled) {
            throw new IllegalStateException("HostBatch." + what + ": this batch of " + size + " was recycled, and its"
                    + " arrays may already hold a later batch; take what you need before recycle()");
        }
    }

    @Override
    public String toString() {
        return "HostBatch[" + size + " x " + Arrays.toString(featureShape) + (recycled ? ", recycled]" : "]");
    }
}
