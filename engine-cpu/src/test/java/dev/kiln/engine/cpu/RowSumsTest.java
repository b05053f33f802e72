package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Layer norm's row sums, this run's ({@link VectorPath#rowSums}: the Vector API's, or the scalar loops' under
 * -Dkiln.cpu.vector=false; Surefire runs this class both ways) and {@link ScalarRowSums}, against the exact sums in
 * BigDecimal: each within recursive summation's bound, m 2^-52 of the sum of its terms' magnitudes, over rows shorter and longer than a vector, with
 * tails of every length, about large means.
 */
class RowSumsTest {
    private static final int[] LENGTHS = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1000, 1031};
    /** Per row: location and spread. */
    private static final double[][] ROWS = {{0, 1}, {1000, 0.01}, {-3e4, 5}, {1e-3, 1e-4}, {7, 0.3}};

    private static List<RowSums> implementations() {
        List<RowSums> all = new ArrayList<>();
        all.add(VectorPath.rowSums());
        all.add(ScalarRowSums.INSTANCE);
        return all;
    }

    @Test
    void momentsAreTheExactSumsWithinDoublesRoundings() {
        SplittableRandom random = new SplittableRandom(3);
        for (RowSums sums : implementations()) {
            for (int m : LENGTHS) {
                for (double[] row : ROWS) {
                    float[] v = row(random, m, row);
                    float pivot = v[m / 2];
                    double[] moments = new double[2];
                    sums.moments(v, m, pivot, moments);
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
        for (RowSums sums : implementations()) {
            for (int m : LENGTHS) {
                for (double[] row : ROWS) {
                    float[] x = row(random, m, row);
                    float[] gxhat = row(random, m, new double[] {0.5, 2});
                    float saved = (float) (row[0] + 1e-3 * row[1]);
                    double[] result = new double[3];
                    sums.gradientSums(x, gxhat, m, saved, result);
                    BigDecimal deviations = BigDecimal.ZERO;
                    BigDecimal total = BigDecimal.ZERO;
                    BigDecimal dot = BigDecimal.ZERO;
                    double[] magnitudes = new double[3];
                    for (int i = 0; i < m; i++) {
                        BigDecimal d = new BigDecimal(x[i]).subtract(new BigDecimal(saved));
                        BigDecimal g = new BigDecimal(gxhat[i]);
                        deviations = deviations.add(d);
                        total = total.add(g);
                        dot = dot.add(g.multiply(d));
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

    /** Recursive summation's relative bound over m terms, each a product rounded once: about m units of roundoff. */
    private static double bound(int m) {
        return m * 0x1p-52;
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
