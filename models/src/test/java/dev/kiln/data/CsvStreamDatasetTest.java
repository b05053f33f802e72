package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CsvDataset#streaming}: the examples of {@link CsvDataset#load} (the reference), read lazily, in file order,
 * the file closed after every pass.
 */
class CsvStreamDatasetTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    /** How many of this process's file descriptors point at {@code file} (Linux /proc). */
    private static long openHandles(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false;   // closed while listing
                }
            }).count();
        }
    }

    private static List<Example> all(IterableDataset data) {
        List<Example> examples = new ArrayList<>();
        try (ExampleStream stream = data.open(WorkerInfo.single(1, 0))) {
            stream.forEachRemaining(examples::add);
        }
        return examples;
    }

    @Test
    void streamsTheExamplesTheInMemoryLoadGivesInFileOrder() throws IOException {
        Path file = write("d.csv", "a,label,b\n0.5,2,1\n-3,0,4e2\n7,1,8\n");
        CsvOptions options = CsvOptions.defaults().labelColumn("label").scale(0.5);
        CsvDataset reference = CsvDataset.load(file, options);
        IterableDataset stream = CsvDataset.streaming(file, options, 3);
        assertArrayEquals(reference.featureShape(), stream.featureShape());
        assertEquals(3, stream.classes());
        List<Example> examples = all(stream);
        assertEquals(reference.size(), examples.size());
        for (int i = 0; i < examples.size(); i++) {
            float[] expected = new float[2];
            reference.copyFeatures(i, expected, 0);
            assertArrayEquals(expected, examples.get(i).features(), "example " + i);
            assertEquals(reference.label(i), examples.get(i).label(), "label " + i);
        }
        assertEquals(0, openHandles(file));
    }

    @Test
    void withoutAHeaderTheFirstRowIsAnExample() throws IOException {
        Path file = write("d.csv", "1,2,0\n3,4,1\n");
        List<Example> examples = all(CsvDataset.streaming(file,
                CsvOptions.defaults().header(false).labelColumn(-1).featureShape(1, 2), 2));
        assertEquals(2, examples.size());
        assertArrayEquals(new float[] {3, 4}, examples.get(1).features());
        assertEquals(1, examples.get(1).label());
    }

    @Test
    void labelsThatAreNoClassIndexAreRefusedWithTheirPlace() throws IOException {
        Path file = write("d.csv", "label,a\n1,0\ncat,1\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> all(CsvDataset.streaming(file, CsvOptions.defaults(), 2)));
        assertEquals("CsvDataset: " + file + " line 3, column 'label' (index 0): label 'cat' is not a class index in"
                + " [0, 2); a stream needs integer labels, CsvDataset.load encodes others", e.getCause().getMessage());
        Path big = write("e.csv", "label,a\n2,0\n");
        assertEquals("CsvDataset: " + big + " line 2, column 'label' (index 0): label '2' is not a class index in"
                + " [0, 2); a stream needs integer labels, CsvDataset.load encodes others",
                assertThrows(UncheckedIOException.class, () -> all(CsvDataset.streaming(big, CsvOptions.defaults(), 2)))
                        .getCause().getMessage());
        assertEquals("CsvDataset.streaming: classes must be at least 1, got 0", assertThrows(
                IllegalArgumentException.class, () -> CsvDataset.streaming(big, CsvOptions.defaults(), 0)).getMessage());
        assertEquals(0, openHandles(file));
    }

    @Test
    void aBadHeaderIsReportedWhenTheStreamIsMadeNotWhenItIsRead() throws IOException {
        Path file = write("d.csv", "a,b\n1,2\n");
        IOException e = assertThrows(IOException.class,
                () -> CsvDataset.streaming(file, CsvOptions.defaults().labelColumn("label"), 2));
        assertEquals("CsvDataset: " + file + ": no column 'label' in the header (line 1): [a, b]", e.getMessage());
        assertEquals(0, openHandles(file));
    }

    @Test
    void aLoaderClosesTheFileWhenAnEpochEndsOrIsLeftEarly() throws IOException {
        StringBuilder text = new StringBuilder("label,x\n");
        for (int i = 0; i < 5000; i++) {
            text.append(i % 2).append(',').append(i).append('\n');
        }
        Path file = write("d.csv", text.toString());
        IterableDataset data = CsvDataset.streaming(file, CsvOptions.defaults(), 2).shardedByWorker();
        IterableDataLoader loader = new IterableDataLoader(data, 10, 0).withWorkers(2);
        int examples = 0;
        for (HostBatch b : loader.epoch(1)) {
            examples += b.size();
        }
        assertEquals(5000, examples);
        assertEquals(0, openHandles(file));
        IterableDataLoader.BatchIterator early = loader.epoch(2).iterator();
        early.next();
        assertTrue(openHandles(file) >= 1, "worker 0 is still reading");
        early.close();
        assertEquals(0, openHandles(file));
    }

    /** Worker {@code id} of {@code workers}'s examples of {@code data} in epoch 1, each as "label: features". */
    private static List<String> share(IterableDataset data, int id, int workers) {
        List<String> examples = new ArrayList<>();
        try (ExampleStream stream = data.open(new WorkerInfo(id, workers, 1, 7))) {
            stream.forEachRemaining(e -> examples.add(e.label() + ": " + Arrays.toString(e.features())));
        }
        return examples;
    }

    /**
     * 11 rows "i,i % 3,-i" (features x, y and the label between them) whose quoted fields hold line breaks (LF, CR LF,
     * a lone CR before the closing quote), ended by LF, CR LF or a lone CR, with empty lines between some; a header
     * row first when asked.
     */
    private static String awkwardRows(boolean header) {
        StringBuilder text = new StringBuilder(header ? "x,label,y\r\n" : "");
        String[] endings = {"\n", "\r\n", "\r", "\n\n", "\r\n\r\n"};
        for (int i = 0; i < 11; i++) {
            String x = i % 2 == 0 ? String.valueOf(i) : "\"\n" + i + "\r\n\"";
            String label = i % 3 == 1 ? "\" " + (i % 3) + "\r\"" : String.valueOf(i % 3);
            text.append(x).append(',').append(label).append(',').append(-i).append(endings[i % endings.length]);
        }
        return text.toString();
    }

    @Test
    void aShardedFileGivesEachWorkerTheExamplesAndOrderOfKeepingEveryNthOfTheWholeStream() throws IOException {
        for (boolean header : new boolean[] {true, false}) {
            Path file = write("d.csv", awkwardRows(header));
            CsvOptions options = CsvOptions.defaults().header(header).labelColumn(1);
            IterableDataset whole = CsvDataset.streaming(file, options, 3);
            assertEquals(11, share(whole, 0, 1).size(), "the rows as the parser reads them");
            IterableDataset sharded = whole.shardedByWorker();
            assertTrue(sharded.shardsByWorker());
            for (int workers = 1; workers <= 3; workers++) {
                for (int id = 0; id < workers; id++) {
                    assertEquals(share(new ShardedDataset(whole), id, workers), share(sharded, id, workers),
                            "worker " + id + " of " + workers + (header ? ", header" : ", no header"));
                }
            }
        }
    }

    @Test
    void aShardedWorkerParsesOnlyItsOwnRowsPassingOverABadRowOfAnothersShare() throws IOException {
        Path file = write("d.csv", "label,x\n0,\"\n0\"\n1,oops\n0,2\n1,3\n");
        IterableDataset sharded = CsvDataset.streaming(file, CsvOptions.defaults(), 2).shardedByWorker();
        assertEquals(List.of("0: [0.0]", "0: [2.0]"), share(sharded, 0, 2));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> share(sharded, 1, 2));
        assertEquals("CsvDataset: " + file + " line 4, column 'x' (index 1): feature 'oops' is not a finite number",
                e.getCause().getMessage(), "the file's line, behind worker 0's row of two lines");
    }

    @Test
    void aShardedFileIsNotShardedAgain() throws IOException {
        Path file = write("d.csv", "label,x\n0,1\n");
        IterableDataset sharded = CsvDataset.streaming(file, CsvOptions.defaults(), 2).shardedByWorker();
        IllegalStateException e = assertThrows(IllegalStateException.class, sharded::shardedByWorker);
        assertTrue(e.getMessage().startsWith("IterableDataset.shardedByWorker: the data set already yields only each"
                + " worker's share"), e.getMessage());
    }

    /**
     * Worker {@code id} of {@code workers}'s stream after {@code stream.skip(n)} at its start, with "skipped K" first;
     * the reference is the same share read whole, its first n dropped.
     */
    private static List<String> afterSkipping(IterableDataset data, int id, int workers, long n) {
        List<String> examples = new ArrayList<>();
        try (ExampleStream stream = data.open(new WorkerInfo(id, workers, 1, 7))) {
            examples.add("skipped " + stream.skip(n));
            stream.forEachRemaining(e -> examples.add(e.label() + ": " + Arrays.toString(e.features())));
        }
        return examples;
    }

    @Test
    void skippingFromTheStartGivesTheRestOfTheShareAndHowManyWereSkipped() throws IOException {
        for (boolean header : new boolean[] {true, false}) {
            Path file = write("d.csv", awkwardRows(header));
            IterableDataset whole = CsvDataset.streaming(file, CsvOptions.defaults().header(header).labelColumn(1), 3);
            for (IterableDataset data : List.of(whole, whole.shardedByWorker())) {
                int workers = data == whole ? 1 : 3;
                for (int id = 0; id < workers; id++) {
                    List<String> all = share(data, id, workers);
                    for (int n = 0; n <= all.size() + 1; n++) {
                        List<String> expected = new ArrayList<>(List.of("skipped " + Math.min(n, all.size())));
                        expected.addAll(all.subList(Math.min(n, all.size()), all.size()));
                        assertEquals(expected, afterSkipping(data, id, workers, n), data + ", worker " + id + " of "
                                + workers + ", skipping " + n + (header ? ", header" : ", no header"));
                    }
                }
            }
        }
    }

    @Test
    void skippingAfterReadingPassesOverTheNextRecords() throws IOException {
        Path file = write("d.csv", "label,x\n0,0\n1,1\n0,2\n1,3\n0,4\n");
        try (ExampleStream stream = CsvDataset.streaming(file, CsvOptions.defaults(), 2).open(WorkerInfo.single(1, 0))) {
            assertEquals(0f, stream.next().features()[0]);
            assertEquals(2, stream.skip(2));
            assertEquals(3f, stream.next().features()[0]);
            assertEquals(1, stream.skip(5), "one left");
            assertFalse(stream.hasNext());
        }
    }
}
