package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CtcDecodingTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Scores [T, batch, classes] that put 1 on each step's class in {@code paths[n][t]}, 0 elsewhere. */
    private static Tensor scores(int classes, int[]... paths) {
        int steps = paths[0].length;
        double[] values = new double[steps * paths.length * classes];
        for (int n = 0; n < paths.length; n++) {
            for (int t = 0; t < steps; t++) {
                values[(t * paths.length + n) * classes + paths[n][t]] = 1;
            }
        }
        return Tensor.fromArray(values, steps, paths.length, classes);
    }

    @Test
    void mergesRunsAndDropsBlanks() {
        assertArrayEquals(new int[] {1, 1, 2}, CtcDecoding.collapse(new long[] {1, 1, 0, 1, 2, 2, 0}, 0));
    }

    @Test
    void aPathOfBlanksReadsAsNothing() {
        assertArrayEquals(new int[] {}, CtcDecoding.collapse(new long[] {3, 3, 3}, 3));
    }

    @Test
    void greedyTakesTheBestClassAtEachStepOfEachSample() {
        List<int[]> labels = CtcDecoding.greedy(scores(4, new int[] {1, 0, 1, 3}, new int[] {2, 2, 0, 0}), 0);
        assertEquals(2, labels.size());
        assertArrayEquals(new int[] {1, 1, 3}, labels.get(0));
        assertArrayEquals(new int[] {2}, labels.get(1));
    }

    @Test
    void greedyReadsOnlyEachSamplesInputLength() {
        List<int[]> labels = CtcDecoding.greedy(scores(4, new int[] {1, 2, 3, 3}, new int[] {3, 0, 2, 1}),
                new int[] {2, 3}, 0);
        assertArrayEquals(new int[] {1, 2}, labels.get(0));
        assertArrayEquals(new int[] {3, 2}, labels.get(1));
    }

    @Test
    void greedyTakesAnyBlank() {
        List<int[]> labels = CtcDecoding.greedy(scores(3, new int[] {0, 2, 0, 0, 1}), 2);
        assertArrayEquals(new int[] {0, 0, 1}, labels.get(0));
    }

    @Test
    void refusesABlankOutsideTheClassesAndLengthsThatDoNotFit() {
        Tensor s = scores(3, new int[] {0, 1}, new int[] {1, 2});
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> CtcDecoding.greedy(s, 3));
        assertTrue(blank.getMessage().contains("blank 3 is not one of the 3 classes: expected 0 <= blank < 3"),
                blank.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> CtcDecoding.greedy(s, new int[] {2, 3}, 0));
        assertTrue(length.getMessage().contains("input length 3 of sample 1 must be in [0, 2]"), length.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> CtcDecoding.greedy(s, new int[] {2}, 0));
        assertTrue(count.getMessage().contains("input lengths has 1 entries, expected one per sample: 2"),
                count.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> CtcDecoding.greedy(s.reshape(4, 3), 0));
        assertTrue(rank.getMessage().contains("scores [4, 3]: expected [T, batch, classes]"), rank.getMessage());
    }
}
