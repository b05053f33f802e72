package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's {@code addHistogramRaw}, {@code addPrCurveRaw} and {@code addImageWithBoxes} (without labels) against the
 * log directory PyTorch 1.13's {@code SummaryWriter} wrote for the same calls
 * ({@code models/src/test/pytorch/tensorboard_raw.py}, the resources {@code tensorboard/raw/}): record by record, the
 * same bytes but for the wall time where PyTorch's is the clock's, images as their decoded pixels (the boxes' pixels
 * are Pillow's), and TensorBoard's own reading of both directories.
 */
class SummaryWriterRawBoxesParityTest {
    private static final String RESOURCES = "/tensorboard/raw/";
    private static final double WALLTIME = 1234567.25;
    /** The script's boxes: whole pixels, fractions, negatives, past the edges, a point and a box of no width. */
    private static final float[] BOXES = {1, 1, 6, 4, 2.7f, 3.2f, 9.9f, 8.5f, -2.5f, -1.5f, 4.25f, 2.75f,
        8, 5, 20, 30, 5, 5, 5, 5, 3, 2, 3, 7};

    @TempDir
    Path dir;

    private static Tensor boxes(int from, int to) {
        return Tensor.fromArray(Arrays.copyOfRange(BOXES, 4 * from, 4 * to), to - from, 4);
    }

    private void writeKilnLogDirectory() throws IOException {
        double[] tp = {10, 8, 5, 2, 0};
        double[] fp = {10, 4, 2, 1, 0};
        double[] tn = {0, 6, 8, 9, 10};
        double[] fn = {0, 2, 5, 8, 10};
        double[] precision = {0.5, 2 / 3.0, 5 / 7.0, 2 / 3.0, 0};
        double[] recall = {1, 0.8, 0.5, 0.2, 0};
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor all = boxes(0, 6);
             Tensor firstTwo = boxes(0, 2);
             Tensor secondThird = boxes(1, 3);
             Tensor secondThird64 = secondThird.to(DType.F64);
             Tensor first = boxes(0, 1);
             Tensor lastTwo = boxes(4, 6);
             Tensor chw = SummaryWriterMediaParityTest.pattern(3, 12, 14);
             Tensor grey = SummaryWriterMediaParityTest.pattern(1, 9, 10);
             Tensor hwc = SummaryWriterMediaParityTest.pattern(10, 11, 3);
             Tensor hwc64 = hwc.to(DType.F64);
             Tensor bytes = SummaryWriterMediaParityTest.bytesPattern(3, 8, 9);
             Tensor rgba = SummaryWriterMediaParityTest.pattern(4, 7, 8);
             Tensor small = SummaryWriterMediaParityTest.pattern(3, 6, 6)) {
            w.addHistogramRaw("raw/histogram", -1.5, 2.25, 7, 3, 11.5, new double[] {-1, 0, 1, 2.5},
                    new double[] {1, 2, 0, 4}, 1);
            w.addHistogramRaw("raw/histogram_np", 0, 0, 3, 0, 0, new double[] {0, 1e-12}, new double[] {0, 3}, 2);
            w.addPrCurveRaw("raw/pr_default", tp, fp, tn, fn, precision, recall, 3);
            w.addPrCurveRaw("raw/pr_5", tp, fp, tn, fn, precision, recall, 4, 5);
            w.addImageWithBoxes("boxes/chw", chw, all, 5);
            w.addImageWithBoxes("boxes/grey", grey, firstTwo, 6);
            w.addImageWithBoxes("boxes/hwc", hwc64, secondThird64, 7, "HWC", null);
            w.addImageWithBoxes("boxes/uint8", bytes, first, 8);
            w.addImageWithBoxes("boxes/rgba", rgba, lastTwo, 9);
            w.addHistogramRaw("walltime/histogram", 1, 1, 1, 1, 1, new double[] {0.5, 1.5}, new double[] {0, 1}, 10,
                    WALLTIME);
            w.addPrCurveRaw("walltime/pr", Arrays.copyOf(tp, 2), Arrays.copyOf(fp, 2), Arrays.copyOf(tn, 2),
                    Arrays.copyOf(fn, 2), Arrays.copyOf(precision, 2), Arrays.copyOf(recall, 2), 11, 2, WALLTIME + 1);
            w.addImageWithBoxes("walltime/boxes", small, first, 12, "CHW", null, WALLTIME + 2);
        }
    }

    @Test
    void everyRecordMatchesPyTorchs() throws IOException {
        writeKilnLogDirectory();
        new PyTorchLogDirectory(RESOURCES, dir).assertEveryRecordMatches();
    }

    @Test
    void tensorBoardReadsKilnsLogDirectoryAsItReadsPyTorchs() throws IOException {
        writeKilnLogDirectory();
        assertEquals(new PyTorchLogDirectory(RESOURCES, dir).resourceLines("tensorboard_read.txt"),
                TensorBoardScripts.run("tensorboard_read_check.py", dir));
    }
}
