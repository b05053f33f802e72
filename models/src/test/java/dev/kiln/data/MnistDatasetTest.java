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
        byte[] pixels = new byte[2 * Mnist.PIXELS];
        pixels[Mnist.PIXELS] = (byte) 51;
        MnistDataset d = MnistDataset.of(new Mnist(pixels, new long[] {3, 9}, 2));
        assertEquals(2, d.size());
        assertArrayEquals(new int[] {1, 28, 28}, d.featureShape());
        assertEquals(10, d.classes());
        assertEquals(9, d.label(1));
        float[] one = new float[Mnist.PIXELS];
        d.copyFeatures(1, one, 0);
        assertEquals(0.2f, one[0]);
    }

    @Test
    void everyGreyLevelBecomesItsValueOver255() {
        byte[] pixels = new byte[Mnist.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i % 256);
        }
        float[] image = new float[Mnist.PIXELS + 3];
        new Mnist(pixels, new long[] {0}, 1).copyImage(0, image, 3);
        for (int i = 0; i < Mnist.PIXELS; i++) {
            assertEquals((i % 256) / 255f, image[3 + i], "grey level " + (i % 256));
        }
    }

    @Test
    void copyingAnImageIntoTooSmallAnArrayIsRefused() {
        Mnist one = new Mnist(new byte[Mnist.PIXELS], new long[] {0}, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> one.copyImage(0, new float[Mnist.PIXELS], 1));
        assertThrows(IndexOutOfBoundsException.class, () -> one.copyImage(1, new float[Mnist.PIXELS], 0));
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
