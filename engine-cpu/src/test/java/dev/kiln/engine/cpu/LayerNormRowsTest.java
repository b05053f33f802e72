package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Layer norm's row steps, this run's ({@link VectorPath#layerNormRows}: the Vector API's, or the scalar loops' under
 * -Dkiln.cpu.vector=false; Surefire runs this class both ways) and {@link ScalarLayerNormRows}: the sums against the
 * exact sums in BigDecimal, each within recursive summation's bound (m 2^-52 of the sum of its terms' magnitudes), and
 * the element-wise steps against the scalar loops to the bit, over rows shorter and longer than a vector, with tails
 * of every length, about large means; each row at an offset in a longer array, as in a block of rows.
 */
class LayerNormRowsTest {
    private static final int[] LENGTHS = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1000, 1031};
    /** Per row: location and spread. */
    private static final double[][] ROWS = {{0, 1}, {1000, 0.01}, {-3e4, 5}, {1e-3, 1e-4}, {7, 0.3}};
    /** Where each row starts in its arrays: not a multiple of a vector, and the values before it far off. */
    private static final int FROM = 5;

    private static List<LayerNormRows> implementations() {
        List<LayerNormRows> all = new ArrayList<>();
        all.add(VectorPath.layerNormRows());
        all.add(ScalarLayerNormRows.INSTANCE);
        return all;
    }

    @Test
    void theVectorApiRunsWhereItsPathIsOnAndTheScalarLoopsElsewhere() {
        assertEquals(VectorPath.enabled() && FusedMultiplyAdd.IN_HARDWARE,
                !(VectorPath.layerNormRows() instanceof ScalarLayerNormRows), VectorPath.layerNormRows().toString());
    }

    @Test
    void momentsAreTheExactSumsWithinDoublesRoundings() {
        SplittableRandom random = new SplittableRandom(3);
        for (LayerNormRows sums : implementations()) {
            for (int m : LENGTHS) {
                for (double[] row : ROWS) {
                    float[] v = row(random, m, row);
                    float pivot = v[m / 2];
                    double[] moments = new double[2];
                    sums.moments(atOffset(v), FROM, m, pivot, moments);
                    BigDecimal s = BigDecimal.ZERO;
                    BigDecimal q = BigDecimal.ZERO;
                    double magnitude = 0;
                    double squares = 0;
                    for (int i = 0; i < m; i++) {
                        BigDecimal d = new BigDecimal(v[i]).subtract(new BigDecimal(pivot));
                        s = s.add(d);
                        q = q.add(d.multiply(d));
                        magnitude += Math.abs(d.doubleValue());
                        squares += d.doubleValue() * d.doubleValue();
                    }
                    String what = sums + ", " + m + " values about " + row[0];
                    assertEquals(s.doubleValue(), moments[0], bound(m) * magnitude, "sum, " + what);
                    assertEquals(q.doubleValue(), moments[1], bound(m) * squares, "sum of squares, " + what);
                }
            }
        }
    }

    @Test
    void gradientSumsAreTheExactSumsWithinDoublesRoundings() {
        SplittableRandom random = new SplittableRandom(4);
        for (LayerNormRows sums : implementations()) {
            for (int m : LENGTHS) {
                for (double[] row : ROWS) {
                    float[] x = row(random, m, row);
                    float[] g = row(random, m, new double[] {0.5, 2});
                    float[] w = row(random, m, new double[] {1, 0.5});
                    float saved = (float) (row[0] + 1e-3 * row[1]);
                    float[] gxhatAtOffset = new float[FROM + m];
                    double[] result = new double[3];
                    sums.gradientSums(atOffset(x), atOffset(g), w, gxhatAtOffset, FROM, m, saved, result);
                    float[] gxhat = Arrays.copyOfRange(gxhatAtOffset, FROM, FROM + m);
                    BigDecimal deviations = BigDecimal.ZERO;
                    BigDecimal total = BigDecimal.ZERO;
                    BigDecimal dot = BigDecimal.ZERO;
                    double[] magnitudes = new double[3];
                    for (int i = 0; i < m; i++) {
                        assertEquals(g[i] * w[i], gxhat[i], "gxhat " + i + ", " + sums);
                        BigDecimal d = new BigDecimal(x[i]).subtract(new BigDecimal(saved));
                        BigDecimal term = new BigDecimal(gxhat[i]);
                        deviations = deviations.add(d);
                        total = total.add(term);
                        dot = dot.add(term.multiply(d));
                        magnitudes[0] += Math.abs(d.doubleValue());
                        magnitudes[1] += Math.abs(gxhat[i]);
                        magnitudes[2] += Math.abs(gxhat[i] * d.doubleValue());
                    }
                    String what = sums + ", " + m + " values about " + row[0];
                    assertEquals(deviations.doubleValue(), result[0], bound(m) * magnitudes[0], "deviations, " + what);
                    assertEquals(total.doubleValue(), result[1], bound(m) * magnitudes[1], "gxhat, " + what);
                    assertEquals(dot.doubleValue(), result[2], bound(m) * magnitudes[2], "gxhat (x - saved), " + what);
                }
            }
        }
    }

    @Test
    void elementwiseStepsMatchTheScalarLoopsToTheBit() {
        SplittableRandom random = new SplittableRandom(5);
        LayerNormRows rows = VectorPath.layerNormRows();
        for (int m : LENGTHS) {
            for (double[] row : ROWS) {
                float[] x = row(random, m, row);
                float[] w = row(random, m, new double[] {1, 0.5});
                float[] b = row(random, m, new double[] {0, 0.5});
                float[] g = row(random, m, new double[] {0.5, 2});
                float meanHigh = (float) row[0];
                float s = (float) (1 / row[1]);
                float t = (float) (1e-8 * row[0]);
                String what = rows + ", " + m + " values about " + row[0];
                float[][] results = new float[2][];
                LayerNormRows[] both = {rows, ScalarLayerNormRows.INSTANCE};
                for (int k = 0; k < 2; k++) {
                    results[k] = atOffset(x);
                    both[k].normalise(results[k], FROM, m, meanHigh, s, t, w, b);
                }
                assertArrayEquals(results[1], results[0], "normalise, " + what);
                float[][] blockGXhat = {atOffset(b), atOffset(b)};
                float[][] blockG = {atOffset(w), atOffset(w)};
                for (int k = 0; k < 2; k++) {
                    both[k].addParameterTerms(atOffset(g), atOffset(x), FROM, m, meanHigh, s, t, blockGXhat[k],
                            blockG[k], FROM);
                    results[k] = atOffset(g);
                    both[k].inputGradient(results[k], atOffset(x), FROM, m, 0.25f, meanHigh, s, -s * s / m, t);
                }
                assertArrayEquals(blockGXhat[1], blockGXhat[0], "g xhat, " + what);
                assertArrayEquals(blockG[1], blockG[0], "g, " + what);
                assertArrayEquals(results[1], results[0], "input gradient, " + what);
            }
        }
    }

    /** Recursive summation's relative bound over m terms, each a product rounded once: about m units of roundoff. */
    private static double bound(int m) {
        return m * 0x1p-52;
    }

    /** v from {@link #FROM} in a longer array, after values far from it. */
    private static float[] atOffset(float[] v) {
        float[] a = new float[FROM + v.length];
        Arrays.fill(a, 0, FROM, 3e30f);
        System.arraycopy(v, 0, a, FROM, v.length);
        return a;
    }

    /** m floats of the row's location and spread. */
    private static float[] row(SplittableRandom random, int m, double[] row) {
        float[] v = new float[m];
        for (int i = 0; i < m; i++) {
            v[i] = (float) (row[0] + row[1] * (2 * random.nextDouble() - 1));
        }
        return v;
    }
}
