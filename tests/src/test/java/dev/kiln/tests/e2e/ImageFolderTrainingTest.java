package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ImageFolder;
import dev.kiln.data.Mnist;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real images from a folder per class, as a user brings their own data: MNIST written out as PNG files
 * (root/0/00000.png ... root/9/...), read back by {@link ImageFolder} and trained on.
 *
 * <p>The features must be MNIST's own, to the bit (a swapped axis or a colour-space conversion of the grey levels
 * would change them), and the classes the digits; then it trains to {@link OneEpochMlp}'s floor.
 */
class ImageFolderTrainingTest {
    @TempDir
    Path tmp;

    /** The first {@code count} images of {@code mnist} as PNG files in a folder per digit under {@code root}. */
    private static Path writePngs(Mnist mnist, int count, Path root) throws IOException {
        float[] pixels = new float[Mnist.PIXELS];
        for (int i = 0; i < count; i++) {
            mnist.copyImage(i, pixels, 0);
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            int[] levels = new int[Mnist.PIXELS];
            for (int p = 0; p < levels.length; p++) {
                levels[p] = Math.round(pixels[p] * 255);
            }
            image.getRaster().setSamples(0, 0, 28, 28, 0, levels);
            Path folder = Files.createDirectories(root.resolve(Long.toString(mnist.labels()[i])));
            ImageIO.write(image, "png", folder.resolve(String.format("%05d.png", i)).toFile());
        }
        return root;
    }

    @Test
    void mnistWrittenAsPngFoldersReadsBackBitForBitAndTrains() throws IOException {
        Mnist trainImages = RealMnist.load("ImageFolderTrainingTest", Mnist.Split.TRAIN);
        Mnist testImages = RealMnist.load("ImageFolderTrainingTest", Mnist.Split.TEST);
        ImageFolder train = ImageFolder.load(writePngs(trainImages, 10_000, tmp.resolve("train")), 1);
        ImageFolder test = ImageFolder.load(writePngs(testImages, 2_000, tmp.resolve("test")), 1);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), train.classNames());
        assertArrayEquals(new int[] {1, 28, 28}, train.featureShape());
        assertSameImages(trainImages, train);

        double accuracy = OneEpochMlp.testAccuracy("MNIST as PNG folders", train, test);
        assertTrue(accuracy >= OneEpochMlp.FLOOR, "test accuracy " + accuracy + " is below " + OneEpochMlp.FLOOR);
    }

    /** Every image of the folder data set is the MNIST image its file was written from, with its label. */
    private static void assertSameImages(Mnist mnist, ImageFolder folder) {
        float[] expected = new float[Mnist.PIXELS];
        float[] actual = new float[Mnist.PIXELS];
        for (int i = 0; i < folder.size(); i++) {
            int source = Integer.parseInt(folder.file(i).getFileName().toString().replace(".png", ""));
            mnist.copyImage(source, expected, 0);
            folder.copyFeatures(i, actual, 0);
            assertArrayEquals(expected, actual, "pixels of " + folder.file(i));
            assertEquals(mnist.labels()[source], folder.label(i), "label of " + folder.file(i));
        }
    }
}
