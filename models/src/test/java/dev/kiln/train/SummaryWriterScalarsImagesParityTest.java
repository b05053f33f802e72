package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's {@code addScalars}, {@code addImages}, {@code addPrCurve} with weights and {@code addHparams} with discrete
 * domains against the log directory PyTorch 1.13's {@code SummaryWriter} wrote for the same calls
 * ({@code models/src/test/pytorch/tensorboard_scalars_images.py}, the resources {@code tensorboard/scalars_images/}):
 * the same event file directories (each series of {@code add_scalars} a run of its own), each file record by record
 * (the same bytes but for the wall time and the first record; images as their decoded pixels, since the PNG encoders
 * differ; the session start's hyperparameters as a set, since Python writes that map in a hash order), and
 * TensorBoard's own reading of both directories ({@code tensorboard_read_check.py}, where {@code /opt/tbvenv} exists).
 */
class SummaryWriterScalarsImagesParityTest {
    private static final String RESOURCES = "/tensorboard/scalars_images/";
    private static final int BLOCK = 65536;

    @TempDir
    Path dir;

    private PyTorchLogDirectory logs() {
        return new PyTorchLogDirectory(RESOURCES, dir);
    }

    /** The script's pattern(n, c, h, w): ((5 c + 3 h + 7 w + 11 k) mod 17) / 16 as [N, C, H, W], F32. */
    private static Tensor pattern(int n, int channels, int height, int width) {
        float[] v = new float[n * channels * height * width];
        int i = 0;
        for (int k = 0; k < n; k++) {
            for (int c = 0; c < channels; c++) {
                for (int h = 0; h < height; h++) {
                    for (int w = 0; w < width; w++) {
                        v[i++] = ((5 * c + 3 * h + 7 * w + 11 * k) % 17) / 16f;
                    }
                }
            }
        }
        return Tensor.fromArray(v, n, channels, height, width);
    }

    /** The script's fractions(n, c, h, w): ((13 i) mod 256) / 255 over the flat index, F64. */
    private static Tensor fractions(int n, int channels, int height, int width) {
        double[] v = new double[n * channels * height * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((13 * i) % 256) / 255.0;
        }
        return Tensor.fromArray(v, n, channels, height, width);
    }

    /** The script's labels(n): (3 k mod 7) < 3. */
    private static Tensor labels(int n) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (3 * k) % 7 < 3 ? 1 : 0;
        }
        return Tensor.fromArray(v, n);
    }

    /** The script's predictions(n): (29 k mod 61) / 60. */
    private static double[] predictions(int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = ((29 * k) % 61) / 60.0;
        }
        return v;
    }

    /** The script's weights(n): (k mod 10 + 1) / 10. */
    private static double[] weights(int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = ((k % 10) + 1) / 10.0;
        }
        return v;
    }

    private static double[] ones(int n) {
        double[] v = new double[n];
        Arrays.fill(v, 1);
        return v;
    }

    /**
     * The script's block_weights(): 2^25, then in NumPy's second block of 65536 2 and sixteen 2^-30, whose float32 sum
     * is 2^25 + 4 only when each block is added up alone first (one by one it is a tie, rounded to 2^25).
     */
    private static double[] blockWeights() {
        double[] w = new double[BLOCK + 17];
        w[0] = 0x1p25;
        w[BLOCK] = 2;
        Arrays.fill(w, BLOCK + 1, w.length, 0x1p-30);
        return w;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** The script's calls, on a writer of {@link #dir}. */
    private void writeKilnLogDirectory() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor rgb = pattern(3, 3, 4, 5);
             Tensor grey = pattern(10, 1, 3, 2);
             Tensor row = pattern(8, 3, 2, 2);
             Tensor f64 = fractions(2, 3, 2, 3);
             Tensor one = pattern(1, 1, 2, 3);
             Tensor y50 = labels(50);
             Tensor p50 = Tensor.fromArray(floats(predictions(50)), 50);
             Tensor w50 = Tensor.fromArray(weights(50), 50);
             Tensor y61 = labels(61);
             Tensor p61 = Tensor.fromArray(predictions(61), 61);
             Tensor w61 = Tensor.fromArray(floats(weights(61)), 61);
             Tensor ones = Tensor.fromArray(ones(BLOCK + 17), BLOCK + 17);
             Tensor blockWeights = Tensor.fromArray(blockWeights(), BLOCK + 17)) {
            w.addScalar("plain", 1.0, 0);
            w.addScalars("loss/run", ordered("train", 0.5, "test", 0.75), 1);
            w.addScalars("loss/run", ordered("train", 0.25, "test", 0.5, "val", 1 / 3.0), 2);
            w.addScalars("loss/run", ordered("train", 0.125), 3);
            w.addScalars("lr", ordered("a/b", 0.1, "nan", Double.NaN), 4);
            w.addImages("rgb", rgb, 1);
            w.addImages("grey", grey, 2);
            w.addImages("row", row, 3);
            w.addImages("f64", f64, 4);
            w.addImages("one", one, 5);
            w.addPrCurve("pr/weighted", y50, p50, 1, 127, w50);
            w.addPrCurve("pr/f32_weights", y61, p61, 2, 5, w61);
            w.addPrCurve("pr/blocks", ones, ones, 3, 127, blockWeights);
            Map<String, Object> hparams = new LinkedHashMap<>();
            hparams.put("model", "mlp");
            hparams.put("lr", 0.01);
            hparams.put("batch", 64);
            hparams.put("nesterov", true);
            hparams.put("opt", "sgd");
            hparams.put("dropout", null);
            hparams.put("seed", 7L);
            Map<String, List<?>> domains = new LinkedHashMap<>();
            domains.put("model", List.of("mlp", "cnn"));
            domains.put("lr", List.of(0.1, 0.01));
            domains.put("batch", List.of(32, 64L, true));
            domains.put("nesterov", List.of(true, false));
            domains.put("opt", List.of());
            w.addHparams(hparams, Map.of("hparam/accuracy", 0.9375), domains, "hp");
        }
    }

    private static Map<String, Double> ordered(Object... tagsAndValues) {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < tagsAndValues.length; i += 2) {
            map.put((String) tagsAndValues[i], (Double) tagsAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void eachSeriesOfAddScalarsIsARunOfItsOwnAsInPyTorch() throws IOException {
        writeKilnLogDirectory();
        assertEquals(logs().resourceLines("files.txt"), logs().eventFileDirectories());
    }

    @Test
    void everyFileMatchesPyTorchsRecordByRecord() throws IOException {
        writeKilnLogDirectory();
        logs().assertEveryRecordMatches();
    }

    @Test
    void tensorBoardReadsKilnsLogDirectoryAsItReadsPyTorchs() throws IOException {
        writeKilnLogDirectory();
        assertEquals(logs().resourceLines("tensorboard_read.txt"),
                TensorBoardScripts.run("tensorboard_read_check.py", dir));
    }

    /** The pixels PyTorch's grid holds: images in rows of 8, left to right, the rest of the last row black. */
    @Test
    void addImagesLaysTheImagesOutInRowsOfEight() throws IOException {
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor images = Tensor.fromArray(new float[] {0, 0.5f, 1, 0.25f, 0.75f, 1, 1, 1, 1, 0.5f}, 10, 1, 1, 1)) {
            w.addImages("grid", images, 0);
            file = w.file();
        }
        byte[] value = EventFileReader.values(EventFileReader.records(Files.readAllBytes(file)).get(1)).get(0);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(EventFileReader.bytes(EventFileReader.bytes(value,
                4), 4)));
        int[] grey = new int[16];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = img.getRGB(i % 8, i / 8) & 0xff;
        }
        assertArrayEquals(new int[] {0, 127, 255, 63, 191, 255, 255, 255, 255, 127, 0, 0, 0, 0, 0, 0}, grey);
    }
}
