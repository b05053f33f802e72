package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Accuracy#accumulate} and {@link Accuracy#accumulateTopK}: hits counted on the device, against host loops with
 * the first-maximum rule and with ties counted in the label's favour.
 */
class AccuracyTest {
    private static final int ROWS = 300;
    private static final int CLASSES = 7;
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Scores drawn from a few values, so that rows tie, and a NaN in every 25th row. */
    private static double[] scores(Random random) {
        double[] s = new double[ROWS * CLASSES];
        for (int i = 0; i < s.length; i++) {
            s[i] = random.nextInt(3);
        }
        for (int r = 0; r < ROWS; r += 25) {
            s[r * CLASSES + random.nextInt(CLASSES)] = Double.NaN;
        }
        return s;
    }

    private static long[] labels(Random random) {
        long[] labels = new long[ROWS];
        for (int r = 0; r < ROWS; r++) {
            labels[r] = random.nextInt(CLASSES);
        }
        return labels;
    }

    /** The first maximum of each row, the first NaN winning, as argmax does. */
    private static long expectedHits(double[] s, long[] labels) {
        long hits = 0;
        for (int r = 0; r < ROWS; r++) {
            int best = 0;
            for (int c = 1; c < CLASSES; c++) {
                double v = s[r * CLASSES + c];
                double b = s[r * CLASSES + best];
                if (v > b || (Double.isNaN(v) && !Double.isNaN(b))) {
                    best = c;
                }
            }
            hits += best == labels[r] ? 1 : 0;
        }
        return hits;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void addsTheRowsWhoseFirstMaximumIsAtTheLabel(DType dtype) {
        Random random = new Random(5);
        double[] s = scores(random);
        long[] labels = labels(random);
        Tensor hits = Tensor.fromArray(new long[] {3}, 1);
        Accuracy.accumulate(Tensor.fromArray(s, ROWS, CLASSES).to(dtype), Tensor.fromArray(labels, ROWS), hits);
        long expected = expectedHits(s, labels);
        assertTrue(expected > 20 && expected < ROWS - 20, "a count that says something: " + expected);
        assertEquals(3 + expected, hits.toLongArray()[0], "3 already counted plus this batch's hits");
        assertEquals(expected, Accuracy.correct(Tensor.fromArray(s, ROWS, CLASSES).to(dtype),
                Tensor.fromArray(labels, ROWS)));
    }

    /** Rows whose label's score has fewer than k scores strictly above it; a row holding a NaN is no hit. */
    private static long expectedTopK(double[] s, long[] labels, int k) {
        long hits = 0;
        for (int r = 0; r < ROWS; r++) {
            double target = s[r * CLASSES + (int) labels[r]];
            int higher = 0;
            boolean nan = false;
            for (int c = 0; c < CLASSES; c++) {
                higher += s[r * CLASSES + c] > target ? 1 : 0;
                nan |= Double.isNaN(s[r * CLASSES + c]);
            }
            hits += higher < k && !nan ? 1 : 0;
        }
        return hits;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void addsTheRowsWhoseLabelIsAmongTheKHighestWithTiesInItsFavour(DType dtype) {
        Random random = new Random(6);
        double[] s = scores(random);
        long[] labels = labels(random);
        Tensor scores = Tensor.fromArray(s, ROWS, CLASSES).to(dtype);
        Tensor labelTensor = Tensor.fromArray(labels, ROWS);
        for (int k : new int[] {1, 2, CLASSES}) {
            Tensor hits = Tensor.fromArray(new double[] {5}, 1);
            Accuracy.accumulateTopK(scores, labelTensor, k, hits);
            long expected = expectedTopK(s, labels, k);
            assertEquals(5 + expected, hits.item(), "k = " + k + ": 5 already counted plus this batch's hits");
            assertEquals(expected, Accuracy.inTopK(scores, labelTensor, k), "k = " + k);
        }
        long topOne = expectedTopK(s, labels, 1);
        assertTrue(topOne > expectedHits(s, labels) && topOne < ROWS, "ties make top-1 (in the label's favour) count"
                + " more rows than the first maximum does: " + topOne + " against " + expectedHits(s, labels));
        assertEquals(ROWS - ROWS / 25, expectedTopK(s, labels, CLASSES), "every label is among all the classes' scores,"
                + " except in the rows holding a NaN");
    }

    @Test
    void topKRefusesKBelowOneAndAWrongHitsTensor() {
        Tensor scores = Tensor.fromArray(new float[] {0, 1, 1, 0}, 2, 2);
        Tensor labels = Tensor.fromArray(new long[] {1, 0}, 2);
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> Accuracy.accumulateTopK(scores, labels, 0, Tensor.zeros(DType.F64)));
        assertTrue(k.getMessage().contains("k must be at least 1, got 0"), k.getMessage());
        IllegalArgumentException hits = assertThrows(IllegalArgumentException.class,
                () -> Accuracy.accumulateTopK(scores, labels, 1, Tensor.zeros(DType.I64)));
        assertTrue(hits.getMessage().contains("expected one F64 element"), hits.getMessage());
    }

    @Test
    void acceptsI32LabelsAndRefusesFloatingLabelsOrAWrongHitsTensor() {
        Tensor scores = Tensor.fromArray(new float[] {0, 1, 1, 0}, 2, 2);
        assertEquals(2, Accuracy.correct(scores, Tensor.fromArray(new int[] {1, 0}, 2)));
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> Accuracy.correct(scores, Tensor.fromArray(new float[] {1, 0}, 2)));
        assertTrue(labels.getMessage().contains("labels F32 [2]"), labels.getMessage());
        IllegalArgumentException hits = assertThrows(IllegalArgumentException.class,
                () -> Accuracy.accumulate(scores, Tensor.fromArray(new long[] {1, 0}, 2), Tensor.zeros(DType.F64)));
        assertTrue(hits.getMessage().contains("expected one I64 element"), hits.getMessage());
    }

    @Test
    void aRowHoldingANanScoreIsNoTopKHitAsInTensorFlow() {
        Tensor scores = Tensor.fromArray(new float[] {Float.NaN, Float.NaN, Float.NaN, 0, 0, 0, 1, 2, 3}, 3, 3);
        Tensor labels = Tensor.fromArray(new long[] {2, 1, 0}, 3);
        assertEquals(1, Accuracy.inTopK(scores, labels, 1), "only the tied row [0, 0, 0] (ties count for the label)");
        assertEquals(1, Accuracy.inTopK(scores, labels, 2), "label 0 of [1, 2, 3] is third");
        assertEquals(2, Accuracy.inTopK(scores, labels, 3));
    }
}
