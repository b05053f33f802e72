package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * TensorFlow's record framing. The expected masks are those of tensorboard 2.21's
 * {@code tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c}.
 */
class TfRecordTest {
    @Test
    void theMaskedCrcOfTheCheckStringIsTensorFlows() {
        // CRC-32C("123456789") = 0xe3069283, the check value of the Castagnoli polynomial.
        assertEquals(0xc78ab0e5, TfRecord.maskedCrc32c("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theMaskedCrcOfNothingIsTheMaskDelta() {
        assertEquals(0xa282ead8, TfRecord.maskedCrc32c(new byte[0]));
    }

    @Test
    void aRecordIsItsLengthItsLengthsCrcTheDataAndTheDatasCrcAllLittleEndian() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TfRecord.write(out, "123456789".getBytes(StandardCharsets.US_ASCII));
        byte[] expected = {
            9, 0, 0, 0, 0, 0, 0, 0,
            // masked_crc32c(struct.pack('<Q', 9))
            0x37, (byte) 0xf9, 0x71, 0x39,
            '1', '2', '3', '4', '5', '6', '7', '8', '9',
            (byte) 0xe5, (byte) 0xb0, (byte) 0x8a, (byte) 0xc7,
        };
        assertArrayEquals(expected, out.toByteArray());
    }
}
