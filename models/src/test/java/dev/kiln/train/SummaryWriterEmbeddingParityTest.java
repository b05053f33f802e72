package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's {@code addEmbedding} against the files PyTorch 1.13's {@code add_embedding} wrote for the same three calls
 * ({@code models/src/test/pytorch/tensorboard_embedding.py}, the resources {@code tensorboard/embedding/}): the same
 * files under the log directory, the same bytes for {@code projector_config.pbtxt}, {@code tensors.tsv} and
 * {@code metadata.tsv}, the same pixels for {@code sprite.png} (PIL and ImageIO compress them differently); and
 * TensorBoard's projector plugin reading Kiln's directory back where {@code /opt/tbvenv} has it.
 */
class SummaryWriterEmbeddingParityTest {
    /** The files the script's three calls leave (its event file aside), as resources under tensorboard/embedding/. */
    private static final List<String> PYTORCHS_FILES = List.of("00000/default/metadata.tsv",
            "00000/default/sprite.png", "00000/default/tensors.tsv", "00007/emb%2fx/metadata.tsv",
            "00007/emb%2fx/sprite.png", "00007/emb%2fx/tensors.tsv", "12345678/q'1%5c/tensors.tsv",
            "projector_config.pbtxt");

    @TempDir
    Path dir;

    /** The script's mat53(): F32 values that show F32 rounding, a tiny, a huge and a subnormal one, -0.0. */
    private static Tensor mat53() {
        double[] v = {0.1, -2.5, 1e-05, 3.0, 1e16, -0.0, 1 / 3.0, 7.0, -123.456, 0.5, Math.pow(2, -20), 65504.0, -1.0,
                0.2, 1e-40};
        return Tensor.fromArray(floats(v), 5, 3);
    }

    /** The script's grey(n, h, w): pixel i ((37 i) mod 300 - 20) / 255 in F32. */
    private static Tensor grey(int n, int h, int w) {
        double[] v = new double[n * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((37 * i) % 300 - 20) / 255.0;
        }
        return Tensor.fromArray(floats(v), n, 1, h, w);
    }

    /** The script's rgb(n, h, w): value i ((53 i) mod 256) / 255 in F32. */
    private static Tensor rgb(int n, int h, int w) {
        double[] v = new double[n * 3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((53 * i) % 256) / 255.0;
        }
        return Tensor.fromArray(floats(v), n, 3, h, w);
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** The script's three calls on one writer. */
    private void writeTheScriptsEmbeddings(Path logDir) throws IOException {
        try (SummaryWriter w = new SummaryWriter(logDir);
             Tensor mat53 = mat53();
             Tensor grey = grey(5, 3, 4);
             Tensor mat42 = Tensor.fromArray(new double[] {0.1, -1e-7, 2.0, 1e22, -0.25, Math.PI, Double.MIN_VALUE,
                     1.5}, 4, 2);
             Tensor rgb = rgb(4, 2, 3);
             Tensor mat22 = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2)) {
            w.addEmbedding(mat53, List.of("zero", "one", "two", "dí a", "4"), grey, 0, "default");
            w.addEmbedding(mat42, List.of("label", "name"), List.of(List.of("1", "one"), List.of("0", "zero"),
                    List.of("1", "uno"), List.of("2", "two")), rgb, 7, "emb/x");
            w.addEmbedding(mat22, null, null, 12345678, "q'1\\");
        }
    }

