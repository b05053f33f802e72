package dev.kiln.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or raw: a big-endian magic {@code 0x0000TTRR}
 * (TT = 0x08 for unsigned bytes, RR = rank), RR big-endian int32 dimensions, then the values.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;

    private Idx() {
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
     * @throws IOException naming the file when it is truncated, has a wrong magic number or has more
     *                     data than its header declares
     */
    public static Array read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
             DataInputStream data = new DataInputStream(in)) {
            return read(file, data);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated: the file ends before the size its header declares", e);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a valid gzip file: " + e.getMessage(), e);
        }
    }

    private static Array read(Path file, DataInputStream in) throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank == 0) {
            throw new IOException(file + ": wrong magic number 0x" + String.format("%08x", magic)
                    + " (expected 0x000008RR: unsigned bytes of rank RR, e.g. 0x00000803 for images)");
        }
        int[] dims = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0) {
                throw new IOException(file + ": negative dimension " + dims[i] + " in header");
            }
            size *= dims[i];
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException(file + ": header declares " + Arrays.toString(dims) + ", too large to load");
        }
        byte[] values = new byte[(int) size];
        in.readFully(values);
        if (in.read() != -1) {
            throw new IOException(file + ": more data than the header's " + Arrays.toString(dims) + " declares");
        }
        return new Array(dims, values);
    }
}
