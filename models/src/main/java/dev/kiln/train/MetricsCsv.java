package dev.kiln.train;

import dev.kiln.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The per-epoch metrics of a run as {@code DIR/metrics.csv}: a header line of the column names given at
 * construction, then one row per {@link #append}.
 *
 * <p>Durability: every append rewrites the whole file to a temporary file and renames it over the old one
 * ({@link AtomicFiles}), so the file on disk is always complete, never half a row, even if the process dies
 * mid-write. Rows are per epoch, so rewriting them all costs nothing worth measuring.
 *
 * <p>Cells: numbers in Java's locale-independent {@code toString} ({@code 0.25}, {@code 3}, {@code NaN}),
 * strings quoted per RFC 4180 when they hold a comma, quote or line break, and an empty cell for a column the
 * row does not give.
 */
public final class MetricsCsv {
    /** The file name inside the run directory. */
    public static final String FILE = "metrics.csv";

    private final Path file;
    private final List<String> columns;
    private final List<String> rows = new ArrayList<>();

    /**
     * Starts a new {@code dir/metrics.csv} holding only the header, replacing any earlier file.
     *
     * @param columns column names, at least one, no duplicates
     */
    public MetricsCsv(Path dir, List<String> columns) throws IOException {
        this(dir, columns, List.of());
        save();
    }

    private MetricsCsv(Path dir, List<String> columns, List<String> keptRows) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(columns, "columns");
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("MetricsCsv: no columns");
        }
        if (columns.stream().distinct().count() != columns.size()) {
            throw new IllegalArgumentException("MetricsCsv: duplicate column in " + columns);
        }
        this.file = dir.resolve(FILE);
        this.columns = List.copyOf(columns);
        this.rows.addAll(keptRows);
    }

    /**
     * Continues an earlier run's file: checks that its header has the same columns and keeps its first
     * {@code keepRows} rows (those of the epochs before the checkpoint being resumed; later ones are dropped
     * and will be written again). Without a file, starts a new one.
     *
     * @throws IOException when the existing file's header differs from {@code columns}
     */
    public static MetricsCsv resume(Path dir, List<String> columns, int keepRows) throws IOException {
        if (keepRows < 0) {
            throw new IllegalArgumentException("MetricsCsv.resume: keepRows must be >= 0, got " + keepRows);
        }
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return new MetricsCsv(dir, columns);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String expected = header(columns);
        if (lines.isEmpty() || !lines.get(0).equals(expected)) {
            throw new IOException(file + ": header '" + (lines.isEmpty() ? "" : lines.get(0))
                    + "' differs from the columns of this run '" + expected + "'");
        }
        List<String> kept = new ArrayList<>();
        for (int i = 1; i < lines.size() && kept.size() < keepRows; i++) {
            if (!lines.get(i).isEmpty()) {
                kept.add(lines.get(i));
            }
        }
        MetricsCsv csv = new MetricsCsv(dir, columns, kept);
        csv.save();
        return csv;
    }

    /** The CSV file. */
    public Path file() {
        return file;
    }

    /** The column names, in order. */
    public List<String> columns() {
        return columns;
    }

    /** Rows written so far (the header not counted). */
    public int rows() {
        return rows.size();
    }

    /**
     * Appends one row and rewrites the file atomically.
     *
     * @param values column name -> value; columns left out get an empty cell
     * @throws IllegalArgumentException for a key that is not a column
     */
    public void append(Map<String, ?> values) throws IOException {
        for (String key : values.keySet()) {
            if (!columns.contains(key)) {
                throw new IllegalArgumentException("MetricsCsv: '" + key + "' is not a column (columns: " + columns + ")");
            }
        }
        List<String> cells = new ArrayList<>(columns.size());
        for (String c : columns) {
            cells.add(cell(values.get(c)));
        }
        rows.add(String.join(",", cells));
        try {
            save();
        } catch (IOException | RuntimeException e) {
            rows.remove(rows.size() - 1);
            throw e;
        }
    }

    /**
     * A numeric column's values, a row each (an empty cell is NaN), e.g. to redraw a resumed run's plot.
     *
     * @throws IllegalArgumentException for a name that is not a column
     */
    public List<Double> column(String name) {
        int index = columns.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("MetricsCsv: '" + name + "' is not a column (columns: " + columns + ")");
        }
        List<Double> values = new ArrayList<>(rows.size());
        for (String row : rows) {
            String cell = cells(row).get(index);
            values.add(cell.isEmpty() ? Double.NaN : Double.parseDouble(cell));
        }
        return values;
    }

    /** The cells of one row as {@link #cell} wrote them: quoted cells may hold commas and doubled quotes. */
    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < row.length(); i++) {
            char c = row.charAt(i);
            if (quoted && c == '"' && i + 1 < row.length() && row.charAt(i + 1) == '"') {
                cell.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    /** The lines of the file as it stands: header first. */
    public List<String> lines() {
        List<String> all = new ArrayList<>(rows.size() + 1);
        all.add(header(columns));
        all.addAll(rows);
        return Collections.unmodifiableList(all);
    }

    private void save() throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : lines()) {
            text.append(line).append('\n');
        }
        AtomicFiles.writeString(file, text.toString());
    }

    private static String header(List<String> columns) {
        List<String> cells = new ArrayList<>();
        for (String c : columns) {
            cells.add(cell(c));
        }
        return String.join(",", cells);
    }

    private static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
