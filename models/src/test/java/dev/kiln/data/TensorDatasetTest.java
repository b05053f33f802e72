package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's {@code TensorDataset(x, y)} as "What is torch.nn really?" uses it: slices {@code ds[a:b]} and a
 * {@link DataLoader} over it. Reference: models/src/test/pytorch/nn_tutorial_gaps.py (PyTorch 1.13), with
 * x [10, 2] = arange(20) / 4 and y [10] = (3 i) % 7.
 */
class TensorDatasetTest {
    private static TensorDataset dataset() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.arange(0, 20, 1, DType.F32).div(4).view(10, 2);
            long[] y = new long[10];
            for (int i = 0; i < 10; i++) {
                y[i] = (3L * i) % 7;
            }
            return new TensorDataset(x, Tensor.fromArray(y, 10));
        }
    }

    @Test
    void holdsOneExamplePerRowAsDatasetIndexingReadsIt() {
        TensorDataset ds = dataset();
        assertEquals(10, ds.size());
        assertArrayEquals(new int[] {2}, ds.featureShape());
        assertEquals(7, ds.classes(), "max label 6 + 1");
        try (Scope s = Scope.open()) {
            assertArrayEquals(new float[] {1.5f, 1.75f}, ds.features(3).toFloatArray()); // ds[3][0]
        }
        assertEquals(2, ds.label(3));
    }

    @Test
    void aSliceIsTheRowsFromStartToEnd() {
        HostBatch b = dataset().slice(2, 5);
        try (Scope s = Scope.open()) {
            assertArrayEquals(new int[] {3, 2}, b.features().shape().dims());
            assertArrayEquals(new float[] {1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.25f}, b.features().toFloatArray());
            assertArrayEquals(new long[] {6, 2, 5}, b.labels().toLongArray());
        }
    }

    @Test
    void aSlicePastTheEndStopsAtTheLastRowAsPythonsDo() {
        HostBatch b = dataset().slice(8, 12);
        assertEquals(2, b.size());
        try (Scope s = Scope.open()) {
            assertArrayEquals(new float[] {4.0f, 4.25f, 4.5f, 4.75f}, b.features().toFloatArray());
            assertArrayEquals(new long[] {3, 6}, b.labels().toLongArray());
        }
    }

    @Test
    void aLoaderBatchesItAsPyTorchsDataLoaderDoes() {
        List<Integer> sizes = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        float[] lastFeatures = null;
        try (DataLoader loader = new DataLoader(dataset(), 4)) {
            for (HostBatch b : loader.epoch(0)) {
                sizes.add(b.size());
                for (long y : b.labelData()) {
                    labels.add(y);
                }
                lastFeatures = b.featureData().clone();
            }
        }
        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(List.of(0L, 3L, 6L, 2L, 5L, 1L, 4L, 0L, 3L, 6L), labels);
        assertArrayEquals(new float[] {4.0f, 4.25f, 4.5f, 4.75f}, lastFeatures);
    }

    @Test
    void keepsItsValuesAfterTheTensorsAreClosed() {
        TensorDataset ds;
        try (Scope s = Scope.open()) {
            ds = new TensorDataset(Tensor.fromArray(new double[] {0.5, 1.5}, 2, 1),
                    Tensor.fromArray(new int[] {1, 0}, 2));
        }
        assertEquals(2, ds.classes());
        try (Scope s = Scope.open()) {
            assertArrayEquals(new float[] {1.5f}, ds.features(1).toFloatArray(), "F64 features read as F32");
        }
    }

    @Test
    void refusesLabelsThatAreNotOneClassIndexPerRow() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(3, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TensorDataset(x, Tensor.fromArray(new long[] {0, 1}, 2)));
            assertTrue(e.getMessage().contains("I64 or I32 [3]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new TensorDataset(x, Tensor.zeros(3)));
            e = assertThrows(IllegalArgumentException.class,
                    () -> new TensorDataset(x, Tensor.fromArray(new long[] {0, -1, 2}, 3)));
            assertTrue(e.getMessage().contains("label -1 of example 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new TensorDataset(Tensor.fromArray(new long[] {1, 2, 3}, 3), Tensor.zeros(3).to(DType.I64)));
        }
    }

    @Test
    void refusesASliceThatHoldsNoRow() {
        TensorDataset ds = dataset();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.slice(10, 12));
        assertTrue(e.getMessage().contains("[10, 12) of 10 examples"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ds.slice(3, 3));
        assertThrows(IllegalArgumentException.class, () -> ds.slice(-1, 2));
    }

    @Test
    void batchesHoldF32FeaturesAndI64LabelsWhateverTheTensorsDtypes() {
        TensorDataset ds;
        try (Scope s = Scope.open()) {
            ds = new TensorDataset(Tensor.fromArray(new double[] {0.1, 0.2}, 2, 1), Tensor.fromArray(new int[] {1, 0}, 2));
        }
        HostBatch b = ds.slice(0, 2);
        try (Scope s = Scope.open()) {
            assertEquals(DType.F32, b.features().dtype(), "PyTorch's would stay float64");
            assertEquals(DType.I64, b.labels().dtype(), "PyTorch's would stay int32");
            assertArrayEquals(new float[] {0.1f, 0.2f}, b.features().toFloatArray());
        }
    }

    @Test
    void refusesALabelBeyondTheClassesADatasetCounts() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TensorDataset(x, Tensor.fromArray(new long[] {0, 1L << 31}, 2)));
            assertEquals("TensorDataset: label 2147483648 of example 1 is not a class index; expected 0 <= label < "
                    + "2147483647", e.getMessage());
        }
    }
}
