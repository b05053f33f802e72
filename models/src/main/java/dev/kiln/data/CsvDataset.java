package dev.kiln.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A classification data set from a CSV file of numeric features and one label column, as DL4J's
 * {@code CSVRecordReader} or pandas' {@code read_csv} into a PyTorch {@code TensorDataset} give it, e.g. Kaggle's
 * MNIST {@code train.csv} ("label,pixel0,...,pixel783"):
 * <pre>{@code
 * CsvDataset train = CsvDataset.load(Path.of("train.csv"),
 *         CsvOptions.defaults().featureShape(1, 28, 28).scale(1 / 255.0));   // features [1, 28, 28]
 * CsvDataset iris = CsvDataset.load(Path.of("iris.csv.gz"), CsvOptions.defaults().labelColumn("species"));
 * }</pre>
 *
 * <p>Features: every column but the label's, in file order, each a finite number (times the options' scale, rounded
 * to float), shaped as {@link CsvOptions#featureShape} (default [features]). Labels: when every label is a
 * non-negative integer, the class is that integer and there are max + 1 classes; otherwise the classes are the
 * distinct labels (surrounding spaces stripped) in sorted order, class i being the i-th of {@link #classNames()}.
 *
 * <p>The file is RFC 4180 CSV in UTF-8 (quoted fields may hold delimiters, quotes and line breaks), gzipped when its
 * name ends in .gz; it is read in one streaming pass and kept as floats in memory. Errors name the file, the line and
 * the column.
 */
public final class CsvDataset implements Dataset {
    private final ArrayDataset data;
    private final List<String> classNames;
    private final Path file;

    CsvDataset(ArrayDataset data, List<String> classNames, Path file) {
        this.data = data;
        this.classNames = classNames;
        this.file = file;
    }

    /** Loads {@code file} with the default options: a header row, ',' delimiter, the label in the first column. */
    public static CsvDataset load(Path file) throws IOException {
        return load(file, CsvOptions.defaults());
    }

    /**
     * Loads {@code file} as {@code options} say.
     *
     * @throws IOException when the file is empty, has no row, has a row of another number of fields than the first,
     *                     a feature that is not a finite number, an empty label, no column of the label's name or
     *                     index, or a feature shape whose product is not its number of feature columns; the message
     *                     names the file, the 1-based line, the column and the value
     * @throws IllegalArgumentException when the label column is given by name for a file without a header row
     */
    public static CsvDataset load(Path file, CsvOptions options) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        return CsvReader.read(file, options);
    }

    /**
     * {@code file} as a stream that is read lazily, once per pass, keeping one record at a time: for files too large
     * for memory, batched by {@link IterableDataLoader}. Options as {@link #load(Path, CsvOptions)}; every label must be
     * a class index written as an integer in {@code [0, classes)}. The header (or first row) is read here, so a missing
     * label column or a wrong feature shape is reported at once; a bad record is reported when the stream reaches it,
     * as an {@link java.io.UncheckedIOException} naming the file, line and column.
     */
    public static IterableDataset streaming(Path file, CsvOptions options, int classes) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        return new CsvStreamDataset(file, options, classes);
    }

    /** The class names: class i is the i-th (for integer labels "0", "1", ... up to the largest). */
    public List<String> classNames() {
        return classNames;
    }

    /** The file the examples were read from. */
    public Path file() {
        return file;
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public int[] featureShape() {
        return data.featureShape();
    }

    @Override
    public int featureSize() {
        return data.featureSize();
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

    @Override
    public String toString() {
        return "CsvDataset(" + file + ": " + size() + " examples of " + Arrays.toString(featureShape()) + ", "
                + classes() + " classes)";
    }
}
