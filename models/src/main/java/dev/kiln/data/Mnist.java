package dev.kiln.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * MNIST and Fashion-MNIST (same IDX layout): 28x28 grey images and labels 0..9. The pixels stay the bytes the
 * files hold, a quarter of their size as floats (47 instead of 188 MB for the training half, on the Java heap
 * for the whole run), and become floats in [0, 1] as they are copied out ({@link #copyImage}).
 *
 * @param pixels [count * 784] row-major grey levels, 0..255 as unsigned bytes
 * @param labels [count] class indices
 */
public record Mnist(byte[] pixels, long[] labels, int count) {
    public static final int PIXELS = 28 * 28;
    public static final int CLASSES = 10;

    /** Grey level i as a float in [0, 1]: {@code i / 255f}, looked up rather than divided for every pixel. */
    private static final float[] LEVELS = new float[256];

    static {
        for (int i = 0; i < LEVELS.length; i++) {
            LEVELS[i] = i / 255f;
        }
    }

    /** Fashion-MNIST's class names in label order, as Zalando Research publishes them. */
    private static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The names of data set {@code name}'s classes in label order: the digits, or Fashion-MNIST's clothes. */
    public static List<String> classNames(String name) {
        return switch (name) {
            case "mnist" -> List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            case "fashion-mnist" -> FASHION_CLASSES;
            default -> throw new IllegalArgumentException("Mnist: unknown data set '" + name
                    + "', expected mnist or fashion-mnist");
        };
    }

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
        Path labelFile = DataDirectory.file(dir, split.labels);
        IdxFile.Array images = IdxFile.read(imageFile);
        long[] labels = labels(labelFile, IdxFile.read(labelFile));
        int[] imageDims = images.dims();
        if (imageDims.length != 3 || imageDims[1] != 28 || imageDims[2] != 28) {
            throw new IOException(imageFile + ": expected [N, 28, 28] images, header says " + Arrays.toString(imageDims));
        }
        if (imageDims[0] != labels.length) {
            throw new IOException(imageFile + " holds " + imageDims[0] + " images but " + labelFile + " holds "
                    + labels.length + " labels");
        }
        return new Mnist(images.data(), labels, labels.length);
    }

    /** The class indices of a labels file: [N], each in 0..9. */
    private static long[] labels(Path file, IdxFile.Array labels) throws IOException {
        if (labels.dims().length != 1) {
            throw new IOException(file + ": expected [N] labels, header says " + Arrays.toString(labels.dims()));
        }
        long[] classes = new long[labels.size()];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = labels.get(i);
            if (classes[i] >= CLASSES) {
                throw new IOException(file + ": label " + classes[i] + " at index " + i + " is outside 0.." + (CLASSES - 1));
            }
        }
        return classes;
    }

    /** Copies image {@code index}'s 784 pixels, each grey level / 255 (a float in [0, 1]), into dst[offset ...]. */
    public void copyImage(int index, float[] dst, int offset) {
        Objects.checkIndex(index, count);
        Objects.checkFromIndexSize(offset, PIXELS, dst.length);
        int from = index * PIXELS;
        for (int i = 0; i < PIXELS; i++) {
            dst[offset + i] = LEVELS[pixels[from + i] & 0xFF];
        }
    }
}
