package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link F#maxPool1d}, {@link F#maxPool1dWithIndices} and {@link F#avgPool1d} (which the {@link MaxPool1d} and
 * {@link AvgPool1d} layers call): the same values and indices as the 2-D pooling of a height-1 view, values PyTorch
 * 1.13 printed ({@code pool1d_functional.py}), unbatched inputs, gradients against finite differences, and the
 * errors.
 */
class FunctionalPool1dTest {
    private static final double[] ROW = {1, 9, 2, 3, 0, 7, 7, 4, 5, -1, 6, 6, 2, 8, -3, 0};

    /** Settings {kernel, stride, padding, dilation}, each also in ceil mode. */
    private static final int[][] SETTINGS = {{2, 2, 0, 1}, {3, 1, 1, 1}, {3, 2, 1, 2}, {4, 3, 2, 1}, {2, 3, 1, 3}};

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor ties() {
        Random random = new Random(17);
        double[] v = new double[2 * 3 * 11];
        Arrays.setAll(v, i -> random.nextInt(4));
        return Tensor.fromArray(v, 2, 3, 11);
    }

    /**
     * Values and indices equal to the 2-D pooling of the [batch, channels, 1, length] view, as the MaxPool1d and
     * AvgPool1d layers computed them before they called these functions, on inputs of many ties.
     */
    @Test
    void maxPool1dEqualsTheTwoDimensionalPoolingOfAHeightOneView() {
        Tensor x = ties();
        for (int[] s : SETTINGS) {
            for (boolean ceil : new boolean[] {false, true}) {
                F.MaxPoolOutput rows = F.maxPool2dWithIndices(x.unsqueeze(2), new int[] {1, s[0]},
                        new int[] {1, s[1]}, new int[] {0, s[2]}, new int[] {1, s[3]}, ceil);
                F.MaxPoolOutput f = F.maxPool1dWithIndices(x, s[0], s[1], s[2], s[3], ceil);
                String what = Arrays.toString(s) + (ceil ? " ceil" : "");
                assertArrayEquals(rows.output().toDoubleArray(), f.output().toDoubleArray(), 0, what);
                assertArrayEquals(rows.indices().toLongArray(), f.indices().toLongArray(), what);
                assertArrayEquals(rows.output().toDoubleArray(),
                        F.maxPool1d(x, s[0], s[1], s[2], s[3], ceil).toDoubleArray(), 0, what);
            }
        }
    }

    @Test
    void avgPool1dEqualsTheTwoDimensionalPoolingOfAHeightOneView() {
        Tensor x = ties();
        for (int[] s : SETTINGS) {
            for (boolean ceil : new boolean[] {false, true}) {
                for (boolean countPad : new boolean[] {false, true}) {
                    Tensor rows = F.avgPool2d(x.unsqueeze(2), new int[] {1, s[0]}, new int[] {1, s[1]},
                            new int[] {0, s[2]}, ceil, countPad);
                    assertArrayEquals(rows.toDoubleArray(),
                            F.avgPool1d(x, s[0], s[1], s[2], ceil, countPad).toDoubleArray(), 0,
                            Arrays.toString(s) + " ceil " + ceil + " countIncludePad " + countPad);
                }
            }
        }
    }

    @Test
    void maxPool1dMatchesPyTorch() {
        Tensor x = Tensor.fromArray(ROW, 1, 2, 8);
        F.MaxPoolOutput dilated = F.maxPool1dWithIndices(x, 3, 2, 1, 2, true);
        assertArrayEquals(new int[] {1, 2, 4}, dilated.output().shape().dims());
        assertArrayEquals(new double[] {9, 9, 7, 7, 6, 8, 8, 8}, dilated.output().toDoubleArray(), 0);
        assertArrayEquals(new long[] {1, 1, 5, 5, 3, 5, 5, 5}, dilated.indices().toLongArray());
        F.MaxPoolOutput plain = F.maxPool1dWithIndices(x, 2);
        assertArrayEquals(new double[] {9, 3, 7, 7, 5, 6, 8, 0}, plain.output().toDoubleArray(), 0);
        assertArrayEquals(new long[] {1, 3, 5, 6, 0, 2, 5, 7}, plain.indices().toLongArray());
        assertArrayEquals(new double[] {9, 3, 7, 7, 5, 6, 8, 0}, F.maxPool1d(x, 2).toDoubleArray(), 0);
    }

