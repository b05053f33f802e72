package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path root;

    /** A grey image of {@code levels} (row-major, height x width) written as PNG to root/folder/name. */
    private Path grey(String folder, String name, int height, int width, int... levels) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSamples(0, 0, width, height, 0, levels);
        return write(image, folder, name);
    }

    /** A one-pixel RGB image written as PNG. */
    private Path rgb(String folder, String name, int r, int g, int b) throws IOException {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, (r << 16) | (g << 8) | b);
        return write(image, folder, name);
    }

    private Path write(BufferedImage image, String folder, String name) throws IOException {
        Path file = Files.createDirectories(root.resolve(folder)).resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static float[] features(Dataset d, int index) {
        float[] out = new float[d.featureSize()];
        d.copyFeatures(index, out, 0);
        return out;
    }

    @Test
    void classesAreTheSortedSubFoldersAndFilesAreSortedWithinEach() throws IOException {
        Path b = grey("dog", "b.png", 1, 1, 3);
        Path a = grey("dog", "a.png", 1, 1, 2);
        Path c = grey("cat", "z.png", 1, 1, 1);
        ImageFolder d = ImageFolder.load(root, 1);
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertEquals(3, d.size());
        assertEquals(List.of(c, a, b), List.of(d.file(0), d.file(1), d.file(2)));
        assertArrayEquals(new long[] {0, 1, 1}, new long[] {d.label(0), d.label(1), d.label(2)});
        assertEquals(2, d.classes());
    }

    @Test
    void greyLevelsAreReadAsStoredScaledToZeroOne() throws IOException {
        grey("a", "x.png", 2, 3, 0, 1, 100, 128, 254, 255);
        ImageFolder d = ImageFolder.load(root, 1);
        assertArrayEquals(new int[] {1, 2, 3}, d.featureShape());
        assertArrayEquals(new float[] {0, 1 / 255f, 100 / 255f, 128 / 255f, 254 / 255f, 1}, features(d, 0));
    }

    @Test
    void greyImagesAsThreeChannelsRepeatTheirLevels() throws IOException {
        grey("a", "x.png", 1, 2, 10, 200);
        float[] v = features(ImageFolder.load(root, 3), 0);
        assertArrayEquals(new float[] {10 / 255f, 200 / 255f, 10 / 255f, 200 / 255f, 10 / 255f, 200 / 255f}, v);
    }

    @Test
    void colourImagesGiveTheirRgbPlanesOrPilsLuma() throws IOException {
        rgb("a", "x.png", 200, 100, 50);
        assertArrayEquals(new float[] {200 / 255f, 100 / 255f, 50 / 255f}, features(ImageFolder.load(root, 3), 0));
        // PIL's convert('L'): (200 * 19595 + 100 * 38470 + 50 * 7471 + 0x8000) >> 16 = 124
        assertArrayEquals(new float[] {124 / 255f}, features(ImageFolder.load(root, 1), 0));
    }

    @Test
    void hiddenEntriesAndFilesThatAreNotImagesAreSkipped() throws IOException {
        grey("a", "x.png", 1, 1, 7);
        grey(".cache", "y.png", 1, 1, 7);
        grey("a", ".z.png", 1, 1, 7);
        Files.writeString(root.resolve("a").resolve("notes.txt"), "not an image");
        ImageFolder d = ImageFolder.load(root, 1);
        assertEquals(List.of("a"), d.classNames());
        assertEquals(1, d.size());
    }

    @Test
    void anImageOfAnotherSizeIsRefusedNamingBothFiles() throws IOException {
        Path first = grey("a", "1.png", 2, 2, 0, 0, 0, 0);
        Path other = grey("b", "2.png", 3, 2, 0, 0, 0, 0, 0, 0);
        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(root, 1));
        assertEquals("ImageFolder: " + other + " is 3 x 2 but " + first + " is 2 x 2; give a size to scale every image to",
                e.getMessage());
    }

    @Test
    void withASizeEveryImageIsScaledToIt() throws IOException {
        grey("a", "1.png", 2, 2, 90, 90, 90, 90);
        grey("b", "2.png", 5, 3, new int[15]);
        ImageFolder d = ImageFolder.load(root, 1, 4, 6);
        assertArrayEquals(new int[] {1, 4, 6}, d.featureShape());
        float[] scaledUp = features(d, 0);
        for (float v : scaledUp) {
            assertEquals(90 / 255f, v, "a flat grey image stays flat when scaled");
        }
        assertArrayEquals(new float[24], features(d, 1));
    }

    @Test
    void readImageGivesOneImagesFeaturesAsLoadReadsThem() throws IOException {
        Path file = rgb("a", "x.png", 200, 100, 50);
        assertArrayEquals(features(ImageFolder.load(root, 3), 0), ImageFolder.readImage(file, 3, 0, 0));
        grey("b", "y.png", 5, 3, new int[15]);
        assertArrayEquals(features(ImageFolder.load(root, 1, 4, 6), 0), ImageFolder.readImage(file, 1, 4, 6));
    }

    @Test
    void imageSizeIsHeightThenWidth() throws IOException {
        assertArrayEquals(new int[] {5, 3}, ImageFolder.imageSize(grey("a", "x.png", 5, 3, new int[15])));
    }

    @Test
    void scalingDropsAlphaAsPilsConvertRgbDoesInsteadOfBlendingOverBlack() throws IOException {
        // torchvision: Image.open(f).convert('RGB').resize(...) keeps a transparent pixel's colour, here 200, 100, 50.
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        for (int p = 0; p < 4; p++) {
            image.setRGB(p % 2, p / 2, (p == 0 ? 0x00 : 0x80) << 24 | 200 << 16 | 100 << 8 | 50);
        }
        write(image, "a", "x.png");
        float[] expected = new float[12];
        for (int p = 0; p < 4; p++) {
            expected[p] = 200 / 255f;
            expected[4 + p] = 100 / 255f;
            expected[8 + p] = 50 / 255f;
        }
        assertArrayEquals(expected, features(ImageFolder.load(root, 3, 2, 2), 0));
    }

    @Test
    void aRootWithoutClassFoldersIsRefusedSayingWhatIsExpected() throws IOException {
        Files.writeString(root.resolve("x.png"), "");
        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(root, 1));
        assertEquals("ImageFolder: " + root + " has no class folders; expected one folder per class, e.g. "
                + root.resolve("cat") + "/1.png", e.getMessage());
        Path missing = root.resolve("missing");
        assertEquals("ImageFolder: " + missing + " is not a folder",
                assertThrows(IOException.class, () -> ImageFolder.load(missing, 1)).getMessage());
    }

    @Test
    void aClassFolderWithoutImagesIsRefusedNamingIt() throws IOException {
        grey("a", "1.png", 1, 1, 0);
        Files.createDirectories(root.resolve("b"));
        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(root, 1));
        assertEquals("ImageFolder: class folder " + root.resolve("b") + " has no image (extensions [bmp, gif, jpeg, jpg,"
                + " png])", e.getMessage());
    }

    @Test
    void aFileThatDoesNotDecodeIsRefusedNamingIt() throws IOException {
        Path broken = Files.createDirectories(root.resolve("a")).resolve("broken.png");
        Files.writeString(broken, "not a png");
        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(root, 1, 2, 2));
        assertEquals("ImageFolder: " + broken + " is not an image ImageIO can decode", e.getMessage());
    }

    @Test
    void channelsOtherThanOneOrThreeAndHalfASizeAreRefused() {
        assertEquals("ImageFolder: channels must be 1 (grey) or 3 (RGB), got 4",
                assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(root, 4)).getMessage());
        assertEquals("ImageFolder: height and width must both be positive (scale to them) or both 0 (keep each image's"
                + " size), got 28 x 0",
                assertThrows(IllegalArgumentException.class, () -> ImageFolder.load(root, 1, 28, 0)).getMessage());
    }
}
