package dev.kiln.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LayerNormRows} on the Vector API ({@code jdk.incubator.vector}). C2 alone keeps a double reduction scalar
 * (one add's latency per term), and vectorises an element-wise loop only where the row holds several unrolled vectors
 * (not a row of 64 on 16 lanes): here the sums widen floats loaded half a vector at a time into the preferred double
 * lanes, and the element-wise steps run a vector at a time, each lane's operations those of
 * {@link ScalarLayerNormRows} with FMA. The row's last m mod lanes values go through scalar loops of the same
 * operations. {@link VectorPath} loads this class by name, and only where the module is in the boot layer.
 */
final class VectorLayerNormRows implements LayerNormRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DOUBLE_LANES = D.length();
    /** As many floats as D's lanes: half D's width. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,
            VectorShape.forBitSize(D.vectorBitSize() / 2));

    /**
     * @throws UnsupportedOperationException where this CPU's preferred vectors hold fewer than 4 doubles (the scalar
     *     loops are then as fast), or where it has no FMA (the Vector API's would be software)
     */
    VectorLayerNormRows() {
        if (DOUBLE_LANES < 4) {
            throw new UnsupportedOperationException("the preferred vector species holds " + DOUBLE_LANES
                    + " double lanes, expected at least 4");
        }
        if (!FusedMultiplyAdd.IN_HARDWARE) {
            throw new UnsupportedOperationException("no FMA instruction (-XX:-UseFMA or an older CPU)");
        }
    }

    @Override
    public String toString() {
        return "the Vector API, " + LANES + " float and " + DOUBLE_LANES + " double lanes";
    }

    @Override
    public void moments(float[] v, int from, int m, float pivot, double[] moments) {
        DoubleVector p = DoubleVector.broadcast(D, pivot);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = s0;
        DoubleVector q0 = s0;
        DoubleVector q1 = s0;
        int i = from;
        int end = from + m;
        for (; i + 2 * DOUBLE_LANES <= end; i += 2 * DOUBLE_LANES) {
            DoubleVector d0 = widen(v, i).sub(p);
            DoubleVector d1 = widen(v, i + DOUBLE_LANES).sub(p);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            q0 = d0.fma(d0, q0);
            q1 = d1.fma(d1, q1);
        }
        if (i + DOUBLE_LANES <= end) {
            DoubleVector d = widen(v, i).sub(p);
            s0 = s0.add(d);
            q0 = d.fma(d, q0);
            i += DOUBLE_LANES;
        }
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        double q = q0.add(q1).reduceLanes(VectorOperators.ADD);
        for (; i < end; i++) {
            double d = (double) v[i] - pivot;
            s += d;
            q += d * d;
        }
        moments[0] = s;
        moments[1] = q;
    }

    @Override
    public void normalise(float[] v, int from, int m, float meanHigh, float s, float t, float[] w, float[] b) {
        int i = 0;
        for (; i < F.loopBound(m); i += LANES) {
            FloatVector.fromArray(F, v, from + i).sub(meanHigh).fma(s, t)
                    .fma(FloatVector.fromArray(F, w, i), FloatVector.fromArray(F, b, i)).intoArray(v, from + i);
        }
        for (; i < m; i++) {
            v[from + i] = Math.fma(Math.fma(v[from + i] - meanHigh, s, t), w[i], b[i]);
        }
    }

    @Override
    public void gradientSums(float[] x, float[] g, float[] w, float[] gxhat, int from, int m, float saved,
                             double[] sums) {
        int i = 0;
        for (; i < F.loopBound(m); i += LANES) {
            FloatVector.fromArray(F, g, from + i).mul(FloatVector.fromArray(F, w, i)).intoArray(gxhat, from + i);
        }
        for (; i < m; i++) {
            gxhat[from + i] = g[from + i] * w[i];
        }
        // The products read back from gxhat: one vector carried from the float product into the widening was boxed
        // where C2 compiled this within the Transformer's backward pass (an allocation per vector).
        DoubleVector p = DoubleVector.broadcast(D, saved);
        DoubleVector deviations = DoubleVector.zero(D);
        DoubleVector total = deviations;
        DoubleVector dot = deviations;
        int end = from + m;
        i = from;
        for (; i + DOUBLE_LANES <= end; i += DOUBLE_LANES) {
            DoubleVector d = widen(x, i).sub(p);
            DoubleVector gd = widen(gxhat, i);
            deviations = deviations.add(d);
            total = total.add(gd);
            dot = gd.fma(d, dot);
        }
        double deviationSum = deviations.reduceLanes(VectorOperators.ADD);
        double totalSum = total.reduceLanes(VectorOperators.ADD);
        double dotSum = dot.reduceLanes(VectorOperators.ADD);
        for (; i < end; i++) {
            double d = (double) x[i] - saved;
            deviationSum += d;
            totalSum += gxhat[i];
            dotSum += gxhat[i] * d;
        }
        sums[0] = deviationSum;
        sums[1] = totalSum;
        sums[2] = dotSum;
    }

    @Override
    public void addParameterTerms(float[] g, float[] v, int from, int m, float meanHigh, float s, float t,
                                  float[] gxhatSums, float[] gSums, int sumsFrom) {
        int i = 0;
        for (; i < F.loopBound(m); i += LANES) {
            FloatVector gi = FloatVector.fromArray(F, g, from + i);
            FloatVector xhat = FloatVector.fromArray(F, v, from + i).sub(meanHigh).fma(s, t);
            int at = sumsFrom + i;
            gi.fma(xhat, FloatVector.fromArray(F, gxhatSums, at)).intoArray(gxhatSums, at);
            FloatVector.fromArray(F, gSums, at).add(gi).intoArray(gSums, at);
        }
        for (; i < m; i++) {
            int at = sumsFrom + i;
            gxhatSums[at] = Math.fma(g[from + i], Math.fma(v[from + i] - meanHigh, s, t), gxhatSums[at]);
            gSums[at] += g[from + i];
        }
    }

    @Override
    public void inputGradient(float[] gxhat, float[] x, int from, int m, float meanG, float meanHigh, float k,
                              float perDeviation, float shift) {
        FloatVector kv = FloatVector.broadcast(F, k);
        FloatVector perDeviationV = FloatVector.broadcast(F, perDeviation);
        FloatVector shiftV = FloatVector.broadcast(F, shift);
        int end = from + m;
        int i = from;
        for (; i + LANES <= end; i += LANES) {
            FloatVector deviation = FloatVector.fromArray(F, x, i).sub(meanHigh).fma(perDeviationV, shiftV);
            kv.fma(FloatVector.fromArray(F, gxhat, i).sub(meanG), deviation).intoArray(gxhat, i);
        }
        for (; i < end; i++) {
            gxhat[i] = Math.fma(k, gxhat[i] - meanG, Math.fma(perDeviation, x[i] - meanHigh, shift));
        }
    }

    /** a[i, i + double lanes) as doubles. */
    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(HALF, a, i).convertShape(VectorOperators.F2D, D, 0);
    }
}
