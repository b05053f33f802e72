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

/** {@link Accuracy#accumulate}: hits counted on the device, against a host loop with the first-maximum rule. */
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
        long[] labels = new long[ROWS];
        for (int r = 0; r < ROWS; r++) {
            labels[r] = random.nextInt(CLASSES);
        }
        Tensor hits = Tensor.fromArray(new long[] {3}, 1);
        Accuracy.accumulate(Tensor.fromArray(s, ROWS, CLASSES).to(dtype), Tensor.fromArray(labels, ROWS), hits);
        long expected = expectedHits(s, labels);
        assertTrue(expected > 20 && expected < ROWS - 20, "a count that says something: " + expected);
        assertEquals(3 + expected, hits.toLongArray()[0], "3 already counted plus this batch's hits");
        assertEquals(expected, Accuracy.correct(Tensor.fromArray(s, ROWS, CLASSES).to(dtype),
                Tensor.fromArray(labels, ROWS)));
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
}
