package dev.kiln.data;

import dev.kiln.engine.Tensor;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A fixed, indexable set of labelled examples for classification: example {@code i} has float features of
 * shape {@link #featureShape()} (for MNIST [1, 28, 28]) and a class index {@code label(i)} in
 * {@code [0, classes())}.
 *
 * <p>{@link DataLoader} reads examples on its worker threads, several at once with {@link DataLoader#withWorkers}, so
 * implementations must allow concurrent reads from threads other than the one that built them (immutable data, as
 * in every implementation here, does).
 */
public interface Dataset {
    /**
     * A data set of {@code size} examples, example {@code i} being {@code getItem.apply(i)}: PyTorch's custom
     * {@code Dataset} with {@code __len__} and {@code __getitem__}, as a lambda. Each example's features must hold
     * {@code product(featureShape)} values and its label lie in {@code [0, classes)}; a read that breaks either is
     * refused naming the example. The function is called once for an example's features and once for its label, and
     * a {@link DataLoader} may call it from several threads at once: keep it cheap and free of shared mutable state.
     *
     * @param featureShape the shape of one example's features, e.g. {1, 28, 28}
     */
    static Dataset of(int size, int[] featureShape, int classes, IntFunction<Example> getItem) {
        return new FunctionDataset(size, featureShape, classes, getItem);
    }

    /** Number of examples. */
    int size();

    /** Shape of one example's features, without the batch dimension (a copy the caller may keep). */
    int[] featureShape();

    /**
     * Copies the features of example {@code index}, {@link #featureSize()} floats in row-major order, into
     * {@code dst[offset ...]}.
     */
    void copyFeatures(int index, float[] dst, int offset);

    /** Class index of example {@code index}, in {@code [0, classes())}. */
    long label(int index);

    /** Number of classes. */
    int classes();

    /**
     * The features of example {@code index} as an F32 tensor of {@link #featureShape()} (for MNIST [1, 28, 28]),
     * created in the caller's scope: PyTorch's {@code dataset[index][0]}; {@link #label(int)} is its {@code [1]}.
     */
    default Tensor features(int index) {
        Objects.checkIndex(index, size());
        float[] values = new float[featureSize()];
        copyFeatures(index, values, 0);
        return Tensor.fromArray(values, featureShape());
    }

    /** Floats per example: the product of {@link #featureShape()}. */
    default int featureSize() {
        return Datasets.product(featureShape());
    }
}
