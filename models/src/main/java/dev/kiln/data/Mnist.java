package dev.kiln.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * MNIST and Fashion-MNIST (same IDX layout): 28x28 grey images as floats in [0, 1] and labels 0..9.
 *
 * @param images [count * 784] row-major pixels scaled to [0, 1]
 * @param labels [count] class indices
 */
public record Mnist(float[] images, long[] labels, int count) {
    public static final int PIXELS = 28 * 28;
    public static final int CLASSES = 10;

    /** Which half of the official split. */
    public enum Split {
        TRAIN("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        TEST("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

        final String images;
        final String labels;

        Split(String images, String labels) {
            this.images = images;
            this.labels = labels;
        }
    }

    /**
     * Loads {@code name} ("mnist" or "fashion-mnist") from the data directory ({@link DataDirectory}).
     *
     * @param dataDir an explicit root, or null for the default search
     */
    public static Mnist load(Path dataDir, String name, Split split) throws IOException, DataDirectory.DataMissingException {
        Path dir = DataDirectory.find(dataDir, name, List.of(split.images, split.labels));
        Path imageFile = DataDirectory.file(dir, split.images);
        Idx.Array images = Idx.read(imageFile);
        Idx.Array labels = Idx.read(DataDirectory.file(dir, split.labels));
        int n = labels.dims()[0];
        if (images.dims().length != 3 || images.dims()[0] != n || images.dims()[1] * images.dims()[2] != PIXELS) {
            throw new IOException(imageFile + ": expected [" + n + ", 28, 28] images, header says "
                    + java.util.Arrays.toString(images.dims()));
        }
        float[] pixels = new float[n * PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = images.get(i) / 255f;
        }
        long[] classes = new long[n];
        for (int i = 0; i < n; i++) {
            classes[i] = labels.get(i);
        }
        return new Mnist(pixels, classes, n);
    }
}
