package dev.kiln.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * How {@link CsvDataset} reads a CSV file; immutable, each setter returns a changed copy:
 * <pre>{@code
 * CsvOptions.defaults().labelColumn("species")                       // iris.csv, label by header name
 * CsvOptions.defaults().featureShape(1, 28, 28).scale(1 / 255.0)    // Kaggle's MNIST train.csv
 * CsvOptions.defaults().header(false).labelColumn(-1).delimiter(';')
 * }</pre>
 * The defaults: a header row, ',' between fields, the label in the first column, features of shape [features]
 * (every column but the label's, in file order) and no scaling.
 */
public final class CsvOptions {
    private static final CsvOptions DEFAULTS = new CsvOptions(null, 0, true, ',', null, 1);

    private final String labelName;
    private final int labelIndex;
    private final boolean header;
    private final char delimiter;
    private final int[] featureShape;
    private final double scale;

    private CsvOptions(String labelName, int labelIndex, boolean header, char delimiter, int[] featureShape,
                       double scale) {
        this.labelName = labelName;
        this.labelIndex = labelIndex;
        this.header = header;
        this.delimiter = delimiter;
        this.featureShape = featureShape;
        this.scale = scale;
    }

    /** A header row, ',' delimiter, label in column 0, features [features], scale 1. */
    public static CsvOptions defaults() {
        return DEFAULTS;
    }

    /** The label is the column of this header name (the file must have a header row). */
    public CsvOptions labelColumn(String name) {
        Objects.requireNonNull(name, "name");
        return new CsvOptions(name, 0, header, delimiter, featureShape, scale);
    }

    /** The label is column {@code index}, 0-based; a negative index counts from the end (-1: the last column). */
    public CsvOptions labelColumn(int index) {
        return new CsvOptions(null, index, header, delimiter, featureShape, scale);
    }

    /** Whether the first row names the columns (true) or is already an example (false). */
    public CsvOptions header(boolean present) {
        return new CsvOptions(labelName, labelIndex, present, delimiter, featureShape, scale);
    }

    /** The character between fields, e.g. ';' or '\t'; not a quote or a line break. */
    public CsvOptions delimiter(char delimiter) {
        if (delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
            throw new IllegalArgumentException("CsvOptions: the delimiter cannot be a quote or a line break, got '"
                    + delimiter + "'");
        }
        return new CsvOptions(labelName, labelIndex, header, delimiter, featureShape, scale);
    }

    /**
     * The shape of one example's features, e.g. {1, 28, 28} for images stored one a row; its product must be the
     * number of feature columns.
     */
    public CsvOptions featureShape(int... shape) {
        Objects.requireNonNull(shape, "shape");
        if (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("CsvOptions: feature shape dimensions must be at least 1, got "
                    + Arrays.toString(shape));
        }
        return new CsvOptions(labelName, labelIndex, header, delimiter, shape.clone(), scale);
    }

    /**
     * Every feature is multiplied by {@code factor} (as a double, then rounded to float once), e.g. 1 / 255.0 for
     * grey levels: {@code (float) (level * (1 / 255.0))} equals {@code level / 255f} for every level 0..255.
     */
    public CsvOptions scale(double factor) {
        if (!Double.isFinite(factor)) {
            throw new IllegalArgumentException("CsvOptions: scale must be a finite number, got " + factor);
        }
        return new CsvOptions(labelName, labelIndex, header, delimiter, featureShape, factor);
    }

    /** The label column's header name, or null when it is given by index. */
    String labelName() {
        return labelName;
    }

    int labelIndex() {
        return labelIndex;
    }

    boolean hasHeader() {
        return header;
    }

    char delimiterChar() {
        return delimiter;
    }

    /** The feature shape given, or null for [features]. */
    int[] featureShapeOrNull() {
        return featureShape == null ? null : featureShape.clone();
    }

    double scaleFactor() {
        return scale;
    }
}
