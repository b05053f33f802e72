package dev.kiln.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * MNIST or Fashion-MNIST as a {@link Dataset}: features [1, 28, 28] (pixels in [0, 1]; flatten them for an
 * MLP), labels 0..9, {@link Mnist#CLASSES} classes. Built on {@link Mnist}, sharing its arrays.
 */
public final class MnistDataset implements Dataset {
    private static final int[] SHAPE = {1, 28, 28};

    private final Mnist mnist;

    private MnistDataset(Mnist mnist) {
        this.mnist = mnist;
    }

    /**
     * Loads one half of {@code name} from the data directory ({@link DataDirectory}).
     *
     * @param dataDirOrNull an explicit data root, or null for the default search
     * @param name          "mnist" or "fashion-mnist"
     */
    public static MnistDataset load(Path dataDirOrNull, String name, Mnist.Split split)
            throws IOException, DataDirectory.DataMissingException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(split, "split");
        if (!name.equals("mnist") && !name.equals("fashion-mnist")) {
            throw new IllegalArgumentException("unknown data set '" + name + "': expected mnist or fashion-mnist");
        }
        return of(Mnist.load(dataDirOrNull, name, split));
    }

    /** Wraps an already loaded {@link Mnist} (its arrays are shared, not copied). */
    public static MnistDataset of(Mnist mnist) {
        Objects.requireNonNull(mnist, "mnist");
        if (mnist.pixels().length != (long) mnist.count() * Mnist.PIXELS || mnist.labels().length != mnist.count()) {
            throw new IllegalArgumentException("Mnist record of " + mnist.count() + " images holds "
                    + mnist.pixels().length + " pixels and " + mnist.labels().length + " labels");
        }
        return new MnistDataset(mnist);
    }

    /** The underlying record. */
    public Mnist mnist() {
        return mnist;
    }

    @Override
    public int size() {
        return mnist.count();
    }

    @Override
    public int[] featureShape() {
        return SHAPE.clone();
    }

    @Override
    public int featureSize() {
        return Mnist.PIXELS;
    }

    @Override
    public void copyFeatures(int index, float[] dst, int offset) {
        mnist.copyImage(index, dst, offset);
    }

    @Override
    public long label(int index) {
        return mnist.labels()[Objects.checkIndex(index, mnist.count())];
    }

    @Override
    public int classes() {
        return Mnist.CLASSES;
    }
}
