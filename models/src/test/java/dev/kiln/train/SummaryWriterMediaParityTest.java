package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's {@code addAudio}, {@code addCustomScalars} (and its multiline and margin charts), {@code addImage} and
 * {@code addImages} with {@code dataformats} and integer (uint8) tensors, {@code addFigure}, {@code addMesh} and the
 * {@code walltime} overloads against the log directory PyTorch 1.13's {@code SummaryWriter} wrote for the same calls
 * ({@code models/src/test/pytorch/tensorboard_media.py}, the resources {@code tensorboard/media/}): the same event file
 * directories, each file record by record (the same bytes but for the wall time where PyTorch's is the clock's and the
 * first record; images as their decoded pixels, since the PNG encoders differ; a given wall time exactly), and
 * TensorBoard's own reading of both directories ({@code tensorboard_read_check.py}, where {@code /opt/tbvenv} exists).
 */
class SummaryWriterMediaParityTest {
    private static final String RESOURCES = "/tensorboard/media/";
    private static final double WALLTIME = 1234567.25;

    @TempDir
    Path dir;

    private PyTorchLogDirectory logs() {
        return new PyTorchLogDirectory(RESOURCES, dir);
    }

    /** The script's wave(n): ((37 k mod 41) - 20) / 20. */
    private static double[] wave(int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = ((37 * k) % 41 - 20) / 20.0;
        }
        return v;
    }

    /** The script's sign * k / 32767 for k < 10: samples whose truncation depends on the product's precision. */
    private static double[] steps(int sign) {
        double[] v = new double[10];
        for (int k = 0; k < v.length; k++) {
            v[k] = sign * k / 32767.0;
        }
        return v;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** The script's pattern(shape): ((5 i) mod 17) / 16 over the flat index, F32. */
    static Tensor pattern(int... shape) {
        float[] v = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((5 * i) % 17) / 16f;
        }
        return Tensor.fromArray(v, shape);
    }

    /** The script's bytes_pattern(shape): (7 i + 3) mod 256 over the flat index, as I32 (Kiln's uint8 images). */
    static Tensor bytesPattern(int... shape) {
        int[] v = new int[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (7 * i + 3) % 256;
        }
        return Tensor.fromArray(v, shape);
    }

    /** The script's figure_pixels(5, 7) as a Java image, with an alpha that PyTorch's add_figure drops. */
    private static BufferedImage figure(int height, int width) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (40 * x + 3) % 256;
                int g = (50 * y + 7) % 256;
                int b = (13 * (x + y)) % 256;
                img.setRGB(x, y, 0xff << 24 | r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    private static Map<String, Object> meshConfig() {
        Map<String, Object> material = new LinkedHashMap<>();
        material.put("cls", "MeshStandardMaterial");
        material.put("roughness", 1);
        material.put("metalness", 0);
        material.put("flag", true);
        material.put("none", null);
        material.put("name", "caf\u00e9 \"q\"");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("material", material);
        config.put("lights", List.of(Map.of("cls", "AmbientLight", "color", "#ffffff", "intensity", 0.75),
                Map.of("cls", "DirectionalLight", "color", "#ffffff", "intensity", 0.5, "position",
                        List.of(0, -1, 2))));
        config.put("camera", Map.of("cls", "PerspectiveCamera", "fov", 75));
        return config;
    }

    private static final float[] VERTICES = {1, 1, 1, -1, -1, 1, 1, -1, -1, -1, 1, -1};
    private static final int[] COLORS = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 255};
    private static final int[] FACES = {0, 2, 3, 0, 3, 1, 0, 1, 2, 1, 3, 2};

    /** The script's calls, on a writer of {@link #dir}. */
    private void writeKilnLogDirectory() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor wave50 = Tensor.fromArray(floats(wave(50)), 50);
             Tensor loud = Tensor.fromArray(Arrays.stream(wave(30)).map(v -> v * 1.5).toArray(), 1, 30);
             Tensor steps32 = Tensor.fromArray(floats(steps(1)), 10);
             Tensor steps64 = Tensor.fromArray(steps(-1), 10);
             Tensor chw = pattern(3, 4, 5);
             Tensor hwc = pattern(4, 5, 3);
             Tensor hwc1 = pattern(3, 2, 1);
             Tensor hwc4 = pattern(2, 3, 4);
             Tensor hw = pattern(3, 4);
             Tensor hw64 = hw.to(DType.F64);
             Tensor whc = pattern(5, 4, 3);
             Tensor nchw = pattern(3, 1, 2, 2);
             Tensor bytesChw = bytesPattern(3, 4, 6);
             Tensor nhwc = pattern(10, 2, 3, 3);
             Tensor hwcn = pattern(2, 2, 1, 3);
             Tensor bytesNchw = bytesPattern(2, 3, 2, 2);
             Tensor vertices = Tensor.fromArray(VERTICES, 1, 4, 3);
             Tensor colors = Tensor.fromArray(COLORS, 1, 4, 3);
             Tensor faces = Tensor.fromArray(FACES, 1, 4, 3);
             Tensor halfVertices = vertices.mul(0.5);
             Tensor hist = Tensor.fromArray(new double[] {0.5, 1.5, 2.5, 2.5}, 4);
             Tensor image = pattern(1, 2, 2);
             Tensor images = pattern(2, 3, 2, 2);
             Tensor labels = Tensor.fromArray(new float[] {1, 0, 1}, 3);
             Tensor predictions = Tensor.fromArray(new float[] {0.25f, 0.5f, 0.75f}, 3);
             Tensor wave4 = Tensor.fromArray(floats(wave(4)), 4)) {
            w.addAudio("audio/wave", wave50, 1, 8000);
            w.addAudio("audio/clipped", loud, 2);
            w.addAudio("audio/steps32", steps32, 3, 16000);
            w.addAudio("audio/steps64", steps64, 4, 16000);
            Map<String, Map<String, CustomScalarChart>> layout = new LinkedHashMap<>();
            layout.put("Taiwan", Map.of("twse", CustomScalarChart.multiline(List.of("twse/0050", "twse/2330"))));
            Map<String, CustomScalarChart> usa = new LinkedHashMap<>();
            usa.put("dow", CustomScalarChart.margin("dow/aaa", "dow/bbb", "dow/ccc"));
            usa.put("nasdaq", CustomScalarChart.margin("nasdaq/aaa", "nasdaq/bbb", "nasdaq/ccc"));
            layout.put("USA", usa);
            w.addCustomScalars(layout);
            w.addCustomScalarsMultilinechart(List.of("loss/train", "loss/test"));
            w.addCustomScalarsMarginchart(List.of("acc", "acc/low", "acc/high"), "bands", "accuracy");
            w.addImage("format/chw", chw, 1, "CHW");
            w.addImage("format/hwc", hwc, 2, "HWC");
            w.addImage("format/hwc1", hwc1, 3, "HWC");
            w.addImage("format/hwc4", hwc4, 4, "hwc");
            w.addImage("format/hw", hw64, 5, "HW");
            w.addImage("format/whc", whc, 6, "WHC");
            w.addImage("format/nchw", nchw, 7, "NCHW");
            w.addImage("uint8/chw", bytesChw, 8);
            w.addImages("format/nhwc", nhwc, 1, "NHWC");
            w.addImages("format/hwcn", hwcn, 2, "HWCN");
            w.addImages("uint8/nchw", bytesNchw, 3);
            w.addFigure("figure", figure(5, 7), 9);
            w.addMesh("mesh", vertices, colors, faces, meshConfig(), 3);
            w.addMesh("mesh/points", halfVertices, null, null, null, 4);
            w.addScalar("walltime/scalar", 0.5, 3, WALLTIME);
            Map<String, Double> series = new LinkedHashMap<>();
            series.put("a", 0.25);
            series.put("b", 0.75);
            w.addScalars("walltime/scalars", series, 4, WALLTIME + 1);
            w.addHistogram("walltime/histogram", hist, 5, WALLTIME + 2);
            w.addImage("walltime/image", image, 6, "CHW", WALLTIME + 3);
            w.addImages("walltime/images", images, 7, "NCHW", WALLTIME + 4);
            w.addText("walltime/text", "at a given time", 8, WALLTIME + 5);
            w.addPrCurve("walltime/pr", labels, predictions, 9, 5, null, WALLTIME + 6);
            w.addAudio("walltime/audio", wave4, 10, 100, WALLTIME + 7);
            w.addMesh("walltime/mesh", vertices, null, null, null, 11, WALLTIME + 8);
        }
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
}
