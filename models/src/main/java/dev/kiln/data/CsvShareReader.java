package dev.kiln.data;

import java.io.IOException;
import java.io.Reader;

/**
 * The text of a CSV file as worker {@code worker} of {@code workers} of a sharded stream ({@link CsvStreamDataset})
 * reads it: the first record (the header, or the first row, whose fields tell the reader the file's columns) and
 * every {@code workers}-th example from the worker's on pass through unchanged; the other examples are passed over
 * by finding where they end, never split into fields or parsed as numbers, which is most of reading a record.
 *
 * <p>Records end where Commons CSV's RFC 4180 format ({@code CSVFormat.DEFAULT} with the file's delimiter: no escape
 * character, no comments) ends them: at a line break (CR, LF or CR LF) outside quotes, a quote opening a quoted field
 * only as the field's first character and a doubled quote inside one standing for a quote; a line with nothing on it
 * is no record. An example passed over leaves its line breaks behind as empty lines, which the parser skips, so that
 * the parser counts the file's lines: a bad record is named by its line in the file, as without sharding. Each
 * counted line break (a CR, or an LF not after a CR) becomes one, written as an LF unless the last character given out
 * is a CR, which an LF would join.
 *
 * <p>It also passes over the worker's own first {@code hidden} examples the same way, for a stream resumed part-way
 * through an epoch ({@link ExampleStream#skip}); {@link #hidden()} counts those it found.
 */
final class CsvShareReader extends Reader {
    private static final char QUOTE = '"';

    private enum State { BETWEEN_RECORDS, FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED }

    private final Reader in;
    private final char delimiter;
    private final int worker;
    private final int workers;
    private final int firstExample;
    private final long hide;
    private long hidden;
    private final char[] buffer = new char[1 << 16];
    private int position;
    private int limit;
    private long records;
    private State state = State.BETWEEN_RECORDS;
    private boolean kept;
    private char previous;
    private char lastOut;

    /**
     * @param in        the file's text, from its first record on
     * @param delimiter the field delimiter
     * @param header    whether the first record is a header, not an example
     */
    CsvShareReader(Reader in, char delimiter, int worker, int workers, boolean header) {
        this(in, delimiter, worker, workers, header, 0);
    }

    /**
     * @param hide how many of the worker's own first examples to pass over too (the first record still passes
     *             through, for its columns, when it is one of them: the reader must drop it)
     */
    CsvShareReader(Reader in, char delimiter, int worker, int workers, boolean header, long hide) {
        this.in = in;
        this.delimiter = delimiter;
        this.worker = worker;
        this.workers = workers;
        this.firstExample = header ? 1 : 0;
        this.hide = hide;
    }

    /** The worker's own examples passed over so far (at most the {@code hide} asked for). */
    long hidden() {
        return hidden;
    }

    @Override
    public int read(char[] out, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int written = 0;
        // Passing over examples gives out only their line breaks: read on until there is something to give.
        while (written == 0) {
            if (position == limit) {
                int read = in.read(buffer, 0, buffer.length);
                if (read < 0) {
                    return -1;
                }
                position = 0;
                limit = read;
            }
            while (position < limit && written < length) {
                int run = ordinaryRun(kept ? Math.min(limit, position + length - written) : limit);
                if (run > 0) {
                    if (kept) {
                        System.arraycopy(buffer, position, out, offset + written, run);
                        written += run;
                        lastOut = buffer[position + run - 1];
                    }
                    position += run;
                    previous = buffer[position - 1];
                    if (state != State.QUOTED) {
                        state = previous == delimiter ? State.FIELD_START : State.UNQUOTED;
                    }
                    continue;
                }
                char c = buffer[position++];
                boolean lineBreak = c == '\r' || c == '\n';
                if (state == State.BETWEEN_RECORDS && !lineBreak) {
                    kept = keeps(records);
                    records++;
                    state = State.FIELD_START;
                }
                if (state == State.BETWEEN_RECORDS || !kept) {
                    // An empty line, the LF of a record's CR LF, or a character of an example passed over.
                    if (c == '\r' || c == '\n' && previous != '\r') {
                        lastOut = lastOut == '\r' ? '\r' : '\n';
                        out[offset + written++] = lastOut;
                    }
                } else {
                    lastOut = c;
                    out[offset + written++] = c;
                }
                if (state != State.BETWEEN_RECORDS) {
                    advance(c, lineBreak);
                }
                previous = c;
            }
        }
        return written;
    }

    /** Whether record {@code record} (0-based, the header included) goes to the parser; counts the hidden ones. */
    private boolean keeps(long record) {
        long example = record - firstExample;
        boolean own = example >= 0 && example % workers == worker;
        if (own && example / workers < hide) {
            hidden++;
            return record == 0;
        }
        return record == 0 || own;
    }

    /**
     * How many characters from {@code position} on (before {@code end}) a record holds that change nothing but the
     * field it is in: no line break, and no quote (in quotes, or where it could open a quoted field). Most of a
     * record, which is then passed over, or copied, as a whole.
     */
    private int ordinaryRun(int end) {
        if (state == State.BETWEEN_RECORDS || state == State.QUOTE_IN_QUOTED) {
            return 0;
        }
        int p = position;
        while (p < end) {
            char c = buffer[p];
            if (c == QUOTE || c == '\r' || c == '\n') {
                break;
            }
            p++;
        }
        return p - position;
    }

    /** Moves through a record past character {@code c}. */
    private void advance(char c, boolean lineBreak) {
        switch (state) {
            case QUOTED -> state = c == QUOTE ? State.QUOTE_IN_QUOTED : State.QUOTED;
            // A doubled quote stands for one; anything else after the closing quote is outside the field's quotes.
            case QUOTE_IN_QUOTED -> state = c == QUOTE ? State.QUOTED : unquoted(c, lineBreak);
            case FIELD_START -> state = c == QUOTE ? State.QUOTED : unquoted(c, lineBreak);
            default -> state = unquoted(c, lineBreak);
        }
    }

    private State unquoted(char c, boolean lineBreak) {
        if (lineBreak) {
            return State.BETWEEN_RECORDS;
        }
        return c == delimiter ? State.FIELD_START : State.UNQUOTED;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
