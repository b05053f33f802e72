package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The projector config's string escapes, against what PyTorch 1.13 wrote for the tag {@code q"1'\} at step 12345678. */
class TensorBoardProjectorTest {
    @Test
    void quotesAndBackslashesAreEscapedAsPyTorchWritesThem() {
        assertEquals("q\\\"1\\'\\\\:12345678", TensorBoardProjector.escape("q\"1'\\:12345678"));
    }
}
