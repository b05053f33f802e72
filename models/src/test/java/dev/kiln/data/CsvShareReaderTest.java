package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * {@link CsvShareReader}: a sharded worker's text of a CSV file, its own records as they are and the others' reduced
 * to the line breaks that the parser counts.
 */
class CsvShareReaderTest {
    // A header; example 0 with a delimiter and a line break in quotes; example 1 with doubled quotes, ended by CR LF,
    // then an empty line; example 2 ended by a lone CR; example 3 without a line break at the end of the file.
    private static final String TEXT = "h1,h2\n1,\"a,b\nc\"\n\"x\"\"y\",2\r\n\n3,4\r5,6";

    private static String share(String text, int worker, int workers, boolean header) throws IOException {
        StringWriter out = new StringWriter();
        // Small reads, so that records cross the reads' boundaries.
        char[] chunk = new char[3];
        try (Reader in = new CsvShareReader(new StringReader(text), ',', worker, workers, header)) {
            for (int n = in.read(chunk, 0, chunk.length); n >= 0; n = in.read(chunk, 0, chunk.length)) {
                out.write(chunk, 0, n);
            }
        }
        return out.toString();
    }

    @Test
    void worker0Of2KeepsTheHeaderAndExamples0And2AndTheLineBreaksOfTheOthers() throws IOException {
        // Example 1's CR LF is one line break; the empty line after it another; example 3 has none.
        assertEquals("h1,h2\n1,\"a,b\nc\"\n\n\n3,4\r", share(TEXT, 0, 2, true));
    }

    @Test
    void worker1Of2KeepsTheHeaderAndExamples1And3WritingLineBreaksAfterACrAsCrs() throws IOException {
        // Example 0's two line breaks; the LF of example 1's CR LF is not one of its own; an LF after the CR that
        // ends a kept record would join it, so the empty line and example 2's line break come out as CRs.
        assertEquals("h1,h2\n\n\n\"x\"\"y\",2\r\r\r5,6", share(TEXT, 1, 2, true));
    }

    @Test
    void withoutAHeaderTheFirstRowPassesForEveryWorkerAsTheFilesColumns() throws IOException {
        assertEquals("1,2\n\n5,6\n", share("1,2\n3,4\n5,6\n", 0, 2, false));
        assertEquals("1,2\n3,4\n\n", share("1,2\n3,4\n5,6\n", 1, 2, false), "its reader drops row 0, worker 0's");
    }
}
