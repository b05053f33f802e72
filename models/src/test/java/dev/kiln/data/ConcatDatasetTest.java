package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link ConcatDataset}, PyTorch's {@code torch.utils.data.ConcatDataset}. */
class ConcatDatasetTest {
    /** n examples of shape [2] with features {first + i, -(first + i)} and label i % classes. */
    private static ArrayDataset numbered(int first, int n, int classes) {
        float[] f = new float[2 * n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            f[2 * i] = first + i;
            f[2 * i + 1] = -(first + i);
            l[i] = i % classes;
        }
        return new ArrayDataset(f, l, new int[] {2}, classes);
    }

    @Test
    void examplesOfEachPartFollowThoseOfThePartsBefore() {
        ConcatDataset data = new ConcatDataset(numbered(0, 3, 3), numbered(100, 0, 3), numbered(200, 2, 3));
        assertEquals(5, data.size());
        assertArrayEquals(new int[] {3, 3, 5}, data.cumulativeSizes());
        float[] features = new float[10];
        for (int i = 0; i < 5; i++) {
            data.copyFeatures(i, features, 2 * i);
        }
        assertArrayEquals(new float[] {0, 0, 1, -1, 2, -2, 200, -200, 201, -201}, features);
        assertArrayEquals(new long[] {0, 1, 2, 0, 1}, new long[] {data.label(0), data.label(1), data.label(2),
                data.label(3), data.label(4)});
    }

    @Test
    void aConcatenationKeepsTheExampleShapeAndClasses() {
        ConcatDataset data = new ConcatDataset(numbered(0, 3, 4), numbered(10, 3, 4));
        assertArrayEquals(new int[] {2}, data.featureShape());
        assertEquals(2, data.featureSize());
        assertEquals(4, data.classes());
    }

    @Test
    void partsOfAnotherExampleShapeAreRefusedNamingBoth() {
        ArrayDataset wide = new ArrayDataset(new float[3], new long[] {0}, new int[] {3}, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConcatDataset(numbered(0, 2, 3), wide));
        assertEquals("ConcatDataset: data set 1 has examples of shape [3], data set 0 of shape [2]", e.getMessage());
    }

    @Test
    void partsWithAnotherNumberOfClassesAreRefusedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConcatDataset(numbered(0, 2, 3), numbered(0, 2, 5)));
        assertEquals("ConcatDataset: data set 1 has 5 classes, data set 0 has 3", e.getMessage());
    }

    @Test
    void anIndexOutsideTheWholeIsRefused() {
        ConcatDataset data = new ConcatDataset(numbered(0, 2, 3), numbered(0, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> data.label(4));
    }

    @Test
    void noPartsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ConcatDataset::new);
        assertEquals("ConcatDataset: needs at least one data set, got none", e.getMessage());
    }
}
