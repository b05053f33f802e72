package dev.kiln.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowSums} on the Vector API ({@code jdk.incubator.vector}): floats loaded half a vector at a time and widened
 * to the preferred double lanes, two running sums per lane, where C2 alone keeps a double reduction scalar, one add's
 * latency per term. The row's last m mod lanes terms in a scalar loop. {@link VectorPath} loads this class by name,
 * and only where the module is in the boot layer.
 */
final class VectorRowSums implements RowSums {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = D.length();
    /** Floats as many as D's lanes: half D's width. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
            VectorShape.forBitSize(D.vectorBitSize() / 2));

    /**
     * @throws UnsupportedOperationException where this CPU's preferred vectors hold fewer than 4 doubles (the scalar
     *     loops' two running sums are then as fast)
     */
    VectorRowSums() {
        if (LANES < 4) {
            throw new UnsupportedOperationException("the preferred vector species holds " + LANES
                    + " double lanes, expected at least 4");
        }
    }

    @Override
    public String toString() {
        return "the Vector API, " + LANES + " double lanes";
    }

    @Override
    public void moments(float[] v, int m, float pivot, double[] moments) {
        DoubleVector p = DoubleVector.broadcast(D, pivot);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = s0;
        DoubleVector q0 = s0;
        DoubleVector q1 = s0;
        int i = 0;
        for (; i + 2 * LANES <= m; i += 2 * LANES) {
            DoubleVector d0 = widen(v, i).sub(p);
            DoubleVector d1 = widen(v, i + LANES).sub(p);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            q0 = d0.fma(d0, q0);
            q1 = d1.fma(d1, q1);
        }
        if (i + LANES <= m) {
            DoubleVector d = widen(v, i).sub(p);
            s0 = s0.add(d);
            q0 = d.fma(d, q0);
            i += LANES;
        }
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        double q = q0.add(q1).reduceLanes(VectorOperators.ADD);
        for (; i < m; i++) {
            double d = (double) v[i] - pivot;
            s += d;
            q += d * d;
        }
        moments[0] = s;
        moments[1] = q;
    }

    @Override
    public void gradientSums(float[] x, float[] gxhat, int m, float saved, double[] sums) {
        DoubleVector p = DoubleVector.broadcast(D, saved);
        DoubleVector deviations = DoubleVector.zero(D);
        DoubleVector total = deviations;
        DoubleVector dot = deviations;
        int i = 0;
        for (; i + LANES <= m; i += LANES) {
            DoubleVector d = widen(x, i).sub(p);
            DoubleVector g = widen(gxhat, i);
            deviations = deviations.add(d);
            total = total.add(g);
            dot = g.fma(d, dot);
        }
        double deviationSum = deviations.reduceLanes(VectorOperators.ADD);
        double totalSum = total.reduceLanes(VectorOperators.ADD);
        double dotSum = dot.reduceLanes(VectorOperators.ADD);
        for (; i < m; i++) {
            double d = (double) x[i] - saved;
            deviationSum += d;
            totalSum += gxhat[i];
            dotSum += gxhat[i] * d;
        }
        sums[0] = deviationSum;
        sums[1] = totalSum;
        sums[2] = dotSum;
    }

    /** a[i, i + lanes) as doubles. */
    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(F, a, i).convertShape(VectorOperators.F2D, D, 0);
    }
}
