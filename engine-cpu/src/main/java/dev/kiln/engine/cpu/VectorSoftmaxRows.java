package dev.kiln.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SoftmaxRows} on the Vector API ({@code jdk.incubator.vector}), for the short rows of attention (28 values),
 * where C2 left {@link ScalarSoftmaxRows}' loops scalar: each row's maximum and its element-wise steps a vector at a
 * time, each lane's operations those of the scalar loops; the forward sums in double by {@link RunningSums}, as there
 * (sums widened to double lanes were no faster once warm on rows of 28); the gradients' sums in double on the lanes of
 * two vectors widened from the halves of each float vector, in {@link LaneSums}' order, which the scalar loops take
 * too: both paths give the same bits. (Widening from a second, narrower float species slowed the exp blocks' code and
 * left it boxing vectors.) A row's last c mod lanes values are taken in one more vector ending at the row's end,
 * loaded before the row's loop stores anything, so that where it overlaps the last whole vector it stores the same
 * results; rows shorter than a vector go through the scalar loops. No method here passes or returns a vector, but
 * {@link #widen}, which C2 inlines; it would box a vector where it left a call out of line.
 * {@link VectorPath} loads this class by name, and only where the module is in the boot layer.
 */
final class VectorSoftmaxRows implements SoftmaxRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /**
     * The gradients' sums on the Vector API ({@link #dot}, {@link #sum}) where a float vector holds the
     * {@link LaneSums#LANES} values that their running sums take, else {@link LaneSums}' loops.
     */
    private static final boolean SUMS_ON_LANES = LANES == LaneSums.LANES;
    /** The gradients' running sums, widened from the halves of a float vector of the preferred species. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_512;

    /**
     * @throws UnsupportedOperationException where this CPU's preferred vectors hold fewer than 8 floats (the scalar
     *     loops are then as fast)
     */
    VectorSoftmaxRows() {
        if (LANES < 8) {
            throw new UnsupportedOperationException("the preferred vector species holds " + LANES
                    + " float lanes, expected at least 8");
        }
    }

    @Override
    public String toString() {
        return "the Vector API, " + LANES + " float lanes";
    }

    @Override
    public void subtractMaxima(float[] v, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.subtractMaxima(v, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            int last = base + c - LANES;
            FloatVector largest = FloatVector.fromArray(F, v, last);
            for (int i = base; i < last; i += LANES) {
                largest = largest.max(FloatVector.fromArray(F, v, i));
            }
            float max = largest.reduceLanes(VectorOperators.MAX);
            // The vector ending at the row's end, from the values before the loop stores any: where it
            // overlaps the last whole vector it stores the same results.
            FloatVector tail = FloatVector.fromArray(F, v, last).sub(max);
            for (int i = base; i < last; i += LANES) {
                FloatVector.fromArray(F, v, i).sub(max).intoArray(v, i);
            }
            tail.intoArray(v, last);
        }
    }

    @Override
    public void divideBySums(float[] e, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.divideBySums(e, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            float sum = (float) RunningSums.sum(e, base, c);
            int last = base + c - LANES;
            FloatVector tail = FloatVector.fromArray(F, e, last).div(sum);
            for (int i = base; i < last; i += LANES) {
                FloatVector.fromArray(F, e, i).div(sum).intoArray(e, i);
            }
            tail.intoArray(e, last);
        }
    }

    @Override
    public void subtractLogSums(float[] e, float[] shifted, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.subtractLogSums(e, shifted, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            float logSum = (float) Math.log(RunningSums.sum(e, base, c));
            int last = base + c - LANES;
            FloatVector tail = FloatVector.fromArray(F, shifted, last).sub(logSum);
            for (int i = base; i < last; i += LANES) {
                FloatVector.fromArray(F, shifted, i).sub(logSum).intoArray(shifted, i);
            }
            tail.intoArray(shifted, last);
        }
    }

    @Override
    public void softmaxGradient(float[] y, float[] g, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.softmaxGradient(y, g, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            float dot = (float) (SUMS_ON_LANES ? dot(y, g, base, c) : LaneSums.dot(y, g, base, c));
            int last = base + c - LANES;
            FloatVector tail = FloatVector.fromArray(F, y, last).mul(FloatVector.fromArray(F, g, last).sub(dot));
            for (int i = base; i < last; i += LANES) {
                FloatVector.fromArray(F, y, i).mul(FloatVector.fromArray(F, g, i).sub(dot)).intoArray(g, i);
            }
            tail.intoArray(g, last);
        }
    }

    @Override
    public void logSoftmaxGradient(float[] p, float[] g, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.logSoftmaxGradient(p, g, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            float sum = (float) (SUMS_ON_LANES ? sum(g, base, c) : LaneSums.sum(g, base, c));
            int last = base + c - LANES;
            FloatVector tail = FloatVector.fromArray(F, g, last).sub(FloatVector.fromArray(F, p, last).mul(sum));
            for (int i = base; i < last; i += LANES) {
                FloatVector.fromArray(F, g, i).sub(FloatVector.fromArray(F, p, i).mul(sum)).intoArray(g, i);
            }
            tail.intoArray(g, last);
        }
    }

    /** {@link LaneSums#dot}, its running sums the lanes of two double vectors. */
    private static double dot(float[] a, float[] b, int from, int n) {
        int whole = from + (n & -LANES);
        DoubleVector low = DoubleVector.zero(D);
        DoubleVector high = low;
        for (int i = from; i < whole; i += LANES) {
            FloatVector x = FloatVector.fromArray(F, a, i);
            FloatVector y = FloatVector.fromArray(F, b, i);
            low = widen(x, 0).mul(widen(y, 0)).add(low);
            high = widen(x, 1).mul(widen(y, 1)).add(high);
        }
        DoubleVector t = low.add(high);
        double total = ((t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3)))
                + ((t.lane(4) + t.lane(5)) + (t.lane(6) + t.lane(7)));
        for (int i = whole; i < from + n; i++) {
            total += (double) a[i] * b[i];
        }
        return total;
    }

    /** {@link LaneSums#sum}, as {@link #dot}. */
    private static double sum(float[] v, int from, int n) {
        int whole = from + (n & -LANES);
        DoubleVector low = DoubleVector.zero(D);
        DoubleVector high = low;
        for (int i = from; i < whole; i += LANES) {
            FloatVector x = FloatVector.fromArray(F, v, i);
            low = widen(x, 0).add(low);
            high = widen(x, 1).add(high);
        }
        DoubleVector t = low.add(high);
        double total = ((t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3)))
                + ((t.lane(4) + t.lane(5)) + (t.lane(6) + t.lane(7)));
        for (int i = whole; i < from + n; i++) {
            total += v[i];
        }
        return total;
    }

    /** Half of v's 16 lanes as doubles: inlined, so that neither vector is boxed. */
    private static DoubleVector widen(FloatVector v, int half) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, half);
    }
}