    /** PyTorch's files are read from the classpath, so that the test runs from a jar too. */
    @Test
    void theFilesMatchPyTorchsTextByteForByteAndSpritesPixelForPixel() throws IOException {
        writeTheScriptsEmbeddings(dir);
        TreeMap<String, Path> actual = files(dir);
        assertEquals(new TreeSet<>(PYTORCHS_FILES), actual.keySet());
        for (String name : PYTORCHS_FILES) {
            byte[] expected = resource("/tensorboard/embedding/" + name);
            if (name.endsWith(".png")) {
                assertSamePixels(expected, actual.get(name));
            } else {
                assertEquals(new String(expected, StandardCharsets.UTF_8),
                        Files.readString(actual.get(name), StandardCharsets.UTF_8), name);
            }
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SummaryWriterEmbeddingParityTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "resource " + name);
            return in.readAllBytes();
        }
    }

    /** The files under {@code root} by their path relative to it, the event files left out. */
    private static TreeMap<String, Path> files(Path root) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("events.out.tfevents."))
                    .forEach(p -> files.put(root.relativize(p).toString().replace('\\', '/'), p));
        }
        return files;
    }

    private static void assertSamePixels(byte[] expected, Path actual) throws IOException {
        BufferedImage e = ImageIO.read(new ByteArrayInputStream(expected));
        BufferedImage a = ImageIO.read(actual.toFile());
        assertEquals(e.getWidth() + "x" + e.getHeight(), a.getWidth() + "x" + a.getHeight(), actual.toString());
        assertArrayEquals(e.getRGB(0, 0, e.getWidth(), e.getHeight(), null, 0, e.getWidth()),
                a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()), actual.toString());
        assertEquals(e.getColorModel().hasAlpha(), a.getColorModel().hasAlpha(), "alpha in " + actual);
    }

    @Test
    void tensorBoardsProjectorPluginReadsKilnsConfigTensorsMetadataAndSprites() throws IOException {
        writeTheScriptsEmbeddings(dir);
        // What the script printed for PyTorch's directory.
        assertEquals(List.of(".\tdefault:00000\t5\t3\t5\t12x12", ".\temb/x:00007\t4\t2\t5\t6x6",
                ".\tq'1\\:12345678\t2\t2\t0\t-"), TensorBoardScripts.run("tensorboard_projector_check.py", dir));
    }

    @Test
    void aLaterCallAtTheSameStepAndTagReplacesTheFilesAndAddsAnEntry() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor a = Tensor.fromArray(new float[] {1, 2}, 2, 1);
             Tensor b = Tensor.fromArray(new float[] {3, 4}, 2, 1)) {
            Path first = w.addEmbedding(a, List.of("x", "y"), null, 3, "e");
            Path second = w.addEmbedding(b, null, null, 3, "e");
            assertEquals(dir.resolve("00003").resolve("e"), first);
            assertEquals(first, second);
        }
        assertEquals("3.0\n4.0\n", Files.readString(dir.resolve("00003/e/tensors.tsv")));
        String config = Files.readString(dir.resolve("projector_config.pbtxt"));
        assertEquals(2, config.split("embeddings \\{", -1).length - 1, config);
        try (Stream<Path> left = Files.list(dir.resolve("00003/e"))) {
            assertEquals(List.of("metadata.tsv", "tensors.tsv"),
                    left.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
    }

    /**
     * Images taller than wide whose rows outgrow the square PyTorch pads to (4 images 3 x 2: 2 rows 6 high, a row 4
     * wide), where PyTorch 1.13 fails: the sprite is 4 wide and 6 high, each image where the projector looks for it.
     */
    @Test
    void tallImagesGetASpriteAsHighAsTheirRowsWherePyTorchFails() throws IOException {
        float[] v = new float[4 * 3 * 2];
        for (int k = 0; k < 4; k++) {
            Arrays.fill(v, k * 6, k * 6 + 6, (k + 1) / 4f);
        }
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor mat = Tensor.zeros(4, 2);
             Tensor images = Tensor.fromArray(v, 4, 1, 3, 2)) {
            w.addEmbedding(mat, null, images, 0, "tall");
        }
        BufferedImage sprite = ImageIO.read(dir.resolve("00000/tall/sprite.png").toFile());
        assertEquals("4x6", sprite.getWidth() + "x" + sprite.getHeight());
        int[] grey = {63, 127, 191, 255};
        for (int k = 0; k < 4; k++) {
            int x = k % 2 * 2 + 1;
            int y = k / 2 * 3 + 2;
            assertEquals(grey[k] * 0x10101 | 0xff000000, sprite.getRGB(x, y), "image " + k);
        }
    }

    @Test
    void wrongShapesAndCountsAreRefusedNamingTheThingAndNothingIsWritten() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor vector = Tensor.fromArray(new float[] {1, 2, 3}, 3);
             Tensor mat = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
             Tensor twoImages = Tensor.zeros(2, 1, 4, 4);
             Tensor rgba = Tensor.zeros(3, 4, 4, 4);
             Tensor flat = Tensor.zeros(3, 16)) {
            assertMessage("embedding 'e': mat must be [N, D], got [3]",
                    () -> w.addEmbedding(vector, null, null, 0, "e"));
            assertMessage("embedding 'e': metadata must have a label per row of mat [3, 2]: expected 3, got 2",
                    () -> w.addEmbedding(mat, List.of("a", "b"), null, 0, "e"));
            assertMessage("embedding 'e': metadata must have a row per row of mat [3, 2]: expected 3, got 1",
                    () -> w.addEmbedding(mat, List.of("h"), List.of(List.of("a")), null, 0, "e"));
            assertMessage("embedding 'e': metadata row 1 must have a value per header column (2: [h, i]), got 1",
                    () -> w.addEmbedding(mat, List.of("h", "i"), List.of(List.of("a", "b"), List.of("c"),
                            List.of("d", "e")), null, 0, "e"));
            assertMessage("embedding 'e': metadata value 1 must not hold a tab or line break, got 'b\\nc'",
                    () -> w.addEmbedding(mat, List.of("a", "b\nc", "d"), null, 0, "e"));
            assertMessage("embedding 'e': labelImg must be [N, C, H, W] with N 3 (mat's rows) and C 1 or 3, got "
                    + "[2, 1, 4, 4]", () -> w.addEmbedding(mat, null, twoImages, 0, "e"));
            assertMessage("embedding 'e': labelImg must be [N, C, H, W] with N 3 (mat's rows) and C 1 or 3, got "
                    + "[3, 4, 4, 4]", () -> w.addEmbedding(mat, null, rgba, 0, "e"));
            assertMessage("embedding 'e': labelImg must be [N, C, H, W] with N 3 (mat's rows) and C 1 or 3, got "
                    + "[3, 16]", () -> w.addEmbedding(mat, null, flat, 0, "e"));
            assertMessage("embedding '..': the tag must not be . or .., which would name the step's directory or its"
                    + " parent", () -> w.addEmbedding(mat, null, null, 0, ".."));
            assertMessage("SummaryWriter: step must be >= 0, got -1 for 'e'",
                    () -> w.addEmbedding(mat, null, null, -1, "e"));
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(1, left.count(), "only the event file");
        }
    }

    /**
     * An empty embedding: PyTorch 1.13 fails on zero rows with images (a ZeroDivisionError laying out the sprite) and,
     * without images, writes a config entry whose tensors.tsv TensorBoard's projector cannot read (none for zero rows,
     * blank lines for zero columns), which breaks the projector for every embedding of the run. Kiln refuses both,
     * and images of no width (PyTorch: a ValueError) or no height, naming the argument and its shape.
     */
    @Test
    void emptyEmbeddingsAndImagesAreRefusedNamingTheArgumentAndItsShape() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor noRows = Tensor.zeros(0, 3);
             Tensor noColumns = Tensor.zeros(2, 0);
             Tensor noImages = Tensor.zeros(0, 1, 4, 4);
             Tensor mat = Tensor.zeros(2, 3);
             Tensor noWidth = Tensor.zeros(2, 1, 4, 0);
             Tensor noHeight = Tensor.zeros(2, 3, 0, 4)) {
            assertMessage("embedding 'e': mat must be [N, D] with N and D at least 1 (TensorBoard's projector cannot"
                    + " show an empty embedding), got [0, 3]", () -> w.addEmbedding(noRows, null, null, 0, "e"));
            assertMessage("embedding 'e': mat must be [N, D] with N and D at least 1 (TensorBoard's projector cannot"
                    + " show an empty embedding), got [0, 3]", () -> w.addEmbedding(noRows, List.of(), noImages, 0,
                    "e"));
            assertMessage("embedding 'e': mat must be [N, D] with N and D at least 1 (TensorBoard's projector cannot"
                    + " show an empty embedding), got [2, 0]", () -> w.addEmbedding(noColumns, null, null, 0, "e"));
            assertMessage("embedding 'e': labelImg must be [N, C, H, W] with H and W at least 1, got [2, 1, 4, 0]",
                    () -> w.addEmbedding(mat, null, noWidth, 0, "e"));
            assertMessage("embedding 'e': labelImg must be [N, C, H, W] with H and W at least 1, got [2, 3, 0, 4]",
                    () -> w.addEmbedding(mat, List.of("h"), List.of(List.of("a"), List.of("b")), noHeight, 0, "e"));
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(1, left.count(), "only the event file");
        }
    }

    private static void assertMessage(String expected, Runnable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call::run).getMessage());
    }
}