    @Test
    void avgPool1dMatchesPyTorch() {
        Tensor x = Tensor.fromArray(ROW, 1, 2, 8);
        Tensor excluded = F.avgPool1d(x, 3, 2, 1, true, false);
        assertArrayEquals(new int[] {1, 2, 5}, excluded.shape().dims());
        assertArrayEquals(new double[] {5.0, 4.666666666666667, 3.3333333333333335, 6.0, 4.0, 2.0, 3.6666666666666665,
                5.333333333333333, 1.6666666666666667, 0.0}, excluded.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {3.3333333333333335, 4.666666666666667, 3.3333333333333335, 6.0, 2.0,
                1.3333333333333333, 3.6666666666666665, 5.333333333333333, 1.6666666666666667, 0.0},
                F.avgPool1d(x, 3, 2, 1, true, true).toDoubleArray(), 1e-15);
    }

    @Test
    void anUnbatchedInputPoolsAsABatchOfOne() {
        Tensor x = Tensor.fromArray(ROW, 2, 8);
        Tensor avg = F.avgPool1d(x, 2);
        assertArrayEquals(new int[] {2, 4}, avg.shape().dims());
        assertArrayEquals(new double[] {5, 2.5, 3.5, 5.5, 2, 6, 5, -1.5}, avg.toDoubleArray(), 0);
        Tensor max = F.maxPool1d(x, 3, 1, 0, 1, false);
        assertArrayEquals(new int[] {2, 6}, max.shape().dims());
        assertArrayEquals(new double[] {9, 9, 3, 7, 7, 7, 6, 6, 6, 8, 8, 8}, max.toDoubleArray(), 0);
        F.MaxPoolOutput indexed = F.maxPool1dWithIndices(x, 2);
        assertArrayEquals(new int[] {2, 4}, indexed.indices().shape().dims());
        assertArrayEquals(new long[] {1, 3, 5, 6, 0, 2, 5, 7}, indexed.indices().toLongArray());
    }

    /** Distinct values, so that finite differences see one maximum per window. */
    @Test
    void gradientsMatchFiniteDifferences() {
        double[] v = new double[2 * 2 * 9];
        Arrays.setAll(v, i -> (i * 7919L % v.length) / (double) v.length);
        Tensor x = Tensor.fromArray(v, 2, 2, 9).requiresGrad(true);
        GradCheck.check("maxPool1d dilated ceil", in -> F.maxPool1d(in[0], 3, 2, 1, 2, true), x);
        GradCheck.check("maxPool1dWithIndices", in -> F.maxPool1dWithIndices(in[0], 2, 1, 1, 1, false).output(), x);
        GradCheck.check("avgPool1d excluding padding", in -> F.avgPool1d(in[0], 3, 2, 1, true, false), x);
        GradCheck.check("avgPool1d unbatched", in -> F.avgPool1d(in[0].reshape(4, 9), 2), x);
    }

    @Test
    void aWrongRankIsRefusedNamingTheOpAndTheRank() {
        Tensor x = Tensor.fromArray(ROW, 1, 2, 2, 4);
        IllegalArgumentException max = assertThrows(IllegalArgumentException.class, () -> F.maxPool1d(x, 2));
        assertTrue(max.getMessage().startsWith("maxPool1d: ") && max.getMessage().contains("got rank 4"),
                max.getMessage());
        IllegalArgumentException avg = assertThrows(IllegalArgumentException.class,
                () -> F.avgPool1d(Tensor.fromArray(ROW, 16), 2));
        assertTrue(avg.getMessage().startsWith("avgPool1d: ") && avg.getMessage().contains("got rank 1"),
                avg.getMessage());
    }

    @Test
    void aWindowLongerThanThePaddedLengthIsRefusedNamingBoth() {
        Tensor x = Tensor.fromArray(ROW, 2, 1, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.maxPool1dWithIndices(x, 4, 1, 0, 3, false));
        assertTrue(e.getMessage().startsWith("maxPool1d: ") && e.getMessage().contains("spans 10")
                && e.getMessage().contains("length 8"), e.getMessage());
        IllegalArgumentException avg = assertThrows(IllegalArgumentException.class, () -> F.avgPool1d(x, 9));
        assertTrue(avg.getMessage().startsWith("avgPool1d: ") && avg.getMessage().contains("length 8"),
                avg.getMessage());
    }

    @Test
    void badKernelStrideOrPaddingIsRefusedNamingTheValues() {
        Tensor x = Tensor.fromArray(ROW, 1, 2, 8);
        IllegalArgumentException stride = assertThrows(IllegalArgumentException.class,
                () -> F.avgPool1d(x, 2, 0, 0, false, true));
        assertTrue(stride.getMessage().startsWith("avgPool1d: ") && stride.getMessage().contains("stride 0"),
                stride.getMessage());
        IllegalArgumentException padding = assertThrows(IllegalArgumentException.class,
                () -> F.maxPool1d(x, 2, 2, 2, 1, false));
        assertTrue(padding.getMessage().startsWith("maxPool1d: ") && padding.getMessage().contains("padding 2")
                && padding.getMessage().contains("kernel 2"), padding.getMessage());
    }
}
