package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image grids: tiles where the layout says, each pixel value drawn as that grey level. */
class ImageGridTest {
    private static final int TOP = 40;
    private static final int MARGIN = 12;

    @TempDir
    Path tmp;

    private static int grey(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFF;
    }

    @Test
    void pairsDrawEachInputLeftOfItsReconstruction() throws IOException {
        Path png = tmp.resolve("pairs.png");
        try (Scope s = Scope.open()) {
            // Two 2x2 images: input 0 black, input 1 mid-grey; reconstruction 0 (1.5) clamps to white, reconstruction 1
            // (-1) to black but for its last pixel, 0.25.
            Tensor inputs = Tensor.fromArray(new float[] {0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f}, 2, 4);
            Tensor reconstructions = Tensor.fromArray(new float[] {1.5f, 1.5f, 1.5f, 1.5f, -1, -1, -1, 0.25f}, 2, 4);
            ImageGrid.pairs(png, inputs, reconstructions, 2, 2, 2, "inputs | reconstructions");
        }
        BufferedImage img = ImageIO.read(png.toFile());
        int tile = 2 * ImageGrid.PIXEL;
        int pairWidth = 2 * tile + 4;
        assertEquals(TOP + MARGIN + tile, img.getHeight());
        assertEquals(0, grey(img, MARGIN, TOP), "input 0");
        assertEquals(255, grey(img, MARGIN + tile + 4, TOP), "reconstruction 0, clamped");
        assertEquals(128, grey(img, MARGIN + pairWidth + 16, TOP), "input 1");
        assertEquals(0, grey(img, MARGIN + pairWidth + 16 + tile + 4, TOP), "reconstruction 1, clamped");
        assertEquals(64, grey(img, MARGIN + pairWidth + 16 + tile + 4 + ImageGrid.PIXEL, TOP + ImageGrid.PIXEL),
                "last pixel of reconstruction 1");
    }

    @Test
    void gridLaysOutImagesInRowsOfTheGivenColumns() throws IOException {
        Path png = tmp.resolve("grid.png");
        try (Scope s = Scope.open()) {
            float[] v = new float[5 * 28 * 28];
            for (int i = 0; i < 5; i++) {
                java.util.Arrays.fill(v, i * 784, (i + 1) * 784, i / 4f);
            }
            ImageGrid.grid(png, Tensor.fromArray(v, 5, 1, 28, 28), 28, 28, 3, "samples");
        }
        BufferedImage img = ImageIO.read(png.toFile());
        int tile = 28 * ImageGrid.PIXEL;
        assertEquals(TOP + MARGIN + 2 * tile + 4, img.getHeight(), "two rows");
        assertEquals(0, grey(img, MARGIN, TOP));
        assertEquals(128, grey(img, MARGIN + 2 * (tile + 4), TOP), "image 2, top right");
        assertEquals(255, grey(img, MARGIN + (tile + 4), TOP + tile + 4), "image 4, second row");
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void imagesOfAnotherSizeAreAClearError() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImageGrid.grid(tmp.resolve("x.png"), Tensor.zeros(2, 10), 3, 3, 2, "x"));
            assertTrue(e.getMessage().contains("[2, 10]") && e.getMessage().contains("[n, 9]"), e.getMessage());
        }
    }

    @Test
    void heatMapsDrawTheImageBesideItselfHalfBlendedWithBlueForColdAndRedForHot() throws IOException {
        Path png = tmp.resolve("heat.png");
        try (Scope s = Scope.open()) {
            // One white 1x2 image: its left pixel cold (0), its right pixel hot (1).
            ImageGrid.withHeatMaps(png, Tensor.fromArray(new float[] {1, 1}, 1, 2), new double[][] {{0, 1}},
                    List.of("7 -> 7"), 1, 2, 1, "Grad-CAM");
        }
        BufferedImage img = ImageIO.read(png.toFile());
        int y = TOP + 16 + 1;
        int heatX = MARGIN + 2 * ImageGrid.PIXEL + 4;
        assertEquals(0xFFFFFF, img.getRGB(MARGIN, y) & 0xFFFFFF, "the image itself, white");
        // jet(0) is (0, 0, 0.5), jet(1) is (0.5, 0, 0): each averaged with white.
        assertEquals(new Color(128, 128, 191).getRGB(), img.getRGB(heatX, y));
        assertEquals(new Color(191, 128, 128).getRGB(), img.getRGB(heatX + ImageGrid.PIXEL, y));
    }

    @Test
    void heatMapsRefuseAMapPerImageMismatch() {
        try (Scope s = Scope.open()) {
            Tensor images = Tensor.fromArray(new float[8], 2, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.withHeatMaps(
                    tmp.resolve("x.png"), images, new double[][] {new double[4]}, List.of("a", "b"), 2, 2, 2, "t"));
            assertEquals("ImageGrid.withHeatMaps: 2 images [2, 4] but 1 maps and 2 captions", e.getMessage());
        }
    }

    @Test
    void captionedGridsPutEachImageUnderItsCaptionAfterItsRowsLabelAndLeaveNullCaptionsEmpty() throws IOException {
        Path png = tmp.resolve("captioned.png");
        try (Scope s = Scope.open()) {
            // Four white 28x28 images in rows of two; the fourth has no caption, so its cell stays empty.
            Tensor images = Tensor.ones(4, 1, 28, 28);
            List<String> captions = java.util.Arrays.asList("7 -> 7", "1 -> 1", "4 -> 9", null);
            ImageGrid.captioned(png, images, captions, List.of("Eps: 0", "Eps: 0.05"), 28, 28, 2, "adversarial");
        }
        BufferedImage img = ImageIO.read(png.toFile());
        int tile = 28 * ImageGrid.PIXEL;
        int left = MARGIN + 64;
        int rowHeight = 16 + tile + 4;
        assertEquals(TOP + MARGIN + 2 * rowHeight - 4, img.getHeight(), "two rows, each a caption over its tiles");
        assertEquals(255, grey(img, left, TOP + 16), "image 0");
        assertEquals(255, grey(img, left + tile + 4, TOP + 16), "image 1, right of it");
        assertEquals(255, grey(img, left, TOP + rowHeight + 16), "image 2, second row");
        assertEquals(new Color(0xDD, 0xE4, 0xEE).getRGB(), img.getRGB(left + tile + 4, TOP + rowHeight + 16),
                "the null caption's cell: the background");
    }

    @Test
    void captionedGridsRefuseARowLabelPerRowMismatch() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.captioned(
                    tmp.resolve("x.png"), Tensor.zeros(3, 4), List.of("a", "b", "c"), List.of("row"), 2, 2, 2, "t"));
            assertEquals("ImageGrid.captioned: 3 images [3, 4] in 2 rows of 2 need 3 captions and 2 row labels or"
                    + " none, got 3 and 1", e.getMessage());
        }
    }

    @Test
    void captionedGridsRefuseACaptionPerImageMismatchWithoutRowLabels() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.captioned(
                    tmp.resolve("x.png"), Tensor.zeros(3, 4), List.of("a", "b"), null, 2, 2, 2, "t"));
            assertEquals("ImageGrid.captioned: 3 images [3, 4] in 2 rows of 2 need 3 captions and 2 row labels or"
                    + " none, got 2 and none", e.getMessage());
        }
    }
}
