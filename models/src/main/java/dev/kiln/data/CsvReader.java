package dev.kiln.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads one CSV file (RFC 4180 through Apache Commons CSV; UTF-8, a leading byte order mark skipped, blank lines
 * skipped, gzip when the name ends in .gz) one record at a time: {@link #read} into a {@link CsvDataset}, the features
 * straight into a growing float array and the labels into {@link CsvLabels}; {@link #open} and {@link #next} for a
 * stream ({@link CsvStreamDataset}) that keeps one record at a time.
 */
final class CsvReader implements AutoCloseable {
    /** The most floats one Java array holds on common JVMs. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8L;

    private final Path file;
    private final CsvOptions options;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final double scale;
    // A sharded stream's worker other than 0 reads the first row only for the file's columns: it is worker 0's example.
    private final boolean firstRowElsewhere;
    // Null when the parser reads the whole file.
    private final CsvShareReader share;
    private List<String> header;
    private long firstLine;
    private int columns;
    private int labelColumn;
    private int[] shape;
    // The first record when it is an example (no header row), until next() takes it.
    private CSVRecord pendingFirst;
    private CSVRecord last;

    private CsvReader(Path file, CsvOptions options, CSVParser parser, boolean firstRowElsewhere,
                      CsvShareReader share) {
        this.file = file;
        this.share = share;
        this.options = options;
        this.parser = parser;
        this.firstRowElsewhere = firstRowElsewhere;
        this.records = parser.iterator();
        this.scale = options.scaleFactor();
    }

    /** Loads the whole file into memory. */
    static CsvDataset read(Path file, CsvOptions options) throws IOException {
        try (CsvReader reader = open(file, options)) {
            return reader.readAll();
        }
    }

    /**
     * Opens {@code file} and reads its first record: the header, or the first example; then {@link #featureShape()}
     * is known and {@link #next} gives the examples.
     */
    static CsvReader open(Path file, CsvOptions options) throws IOException {
        return open(file, options, 0, 1);
    }

    /**
     * As {@link #open(Path, CsvOptions)}, for worker {@code worker} of {@code workers} of a sharded stream:
     * {@link #next} gives examples worker, worker + workers, worker + 2 * workers, ... of the file, as keeping every
     * {@code workers}-th of all would, but reads the others only as far as needed to find where they end
     * ({@link CsvShareReader}). Errors name the file's lines as {@link #open(Path, CsvOptions)} does.
     */
    static CsvReader open(Path file, CsvOptions options, int worker, int workers) throws IOException {
        return open(file, options, worker, workers, 0);
    }

    /**
     * As {@link #open(Path, CsvOptions, int, int)}, passing over the worker's first {@code hide} examples without
     * splitting them into fields ({@link CsvShareReader}); {@link #hidden()} tells how many there were, once
     * {@link #next} has read past them.
     */
    static CsvReader open(Path file, CsvOptions options, int worker, int workers, long hide) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(options.delimiterChar()).get();
        Reader text = openText(file);
        CsvShareReader share = workers == 1 && hide == 0 ? null
                : new CsvShareReader(text, options.delimiterChar(), worker, workers, options.hasHeader(), hide);
        Reader reader = share == null ? text : share;
        CsvReader csv;
        try {
            csv = new CsvReader(file, options, CSVParser.builder().setReader(reader).setFormat(format).get(),
                    (worker != 0 || hide > 0) && !options.hasHeader(), share);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
        try {
            csv.readFirst();
            return csv;
        } catch (IOException | RuntimeException e) {
            csv.close();
            throw e;
        }
    }

    private static Reader openText(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
            try {
                in = new GZIPInputStream(in, 1 << 16);
            } catch (IOException e) {
                in.close();
                throw new IOException("CsvDataset: " + file + " ends in .gz but is not gzip data: " + e.getMessage(), e);
            }
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    private void readFirst() throws IOException {
        if (!hasNextRecord()) {
            throw new IOException("CsvDataset: " + file + " is empty: no " + (options.hasHeader() ? "header, " : "")
                    + "no rows");
        }
        CSVRecord first = nextRecord();
        firstLine = startLine(first);
        columns = first.size();
        header = options.hasHeader() ? first.toList() : null;
        labelColumn = labelColumn();
        shape = featureShape(columns - 1);
        if (header == null && !firstRowElsewhere) {
            pendingFirst = first;
        }
    }

    private CsvDataset readAll() throws IOException {
        CsvLabels labels = new CsvLabels();
        float[] features = new float[1 << 16];
        long values = 0;
        float[] row = new float[columns - 1];
        for (String label = next(row, 0); label != null; label = next(row, 0)) {
            features = ensureCapacity(features, values + row.length);
            System.arraycopy(row, 0, features, (int) values, row.length);
            values += row.length;
            labels.add(label);
        }
        if (labels.rows() == 0) {
            throw new IOException("CsvDataset: " + file + " has a header (line " + firstLine + ") but no rows");
        }
        CsvLabels.Encoded encoded = labels.encode(file);
        float[] all = values == features.length ? features : Arrays.copyOf(features, (int) values);
        return new CsvDataset(new ArrayDataset(all, encoded.labels(), shape, encoded.classNames().size()),
                encoded.classNames(), file);
    }

    /** The shape of one example's features. */
    int[] featureShape() {
        return shape.clone();
    }

    /**
     * Reads the next example: its features (every column but the label's, in order) into {@code dst[offset ...]},
     * and returns its label as written (surrounding spaces stripped), or null at the end of the file.
     */
    String next(float[] dst, int offset) throws IOException {
        CSVRecord record = pendingFirst;
        pendingFirst = null;
        if (record == null) {
            if (!hasNextRecord()) {
                return null;
            }
            record = nextRecord();
        }
        last = record;
        if (record.size() != columns) {
            throw new IOException("CsvDataset: " + file + " line " + startLine(record) + " has " + record.size()
                    + " fields but " + (header != null ? "the header" : "the first row") + " (line " + firstLine
                    + ") has " + columns);
        }
        int at = offset;
        for (int c = 0; c < columns; c++) {
            if (c != labelColumn) {
                dst[at++] = feature(record, c);
            }
        }
        return label(record);
    }

    /** The worker's first examples passed over as {@link #open(Path, CsvOptions, int, int, long)} asked. */
    long hidden() {
        return share == null ? 0 : share.hidden();
    }

    /**
     * Passes over the next example without converting its values or checking its fields, for a resumed stream's
     * skipped examples ({@link ExampleStream#skip}): returns false at the end of the file.
     */
    boolean skip() throws IOException {
        if (pendingFirst != null) {
            pendingFirst = null;
            return true;
        }
        if (!hasNextRecord()) {
            return false;
        }
        nextRecord();
        return true;
    }

    /** "CsvDataset: FILE line N, column 'NAME' (index C)": the label of the example {@link #next} read last. */
    String lastLabelPlace() {
        return at(last, labelColumn);
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    private boolean hasNextRecord() throws IOException {
        try {
            return records.hasNext();
        } catch (UncheckedIOException e) {
            throw malformed(e);
        }
    }

    private CSVRecord nextRecord() throws IOException {
        try {
            return records.next();
        } catch (UncheckedIOException e) {
            throw malformed(e);
        }
    }

    /** Commons CSV's iterator reports a malformed record (a quote left open) as an UncheckedIOException. */
    private IOException malformed(UncheckedIOException e) {
        return new IOException("CsvDataset: " + file + ": " + e.getCause().getMessage(), e.getCause());
    }

    /** The label's column index, from the options' name or (negative: from the end) index. */
    private int labelColumn() throws IOException {
        String name = options.labelName();
        if (name == null) {
            int index = options.labelIndex();
            int resolved = index < 0 ? columns + index : index;
            if (resolved < 0 || resolved >= columns) {
                throw new IOException("CsvDataset: " + file + ": label column index " + index + " is outside the "
                        + columns + " columns of line " + firstLine + " (0.." + (columns - 1) + ", or " + -columns
                        + "..-1 from the end)");
            }
            return resolved;
        }
        if (header == null) {
            throw new IllegalArgumentException("CsvDataset: label column '" + name + "' is a header name, but the"
                    + " options say " + file + " has no header row; give the column's index instead");
        }
        int index = header.indexOf(name);
        if (index < 0) {
            throw new IOException("CsvDataset: " + file + ": no column '" + name + "' in the header (line " + firstLine
                    + "): " + preview(header));
        }
        if (header.lastIndexOf(name) != index) {
            throw new IOException("CsvDataset: " + file + ": column '" + name + "' appears more than once in the header"
                    + " (line " + firstLine + "), at indices " + index + " and " + header.lastIndexOf(name));
        }
        return index;
    }

    /** The header's first names, enough to see what it holds without printing a 785-name MNIST header. */
    private static String preview(List<String> header) {
        int shown = 10;
        return header.size() <= shown ? header.toString()
                : header.subList(0, shown).toString().replace("]", ", ... (" + header.size() + " columns)]");
    }

    private int[] featureShape(int featureColumns) throws IOException {
        if (featureColumns == 0) {
            throw new IOException("CsvDataset: " + file + " has only the label column, no feature column");
        }
        int[] shape = options.featureShapeOrNull();
        if (shape == null) {
            return new int[] {featureColumns};
        }
        long product = Arrays.stream(shape).asLongStream().reduce(1, Math::multiplyExact);
        if (product != featureColumns) {
            throw new IOException("CsvDataset: " + file + ": feature shape " + Arrays.toString(shape) + " holds "
                    + product + " values but the file has " + featureColumns + " feature columns (" + columns
                    + " columns less the label)");
        }
        return shape;
    }

    /** {@code features}, or a longer copy of it, holding at least {@code needed} values. */
    private float[] ensureCapacity(float[] features, long needed) throws IOException {
        if (needed <= features.length) {
            return features;
        }
        if (needed > MAX_VALUES) {
            throw new IOException("CsvDataset: " + file + " holds more than " + MAX_VALUES + " feature values, more"
                    + " than one float array holds; split the file");
        }
        return Arrays.copyOf(features, (int) Math.min(MAX_VALUES, Math.max(needed, 2L * features.length)));
    }

    private float feature(CSVRecord record, int column) throws IOException {
        String text = record.get(column);
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!Double.isFinite(value)) {
            throw new IOException(at(record, column) + ": feature '" + text + "' is not a finite number");
        }
        float scaled = (float) (value * scale);
        if (!Float.isFinite(scaled)) {
            throw new IOException(at(record, column) + ": feature '" + text + "' scaled by " + scale
                    + " is outside the float range (" + Float.MAX_VALUE + ")");
        }
        return scaled;
    }

    private String label(CSVRecord record) throws IOException {
        String text = record.get(labelColumn).strip();
        if (text.isEmpty()) {
            throw new IOException(at(record, labelColumn) + ": the label is empty");
        }
        return text;
    }

    /** "CsvDataset: FILE line N, column 'NAME' (index C)", for the record just read. */
    private String at(CSVRecord record, int column) {
        return "CsvDataset: " + file + " line " + startLine(record) + ", column "
                + (header != null ? "'" + header.get(column) + "' (index " + column + ")" : "index " + column);
    }

    /**
     * The 1-based line the record just read starts on: the parser counts the lines read through the record's
     * last one, and a quoted field may hold line breaks of its own.
     */
    private long startLine(CSVRecord record) {
        long breaks = 0;
        for (String value : record) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 == value.length() || value.charAt(i + 1) != '\n'))) {
                    breaks++;
                }
            }
        }
        return parser.getCurrentLineNumber() - breaks;
    }
}
