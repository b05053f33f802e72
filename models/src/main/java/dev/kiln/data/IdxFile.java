package dev.kiln.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or raw: a big-endian magic {@code 0x0000TTRR}
 * (TT = 0x08 for unsigned bytes, RR = rank), RR big-endian int32 dimensions, then the values.
 */
public final class IdxFile {
    private static final int UNSIGNED_BYTE = 0x08;
    /** The most values one array holds (a few below Integer.MAX_VALUE, as the JDK's own arrays allow). */
    private static final int MAX_VALUES = Integer.MAX_VALUE - 16;
    /** The first allocation for a compressed file's values; it doubles as data arrives. */
    private static final int FIRST_CHUNK = 1 << 20;

    private IdxFile() {
    }

    /** The dimensions and the unsigned byte values of an IDX file. */
    public record Array(int[] dims, byte[] data) {
        /** Number of values. */
        public int size() {
            return data.length;
        }

        /** Value i as 0..255. */
        public int get(int i) {
            return data[i] & 0xFF;
        }
    }

    /**
     * Reads a whole IDX file; a name ending in {@code .gz} is decompressed.
     *
     * @throws IOException naming the file when it is truncated, has a wrong magic number, declares more values than
     *                     an array holds or has more data than its header declares
     */
    public static Array read(Path file) throws IOException {
        boolean gzip = file.getFileName().toString().endsWith(".gz");
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
             DataInputStream data = new DataInputStream(in)) {
            return read(file, data, gzip, gzip ? gzipDataSize(file) : Files.size(file));
        } catch (EOFException e) {
            throw new IOException(file + ": truncated: the file ends inside its header", e);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a valid gzip file: " + e.getMessage(), e);
        }
    }

    /**
     * The size of a gzip file's data as its trailer gives it (ISIZE: the last member's size modulo 2^32), which
     * bounds the first allocation; -1 when the file is too short to have one.
     */
    private static long gzipDataSize(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            if (channel.size() < 18) {
                return -1;
            }
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(trailer, channel.size() - 4);
            return Integer.toUnsignedLong(trailer.getInt(0));
        }
    }

    /**
     * The array whose header starts {@code in}. {@code dataSize} is the size of the data the stream reads: the
     * file's for a raw file, the gzip trailer's for a compressed one (-1 when it has none).
     */
    private static Array read(Path file, DataInputStream in, boolean gzip, long dataSize) throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank == 0) {
            throw new IOException(file + ": wrong magic number 0x" + String.format("%08x", magic)
                    + " (expected 0x000008RR: unsigned bytes of rank RR, e.g. 0x00000803 for images)");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0) {
                throw new IOException(file + ": negative dimension " + dims[i] + " in header");
            }
        }
        int size = size(file, dims);
        long valuesHeld = dataSize - 4L * (1 + rank);
        if (!gzip && valuesHeld < size) {
            throw truncated(file, dims, valuesHeld, size);
        }
        // A gzip trailer that promises the declared size lets the array be made once; otherwise (a short or
        // concatenated file) it grows only as the data arrives, so that a header cannot claim memory the file lacks.
        byte[] values = readValues(file, dims, in, size, valuesHeld >= size ? size : Math.min(size, FIRST_CHUNK));
        if (in.read() != -1) {
            throw new IOException(file + ": more data than the header's " + Arrays.toString(dims) + " declares");
        }
        return new Array(dims, values);
    }

    /** The number of values {@code dims} declare, or an error when an array cannot hold them. */
    private static int size(Path file, int[] dims) throws IOException {
        long size = 1;
        try {
            for (int d : dims) {
                size = Math.multiplyExact(size, d);
            }
        } catch (ArithmeticException e) {
            size = Long.MAX_VALUE;
        }
        if (size > MAX_VALUES) {
            throw new IOException(file + ": header declares " + Arrays.toString(dims) + ", more than the "
                    + MAX_VALUES + " values an array holds");
        }
        return (int) size;
    }

    /**
     * Reads {@code size} values, starting with an array of {@code capacity} and growing it only as the data arrives:
     * a compressed file's header may declare far more than the file holds.
     */
    private static byte[] readValues(Path file, int[] dims, InputStream in, int size, int capacity) throws IOException {
        byte[] values = new byte[capacity];
        int filled = 0;
        while (filled < size) {
            if (filled == values.length) {
                values = Arrays.copyOf(values, (int) Math.min(size, 2L * values.length));
            }
            int n = in.read(values, filled, values.length - filled);
            if (n < 0) {
                throw truncated(file, dims, filled, size);
            }
            filled += n;
        }
        return values;
    }

    private static IOException truncated(Path file, int[] dims, long values, int size) {
        return new IOException(file + ": truncated: the file ends after " + values + " of the " + size + " values its"
                + " header's " + Arrays.toString(dims) + " declares");
    }
}
