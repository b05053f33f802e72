package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Kiln log directory beside the files PyTorch 1.13 wrote for the same calls, kept as test resources under one folder:
 * {@code files.txt} lists the directories holding an event file ("." for the log directory), each PyTorch event file
 * renamed {@code pytorch.tfevents} in its directory.
 */
final class PyTorchLogDirectory {
    private final String resources;
    private final Path dir;

    /**
     * @param resources the resource folder, e.g. {@code "/tensorboard/media/"}
     * @param dir       Kiln's log directory
     */
    PyTorchLogDirectory(String resources, Path dir) {
        this.resources = resources;
        this.dir = dir;
    }

    byte[] resource(String name) throws IOException {
        try (InputStream in = PyTorchLogDirectory.class.getResourceAsStream(resources + name)) {
            if (in == null) {
                throw new IOException("no resource " + resources + name);
            }
            return in.readAllBytes();
        }
    }

    List<String> resourceLines(String name) throws IOException {
        return new String(resource(name), StandardCharsets.UTF_8).lines().toList();
    }

    /** Each directory of Kiln's log directory holding an event file, relative ("." for the log directory), sorted. */
    List<String> eventFileDirectories() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents."))
                    .map(f -> f.getParent().equals(dir) ? "." : dir.relativize(f.getParent()).toString())
                    .sorted().toList();
        }
    }

    /** The records of PyTorch's event file in {@code directory}, one listed in {@code files.txt}. */
    List<byte[]> pytorchRecords(String directory) throws IOException {
        // "./x" names no entry in a jar, where the GPU bundle runs these tests from.
        return EventFileReader.records(resource(directory.equals(".") ? "pytorch.tfevents"
                : directory + "/pytorch.tfevents"));
    }

    /** The records of Kiln's one event file in {@code directory}. */
    List<byte[]> kilnRecords(String directory) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(directory))) {
            List<Path> events = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents."))
                    .toList();
            assertEquals(1, events.size(), events.toString());
            return EventFileReader.records(Files.readAllBytes(events.get(0)));
        }
    }
}
