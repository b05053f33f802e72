package dev.kiln.train;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.Example;
import dev.kiln.data.ExampleStream;
import dev.kiln.data.IterableDataset;
import dev.kiln.data.WorkerInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/** A test stream: an {@link ArrayDataset}'s examples in index order, every pass; records the epochs it is opened for. */
final class ArrayStream implements IterableDataset {
    private final ArrayDataset data;
    private final List<Integer> epochs = new CopyOnWriteArrayList<>();

    ArrayStream(ArrayDataset data) {
        this.data = data;
    }

    /** The epochs of the passes opened so far, in order. */
    List<Integer> epochs() {
        return List.copyOf(epochs);
    }

    @Override
    public int[] featureShape() {
        return data.featureShape();
    }

    @Override
    public int classes() {
        return data.classes();
    }

    @Override
    public ExampleStream open(WorkerInfo worker) {
        epochs.add(worker.epoch());
        int size = data.featureSize();
        return ExampleStream.of(IntStream.range(0, data.size()).mapToObj(i -> {
            float[] features = new float[size];
            data.copyFeatures(i, features, 0);
            return new Example(features, data.label(i));
        }).iterator());
    }
}
