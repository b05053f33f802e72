package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class MnistDatasetTest {
    @Test
    void wrapsARecord() {
        float[] pixels = new float[2 * Mnist.PIXELS];
        pixels[Mnist.PIXELS] = 0.5f;
        MnistDataset d = MnistDataset.of(new Mnist(pixels, new long[] {3, 9}, 2));
        assertEquals(2, d.size());
        assertArrayEquals(new int[] {1, 28, 28}, d.featureShape());
        assertEquals(10, d.classes());
        assertEquals(9, d.label(1));
        float[] one = new float[Mnist.PIXELS];
        d.copyFeatures(1, one, 0);
        assertEquals(0.5f, one[0]);
    }

    @Test
    void rejectsOtherNames() {
        assertThrows(IllegalArgumentException.class, () -> MnistDataset.load(null, "cifar", Mnist.Split.TEST));
    }

    @Test
    void loadsTheSharedTestSplit() throws Exception {
        Path dir;
        try {
            dir = DataDirectory.find(null, "mnist", java.util.List.of("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"));
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("MNIST not present: " + e.getMessage());
            return;
        }
        assertTrue(dir.toString().length() > 0);
        MnistDataset d = MnistDataset.load(null, "mnist", Mnist.Split.TEST);
        assertEquals(10_000, d.size());
        assertEquals(7, d.label(0));
        int[] counts = new int[10];
        for (int i = 0; i < d.size(); i++) {
            counts[(int) d.label(i)]++;
        }
        for (int c : counts) {
            assertTrue(c > 800, "class counts " + java.util.Arrays.toString(counts));
        }
    }
}
