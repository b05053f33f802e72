package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.PendingItem;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#itemAsync}, the read a training loop makes one step late, on the backend under test: it gives
 * {@link Tensor#item}'s value for every dtype and for a view into a larger tensor, the value at the time it was
 * queued (not one written later), and on CUDA it says so when its staging memory was reused before it was read.
 */
class CudaItemAsyncTest extends ParityTest {
    @ParameterizedTest
    @EnumSource(DType.class)
    void theValueIsItemsForEveryDtype(DType dtype) {
        Tensor t = tensor(underTest(), dtype, new double[] {-7}, 1);

        assertEquals(t.item(), t.itemAsync().get());
    }

    @Test
    void aViewIsReadAtItsOwnOffset() {
        Tensor t = tensor(underTest(), DType.F32, new double[] {1.5, 2.5, 3.5, 4.5}, 4);

        assertEquals(3.5, t.narrow(0, 2, 1).itemAsync().get());
    }

    @Test
    void theValueIsTheOneQueuedNotOneWrittenAfterIt() {
        Tensor t = tensor(underTest(), DType.F32, new double[] {2.25}, 1);

        PendingItem before = t.itemAsync();
        t.copyFrom(new float[] {9});

        assertEquals(2.25, before.get());
        assertEquals(9, t.itemAsync().get());
    }

    @Test
    void readingAgainGivesTheSameValue() {
        Tensor t = tensor(underTest(), DType.I64, new double[] {41}, 1);
        PendingItem pending = t.itemAsync();

        assertEquals(41, pending.get());
        assertEquals(41, pending.get());
    }

    @Test
    void manyPendingValuesAreReadInOrderOfTheirTensors() {
        List<PendingItem> pending = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            pending.add(tensor(underTest(), DType.F32, new double[] {i}, 1).itemAsync());
        }
        for (int i = 0; i < 60; i++) {
            assertEquals(i, pending.get(i).get(), "pending value " + i);
        }
    }

    @Test
    void onCudaAValueLeftUnreadWhileItsStagingMemoryIsReusedFailsSayingSo() {
        ParityBackends.assumeCudaUnderTest("the CPU reads a value at once; only CUDA stages pending values, in 64"
                + " reused boxes");
        Tensor t = tensor(underTest(), DType.F32, new double[] {1}, 1);
        PendingItem first = t.itemAsync();
        for (int i = 0; i < 64; i++) {
            t.itemAsync();
        }

        IllegalStateException e = assertThrows(IllegalStateException.class, first::get);
        assertTrue(e.getMessage().contains("64 later itemAsync calls"), e.getMessage());
    }

    @Test
    void aTensorOfMoreThanOneElementIsRefusedNamingItsShape() {
        Tensor t = tensor(underTest(), DType.F32, new double[] {1, 2}, 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, t::itemAsync);
        assertTrue(e.getMessage().contains("itemAsync") && e.getMessage().contains("[2]"), e.getMessage());
    }
}
