package dev.kiln.train;

import com.google.protobuf.WireFormat;
import java.util.Arrays;

/**
 * The pr_curves plugin's data, as PyTorch's {@code add_pr_curve} computes it (TensorBoard's {@code compute_curve}):
 * a float tensor [6, n] of n thresholds whose rows are the true positives, false positives, true negatives, false
 * negatives, precision and recall at thresholds i / (n - 1).
 *
 * <p>Prediction p falls into bucket {@code floor(p * (n - 1))}, the product taken in the predictions' own precision
 * (F32 for an F32 tensor, as NumPy takes it); each label adds its value to the bucket's positives and 1 minus it to
 * its negatives, each times the element's weight where weights are given. Threshold i counts the buckets from i up;
 * precision is tp / max(1e-7, tp + fp) and recall tp / max(1e-7, tp + fn), in double, and every figure is stored as a
 * float.
 */
final class TensorBoardPrCurve {
    /** PyTorch's cap on the thresholds ("weird, value > 127 breaks protobuf"), which it applies silently. */
    static final int MAX_THRESHOLDS = 127;
    private static final double MINIMUM_COUNT = 1e-7;
    /** The elements {@code np.histogram} counts at a time. */
    private static final int NUMPY_BLOCK = 65536;
    private static final int ROWS = 6;
    // TensorProto, TensorShapeProto and its Dim
    private static final int DTYPE = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int FLOAT_VAL = 5;
    private static final int DT_FLOAT = 1;
    private static final int DIM = 2;
    private static final int DIM_SIZE = 1;
    // PrCurvePluginData (version 0, left out)
    private static final int NUM_THRESHOLDS = 2;

    private TensorBoardPrCurve() {
    }

    /**
     * The curve's [6, n] figures, row-major.
     *
     * @param labels      each element's label, 1 (positive) or 0, or a weight between
     * @param weights     each element's weight, or null for 1 each: it counts {@code label * weight} positives and
     *                    {@code (1 - label) * weight} negatives
     * @param buckets     each element's bucket, from 0 to n - 1
     */
    static double[] curve(double[] labels, double[] weights, int[] buckets, int thresholds) {
        double[] tpBuckets = new double[thresholds];
        double[] fpBuckets = new double[thresholds];
        double[] tpBlock = new double[thresholds];
        double[] fpBlock = new double[thresholds];
        // NumPy's histogram adds up each block of 65536 elements alone, then the blocks' sums: the same order keeps
        // weighted sums the same to the last bit.
        for (int start = 0; start < labels.length; start += NUMPY_BLOCK) {
            Arrays.fill(tpBlock, 0);
            Arrays.fill(fpBlock, 0);
            for (int k = start; k < Math.min(labels.length, start + NUMPY_BLOCK); k++) {
                double w = weights == null ? 1.0 : weights[k];
                tpBlock[buckets[k]] += labels[k] * w;
                fpBlock[buckets[k]] += (1.0 - labels[k]) * w;
            }
            for (int i = 0; i < thresholds; i++) {
                tpBuckets[i] += tpBlock[i];
                fpBuckets[i] += fpBlock[i];
            }
        }
        double[] data = new double[ROWS * thresholds];
        double tp = 0;
        double fp = 0;
        for (int i = thresholds - 1; i >= 0; i--) {
            tp += tpBuckets[i];
            fp += fpBuckets[i];
            data[i] = tp;
            data[thresholds + i] = fp;
        }
        for (int i = 0; i < thresholds; i++) {
            double tpi = data[i];
            double fpi = data[thresholds + i];
            double fni = data[0] - tpi;
            data[2 * thresholds + i] = data[thresholds] - fpi;
            data[3 * thresholds + i] = fni;
            data[4 * thresholds + i] = tpi / Math.max(MINIMUM_COUNT, tpi + fpi);
            data[5 * thresholds + i] = tpi / Math.max(MINIMUM_COUNT, tpi + fni);
        }
        return data;
    }

    /**
     * The [6, n] figures of a curve given row by row, as PyTorch's {@code add_pr_curve_raw} stacks them.
     *
     * @throws IllegalArgumentException when a row is empty or the rows' lengths differ, naming {@code tag}
     */
    static double[] raw(String tag, double[]... rows) {
        int n = rows[0].length;
        String[] names = {"truePositives", "falsePositives", "trueNegatives", "falseNegatives", "precision", "recall"};
        if (n == 0) {
            throw new IllegalArgumentException("pr curve '" + tag + "': no thresholds (truePositives is empty)");
        }
        double[] data = new double[ROWS * n];
        for (int r = 0; r < ROWS; r++) {
            if (rows[r].length != n) {
                throw new IllegalArgumentException("pr curve '" + tag + "': " + names[r] + " must have as many values"
                        + " as truePositives, " + n + ", got " + rows[r].length);
            }
            System.arraycopy(rows[r], 0, data, r * n, n);
        }
        return data;
    }

    /** Prediction {@code p}'s bucket of {@code thresholds}, the product in double. */
    static int bucket(double p, int thresholds) {
        return (int) Math.floor(p * (thresholds - 1));
    }

    /** Prediction {@code p}'s bucket of {@code thresholds}, the product in float as NumPy takes it for F32. */
    static int bucket(float p, int thresholds) {
        return (int) Math.floor(p * (float) (thresholds - 1));
    }

    /**
     * The summary event: the curve, n values a row, as a float tensor [6, n] under {@code tag}, read by the pr_curves
     * plugin; the plugin's data says {@code thresholds}, which PyTorch's {@code add_pr_curve_raw} writes whatever n is.
     */
    static byte[] event(double wallTime, long step, String tag, double[] curve, int thresholds) {
        int columns = curve.length / ROWS;
        byte[] shape = TensorBoardEvent.message(out -> {
            out.writeByteArray(DIM, TensorBoardEvent.message(d -> d.writeInt64(DIM_SIZE, ROWS)));
            out.writeByteArray(DIM, TensorBoardEvent.message(d -> d.writeInt64(DIM_SIZE, columns)));
        });
        byte[] tensor = TensorBoardEvent.message(out -> {
            out.writeEnum(DTYPE, DT_FLOAT);
            out.writeByteArray(TENSOR_SHAPE, shape);
            out.writeTag(FLOAT_VAL, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(curve.length * Float.BYTES);
            for (double v : curve) {
                out.writeFloatNoTag((float) v);
            }
        });
        byte[] content = TensorBoardEvent.message(out -> out.writeUInt32(NUM_THRESHOLDS, thresholds));
        byte[] metadata = TensorBoardEvent.pluginMetadata("pr_curves", content);
        return TensorBoardEvent.summary(wallTime, step, TensorBoardEvent.value(tag, out -> {
            out.writeByteArray(TensorBoardEvent.TENSOR, tensor);
            out.writeByteArray(TensorBoardEvent.METADATA, metadata);
        }));
    }
}
