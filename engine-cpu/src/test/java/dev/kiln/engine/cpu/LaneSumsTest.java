package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LaneSums} against its documented order written out with an array of 16 running sums, to the bit, over rows
 * from an offset of every length up to three sixteens and longer ones; and close to an exact sum.
 */
class LaneSumsTest {
    private static final int FROM = 5;

    @Test
    void sumsTakeTheDocumentedOrder() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 0; n <= 50; n++) {
            check(random, n);
        }
        check(random, 1000);
        check(random, 2047);
    }

    private static void check(SplittableRandom random, int n) {
        float[] a = values(random, FROM + n);
        float[] b = values(random, FROM + n);
        float[] ones = new float[FROM + n];
        Arrays.fill(ones, 1);
        assertEquals(inOrder(a, b, n), LaneSums.dot(a, b, FROM, n), 0, "dot, n " + n);
        assertEquals(inOrder(a, ones, n), LaneSums.sum(a, FROM, n), 0, "sum, n " + n);
        double exact = 0;
        for (int i = FROM; i < FROM + n; i++) {
            exact += (double) a[i] * b[i];
        }
        assertEquals(exact, LaneSums.dot(a, b, FROM, n), 1e-12 * (1 + n), "dot near the sequential sum, n " + n);
    }

    private static double inOrder(float[] a, float[] b, int n) {
        double[] s = new double[16];
        int whole = n / 16 * 16;
        for (int i = 0; i < whole; i++) {
            s[i % 16] += (double) a[FROM + i] * b[FROM + i];
        }
        double[] t = new double[8];
        for (int k = 0; k < 8; k++) {
            t[k] = s[k] + s[k + 8];
        }
        double total = ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
        for (int i = whole; i < n; i++) {
            total += (double) a[FROM + i] * b[FROM + i];
        }
        return total;
    }

    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
