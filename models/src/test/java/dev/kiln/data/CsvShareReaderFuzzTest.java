package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link CsvShareReader} against Commons CSV itself over random well-formed files: parsing a worker's text gives the
 * first record and every {@code workers}-th example from the worker's on, each with the line the parser counts after
 * it, as parsing the whole file does.
 */
class CsvShareReaderFuzzTest {
    private static final String[] TERMINATORS = {"\n", "\r\n", "\r"};

    /** A record's fields, and the parser's line count after reading it. */
    private record Parsed(List<String> fields, long line) {
    }

    /** Gives at most {@code most} characters a read, so that records cross the reads' boundaries. */
    private static Reader trickle(Reader in, int most) {
        return new FilterReader(in) {
            @Override
            public int read(char[] out, int offset, int length) throws IOException {
                return super.read(out, offset, Math.min(length, most));
            }
        };
    }

    private static List<Parsed> parse(Reader text, char delimiter) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).get();
        List<Parsed> records = new ArrayList<>();
        try (CSVParser parser = CSVParser.builder().setReader(text).setFormat(format).get()) {
            for (CSVRecord record : parser) {
                records.add(new Parsed(record.toList(), parser.getCurrentLineNumber()));
            }
        }
        return records;
    }

    private static String field(Random random, char delimiter) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(4);
        if (random.nextInt(3) == 0) {
            s.append('"');
            for (int i = 0; i < length; i++) {
                s.append(switch (random.nextInt(6)) {
                    case 0 -> "\"\"";
                    case 1 -> String.valueOf(delimiter);
                    case 2 -> TERMINATORS[random.nextInt(3)];
                    case 3 -> " ";
                    default -> "a";
                });
            }
            s.append('"');
            if (random.nextInt(4) == 0) {
                s.append(' ');   // whitespace after the closing quote, which the parser skips
            }
            return s.toString();
        }
        for (int i = 0; i < length; i++) {
            // A quote that is not a field's first character is an ordinary character.
            s.append(switch (random.nextInt(5)) {
                case 0 -> i == 0 ? "b\"" : "\"";
                case 1 -> " ";
                default -> "1";
            });
        }
        return s.toString();
    }

    private static String file(Random random, char delimiter) {
        StringBuilder s = new StringBuilder();
        int records = random.nextInt(8);
        for (int r = 0; r < records; r++) {
            while (random.nextInt(4) == 0) {
                s.append(TERMINATORS[random.nextInt(3)]);   // empty lines
            }
            int fields = 1 + random.nextInt(3);
            String record;
            do {
                StringBuilder fieldsText = new StringBuilder();
                for (int f = 0; f < fields; f++) {
                    fieldsText.append(f == 0 ? "" : String.valueOf(delimiter)).append(field(random, delimiter));
                }
                record = fieldsText.toString();
            } while (record.isEmpty());   // an empty line is no record
            s.append(record);
            if (r + 1 < records || random.nextBoolean()) {
                s.append(TERMINATORS[random.nextInt(3)]);
            }
        }
        while (random.nextInt(4) == 0) {
            s.append(TERMINATORS[random.nextInt(3)]);
        }
        return s.toString();
    }

    @Test
    void eachWorkersRecordsAndLineCountsAreTheWholeFilesEveryNth() throws IOException {
        Random random = new Random(20261207);
        for (int trial = 0; trial < 20000; trial++) {
            char delimiter = random.nextBoolean() ? ',' : random.nextBoolean() ? '\t' : ';';
            String text = file(random, delimiter);
            List<Parsed> whole = parse(new StringReader(text), delimiter);
            boolean header = random.nextBoolean();
            int workers = 1 + random.nextInt(4);
            int firstExample = header ? 1 : 0;
            for (int worker = 0; worker < workers; worker++) {
                List<Parsed> expected = new ArrayList<>();
                for (int i = 0; i < whole.size(); i++) {
                    if (i == 0 || i >= firstExample && (i - firstExample) % workers == worker) {
                        expected.add(whole.get(i));
                    }
                }
                Reader share = new CsvShareReader(trickle(new StringReader(text), 1 + random.nextInt(3)), delimiter,
                        worker, workers, header);
                List<Parsed> actual = parse(trickle(share, 1 + random.nextInt(3)), delimiter);
                assertEquals(expected, actual, "worker " + worker + " of " + workers + (header ? ", header" : "")
                        + ", text " + text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t"));
            }
        }
    }
}
