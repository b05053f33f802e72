package dev.kiln.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The label column of a CSV file, collected row by row and turned into class indices at the end: when every label
 * is a non-negative integer (ASCII digits), the class is that integer and the classes are 0..max; otherwise the
 * classes are the distinct labels in sorted order (as scikit-learn's {@code LabelEncoder}). Each row keeps only the
 * int id of its label's first appearance, so a large file holds every distinct label once.
 */
final class CsvLabels {
    /** Class indices [rows] and class names [classes], class i being the i-th name. */
    record Encoded(long[] labels, List<String> classNames) {
    }

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> distinct = new ArrayList<>();
    private int[] rowIds = new int[1024];
    private int rows;

    /** Appends the next row's label. */
    void add(String label) {
        Integer id = ids.get(label);
        if (id == null) {
            id = distinct.size();
            ids.put(label, id);
            distinct.add(label);
        }
        if (rows == rowIds.length) {
            rowIds = Arrays.copyOf(rowIds, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * rowIds.length));
        }
        rowIds[rows++] = id;
    }

    int rows() {
        return rows;
    }

    /** The most classes integer labels make (0..max): a larger label is an identifier, not a class number. */
    static final int MAX_CLASSES = 1 << 20;

    /**
     * The rows' class indices and the class names.
     *
     * @throws IOException when an integer label would make more than {@link #MAX_CLASSES} classes
     */
    Encoded encode(Path file) throws IOException {
        return distinct.stream().allMatch(CsvLabels::isNonNegativeInteger) ? integers(file) : sortedNames();
    }

    private Encoded integers(Path file) throws IOException {
        long[] values = new long[distinct.size()];
        long max = 0;
        for (int id = 0; id < values.length; id++) {
            values[id] = parseClass(file, distinct.get(id));
            max = Math.max(max, values[id]);
        }
        List<String> names = new ArrayList<>();
        for (long c = 0; c <= max; c++) {
            names.add(Long.toString(c));
        }
        return new Encoded(perRow(values), List.copyOf(names));
    }

    private static long parseClass(Path file, String label) throws IOException {
        try {
            long value = Long.parseLong(label);
            if (value < MAX_CLASSES) {
                return value;
            }
        } catch (NumberFormatException tooLong) {
            // more digits than a long holds: reported below like any other label too large
        }
        throw new IOException("CsvDataset: " + file + ": integer label " + label + " is too large; integer labels are"
                + " class numbers, and the classes would be 0.." + label + ", more than " + MAX_CLASSES);
    }

    private Encoded sortedNames() {
        List<String> names = distinct.stream().sorted().toList();
        long[] classOfId = new long[distinct.size()];
        for (int id = 0; id < classOfId.length; id++) {
            classOfId[id] = Collections.binarySearch(names, distinct.get(id));
        }
        return new Encoded(perRow(classOfId), names);
    }

    private long[] perRow(long[] classOfId) {
        long[] labels = new long[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = classOfId[rowIds[r]];
        }
        return labels;
    }

    private static boolean isNonNegativeInteger(String label) {
        return !label.isEmpty() && label.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
