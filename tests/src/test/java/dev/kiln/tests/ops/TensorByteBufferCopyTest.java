package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#copyTo(ByteBuffer)} and {@link Tensor#copyFrom(ByteBuffer)}: a tensor's values as raw bytes of its
 * dtype, in the buffer's byte order, from the buffer's position on (which moves past them), with no Java array
 * between the tensor and the buffer; too few bytes, a read-only buffer and a write autograd would miss are refused.
 */
class TensorByteBufferCopyTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void copyToWritesEachDtypesValuesInTheBuffersOrderFromItsPosition() {
        ByteBuffer le = ByteBuffer.allocate(4 + 24).order(ByteOrder.LITTLE_ENDIAN).position(4);
        assertSame(le, Tensor.fromArray(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3).copyTo(le));
        assertEquals(28, le.position());
        assertEquals(0, le.getInt(0), "bytes before the position untouched");
        assertEquals(-2f, le.getFloat(8));
        assertEquals(Float.floatToIntBits(3.5f), Integer.reverseBytes(ByteBuffer.wrap(le.array(), 12, 4).getInt()));

        ByteBuffer be = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        Tensor.fromArray(new double[] {0.25, -1e300}, 2).copyTo(be);
        assertEquals(-1e300, be.getDouble(8));

        ByteBuffer ints = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        Tensor.fromArray(new int[] {7, -9}, 2).copyTo(ints);
        assertEquals(-9, ints.getInt(4));

        ByteBuffer longs = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        Tensor.fromArray(new long[] {1L << 60, -3}, 1, 2).copyTo(longs);
        assertEquals(1L << 60, longs.getLong(0));
    }

    @Test
    void aViewCopiesItsOwnElements() {
        Tensor rows = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 3, 2).narrow(0, 1, 2);
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        rows.copyTo(b);
        assertEquals(3f, b.getFloat(0));
        assertEquals(6f, b.getFloat(12));
    }

    @Test
    void copyFromReadsTheBuffersValuesAndMovesTheVersion() {
        Tensor t = Tensor.zeros(DType.F64, 2, 2);
        int before = t.version();
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.BIG_ENDIAN);
        b.putDouble(99).putDouble(1).putDouble(2).putDouble(3).putDouble(4).position(8);
        assertSame(t, t.copyFrom(b));
        assertEquals(40, b.position());
        assertArrayEquals(new double[] {1, 2, 3, 4}, t.toDoubleArray(), 0.0);
        assertNotEquals(before, t.version());

        Tensor view = Tensor.zeros(DType.I64, 4).narrow(0, 2, 2);
        view.copyFrom(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(6).flip());
        assertArrayEquals(new long[] {-5, 6}, view.toLongArray());
    }

    @Test
    void copyFromThenCopyToGivesTheSameBytes() {
        ByteBuffer in = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        in.putFloat(Float.NaN).putFloat(-0f).putFloat(Float.MIN_VALUE).flip();
        ByteBuffer out = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        Tensor.zeros(DType.F32, 3).copyFrom(in).copyTo(out);
        assertArrayEquals(in.array(), out.array());
    }

    @Test
    void tooFewBytesAreRefusedNamingTheTensorAndBothCounts() {
        Tensor t = Tensor.zeros(DType.F32, 2, 3);
        IllegalArgumentException to = assertThrows(IllegalArgumentException.class,
                () -> t.copyTo(ByteBuffer.allocate(30).position(8)));
        assertTrue(to.getMessage().contains("copyTo") && to.getMessage().contains("F32 [2, 3]")
                && to.getMessage().contains("24 bytes") && to.getMessage().contains("22 remaining"), to.getMessage());
        IllegalArgumentException from = assertThrows(IllegalArgumentException.class,
                () -> t.copyFrom(ByteBuffer.allocate(20)));
        assertTrue(from.getMessage().contains("copyFrom") && from.getMessage().contains("24 bytes")
                && from.getMessage().contains("20 remaining"), from.getMessage());
    }

    @Test
    void aReadOnlyBufferAndAWriteAutogradWouldMissAreRefused() {
        Tensor t = Tensor.zeros(DType.F32, 2);
        IllegalArgumentException readOnly = assertThrows(IllegalArgumentException.class,
                () -> t.copyTo(ByteBuffer.allocate(8).asReadOnlyBuffer()));
        assertTrue(readOnly.getMessage().contains("read-only"), readOnly.getMessage());

        Tensor weight = Tensor.zeros(DType.F32, 2).requiresGrad(true);
        IllegalStateException recorded = assertThrows(IllegalStateException.class,
                () -> weight.copyFrom(ByteBuffer.allocate(8)));
        assertTrue(recorded.getMessage().contains("copyFrom") && recorded.getMessage().contains("noGrad"),
                recorded.getMessage());

        Tensor closed = Tensor.zeros(DType.F32, 2);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.copyTo(ByteBuffer.allocate(8)));
    }
}
