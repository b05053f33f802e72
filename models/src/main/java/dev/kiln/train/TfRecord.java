package dev.kiln.train;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TensorFlow's record framing, which TensorBoard's event files use: each record is its length (little-endian
 * uint64), the masked CRC-32C of those 8 bytes (uint32), the data, and the masked CRC-32C of the data.
 */
final class TfRecord {
    /** TensorFlow's mask delta: a CRC of data that itself holds CRCs would otherwise be weak. */
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecord() {
    }

    /** Writes {@code data} as one record. */
    static void write(OutputStream out, byte[] data) throws IOException {
        byte[] length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.write(length);
        out.write(littleEndian(maskedCrc32c(length)));
        out.write(data);
        out.write(littleEndian(maskedCrc32c(data)));
    }

    /** The CRC-32C of {@code data}, rotated right by 15 bits plus {@link #MASK_DELTA}, as TensorFlow masks it. */
    static int maskedCrc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int value = (int) crc.getValue();
        return Integer.rotateRight(value, 15) + MASK_DELTA;
    }

    private static byte[] littleEndian(int value) {
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
