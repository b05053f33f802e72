package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A Kiln log directory beside the files PyTorch 1.13 wrote for the same calls, kept as test resources under one folder:
 * {@code files.txt} lists the directories holding an event file ("." for the log directory), each PyTorch event file
 * renamed {@code pytorch.tfevents} in its directory.
 */
final class PyTorchLogDirectory {
    private static final HexFormat HEX = HexFormat.of();
    /** Below it a wall time was given, not read from the clock. */
    private static final double GIVEN_WALL_TIME = 1e9;

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

    /**
     * Asserts that Kiln's log directory holds event files in the directories of {@code files.txt} and that each file
     * matches PyTorch's record by record ({@link #canonical}) after the first (the file version, with the clock's
     * time); a wall time PyTorch was given (before 2001) is Kiln's exactly, another one is the clock's in both.
     */
    void assertEveryRecordMatches() throws IOException {
        assertEquals(resourceLines("files.txt"), eventFileDirectories());
        for (String directory : resourceLines("files.txt")) {
            List<byte[]> pytorch = pytorchRecords(directory);
            List<byte[]> kiln = kilnRecords(directory);
            assertEquals(pytorch.size(), kiln.size(), directory + ": records");
            for (int i = 1; i < pytorch.size(); i++) {
                assertEquals(canonical(pytorch.get(i)), canonical(kiln.get(i)), directory + ": record " + i);
                double wallTime = wallTime(pytorch.get(i));
                if (wallTime < GIVEN_WALL_TIME) {
                    assertEquals(wallTime, wallTime(kiln.get(i)), directory + ": record " + i + "'s wall time");
                } else {
                    assertTrue(wallTime(kiln.get(i)) >= GIVEN_WALL_TIME, directory + ": record " + i + "'s wall time");
                }
            }
        }
    }

    private static double wallTime(byte[] event) {
        assertEquals(0x09, event[0], "an event starting with its wall time");
        return ByteBuffer.wrap(event, 1, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble();
    }

    /**
     * The event without its wall time (the first 9 bytes), in hex; an image's value as its step, tag, height, width,
     * colorspace and decoded pixels (the PNG encoders differ); a session start's hyperparameter entries sorted (a
     * protobuf map's order is the writer's).
     */
    static String canonical(byte[] event) throws IOException {
        List<byte[]> values = EventFileReader.values(event);
        byte[] image = values.isEmpty() ? null : EventFileReader.bytes(values.get(0), 4);
        if (image != null) {
            return "step " + EventFileReader.step(event) + " image " + EventFileReader.tag(values.get(0)) + " "
                    + EventFileReader.field(image, 1) + " " + EventFileReader.field(image, 2) + " "
                    + EventFileReader.field(image, 3) + " " + pixels(EventFileReader.bytes(image, 4));
        }
        byte[] start = values.isEmpty() ? null : sessionStart(values.get(0));
        if (start != null) {
            return EventFileReader.tag(values.get(0)) + " " + EventFileReader.fields(start).get(1).stream()
                    .map(e -> HEX.formatHex((byte[]) e)).sorted().toList();
        }
        return HEX.formatHex(Arrays.copyOfRange(event, 9, event.length));
    }

    /**
     * Value → metadata 9 → plugin data 1 (plugin "hparams") → content 2 → HParamsPluginData's session_start_info 3,
     * or null.
     */
    private static byte[] sessionStart(byte[] value) {
        byte[] metadata = EventFileReader.bytes(value, 9);
        byte[] plugin = metadata == null ? null : EventFileReader.bytes(metadata, 1);
        if (plugin == null || !"hparams".equals(EventFileReader.string(plugin, 1))) {
            return null;
        }
        byte[] content = EventFileReader.bytes(plugin, 2);
        return content == null ? null : EventFileReader.bytes(content, 3);
    }

    /** The image's size, whether it has alpha, and its ARGB pixels, row by row. */
    private static String pixels(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int w = img.getWidth();
        int h = img.getHeight();
        return w + "x" + h + " alpha " + img.getColorModel().hasAlpha() + " "
                + Arrays.toString(img.getRGB(0, 0, w, h, null, 0, w));
    }
}
