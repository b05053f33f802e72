package dev.kiln.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SoftmaxRows} on the Vector API ({@code jdk.incubator.vector}), for the short rows of attention (28 values)
 * where {@link ScalarSoftmaxRows}' per-row reductions dominated: the maximum a vector at a time, the sums widening
 * floats loaded half a vector at a time into the preferred double lanes, the element-wise steps a vector at a time,
 * each lane's operations those of the scalar loops. A row's last c mod lanes values are taken in one more vector
 * ending at the row's end, overlapping the one before: for the element-wise steps it is loaded before anything is
 * stored (so the overlap gets the same values twice), for the sums its lanes already counted are replaced by zeros.
 * Rows shorter than a vector go through the scalar loops. {@link VectorPath} loads this class by name, and only where
 * the module is in the boot layer.
 */
final class VectorSoftmaxRows implements SoftmaxRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DOUBLE_LANES = D.length();
    /** As many floats as D's lanes: half D's width. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,
            VectorShape.forBitSize(D.vectorBitSize() / 2));
    /** 0, 1, ... in D's lanes, to mark a tail's lanes already counted. */
    private static final double[] LANE_INDICES = laneIndices();
    /** 0, 1, ... in F's lanes, to mark a tail's lanes the element-wise loop has not done. */
    private static final float[] FLOAT_LANE_INDICES = floatLaneIndices();

    /**
     * @throws UnsupportedOperationException where this CPU's preferred vectors hold fewer than 4 doubles (the scalar
     *     loops are then as fast)
     */
    VectorSoftmaxRows() {
        if (DOUBLE_LANES < 4) {
            throw new UnsupportedOperationException("the preferred vector species holds " + DOUBLE_LANES
                    + " double lanes, expected at least 4");
        }
    }

    @Override
    public String toString() {
        return "the Vector API, " + LANES + " float and " + DOUBLE_LANES + " double lanes";
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
            int i = base;
            for (; i < last; i += LANES) {
                FloatVector.fromArray(F, v, i).sub(max).intoArray(v, i);
            }
            // The vector ending at the row's end, its lanes the loop has done stored back as they are.
            FloatVector done = FloatVector.fromArray(F, v, last);
            VectorMask<Float> fresh = FloatVector.fromArray(F, FLOAT_LANE_INDICES, 0)
                    .compare(VectorOperators.GE, i - last);
            done.blend(done.sub(max), fresh).intoArray(v, last);
        }
    }

    @Override
    public void divideBySums(float[] e, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.divideBySums(e, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            float sum = (float) sum(e, base, c);
            int last = base + c - LANES;
            int i = base;
            for (; i < last; i += LANES) {
                FloatVector.fromArray(F, e, i).div(sum).intoArray(e, i);
            }
            // The vector ending at the row's end, its lanes the loop has done stored back as they are.
            FloatVector done = FloatVector.fromArray(F, e, last);
            VectorMask<Float> fresh = FloatVector.fromArray(F, FLOAT_LANE_INDICES, 0)
                    .compare(VectorOperators.GE, i - last);
            done.blend(done.div(sum), fresh).intoArray(e, last);
        }
    }

    @Override
    public void subtractLogSums(float[] e, float[] shifted, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.subtractLogSums(e, shifted, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            float logSum = (float) Math.log(sum(e, base, c));
            int last = base + c - LANES;
            int i = base;
            for (; i < last; i += LANES) {
                FloatVector.fromArray(F, shifted, i).sub(logSum).intoArray(shifted, i);
            }
            // The vector ending at the row's end, its lanes the loop has done stored back as they are.
            FloatVector done = FloatVector.fromArray(F, shifted, last);
            VectorMask<Float> fresh = FloatVector.fromArray(F, FLOAT_LANE_INDICES, 0)
                    .compare(VectorOperators.GE, i - last);
            done.blend(done.sub(logSum), fresh).intoArray(shifted, last);
        }
    }

    @Override
    public void softmaxGradient(float[] y, float[] g, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.softmaxGradient(y, g, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            float dot = (float) dot(y, g, base, c);
            int last = base + c - LANES;
            int i = base;
            for (; i < last; i += LANES) {
                FloatVector.fromArray(F, y, i).mul(FloatVector.fromArray(F, g, i).sub(dot)).intoArray(g, i);
            }
            // The vector ending at the row's end, its lanes the loop has done stored back as they are.
            FloatVector done = FloatVector.fromArray(F, g, last);
            VectorMask<Float> fresh = FloatVector.fromArray(F, FLOAT_LANE_INDICES, 0)
                    .compare(VectorOperators.GE, i - last);
            done.blend(FloatVector.fromArray(F, y, last).mul(done.sub(dot)), fresh).intoArray(g, last);
        }
    }

    @Override
    public void logSoftmaxGradient(float[] p, float[] g, int n, int c) {
        if (c < LANES) {
            ScalarSoftmaxRows.INSTANCE.logSoftmaxGradient(p, g, n, c);
            return;
        }
        for (int base = 0; base < n; base += c) {
            float sum = (float) sum(g, base, c);
            int last = base + c - LANES;
            int i = base;
            for (; i < last; i += LANES) {
                FloatVector.fromArray(F, g, i).sub(FloatVector.fromArray(F, p, i).mul(sum)).intoArray(g, i);
            }
            // The vector ending at the row's end, its lanes the loop has done stored back as they are.
            FloatVector done = FloatVector.fromArray(F, g, last);
            VectorMask<Float> fresh = FloatVector.fromArray(F, FLOAT_LANE_INDICES, 0)
                    .compare(VectorOperators.GE, i - last);
            done.blend(done.sub(FloatVector.fromArray(F, p, last).mul(sum)), fresh).intoArray(g, last);
        }
    }

    /*
     * No method here passes or returns a vector: where C2 leaves such a call out of line (its inlining budget spent
     * on the Vector API's own methods) the vector is boxed, an allocation per row.
     */

    /** The sum in double of a[base, base + c), c at least D's lanes: floats widened half a vector at a time. */
    private static double sum(float[] a, int base, int c) {
        int end = base + c;
        DoubleVector total = DoubleVector.zero(D);
        int i = base;
        for (; i + DOUBLE_LANES <= end; i += DOUBLE_LANES) {
            total = total.add(FloatVector.fromArray(HALF, a, i).convertShape(VectorOperators.F2D, D, 0));
        }
        if (i < end) {
            // The vector ending at the row's end, its lanes already counted replaced by zeros.
            int last = end - DOUBLE_LANES;
            VectorMask<Double> counted = DoubleVector.fromArray(D, LANE_INDICES, 0)
                    .compare(VectorOperators.LT, DOUBLE_LANES - (end - i));
            DoubleVector w = (DoubleVector) FloatVector.fromArray(HALF, a, last)
                    .convertShape(VectorOperators.F2D, D, 0);
            total = total.add(w.blend(0, counted));
        }
        return total.reduceLanes(VectorOperators.ADD);
    }

    /** The dot product in double of a[base, base + c) and b[base, base + c), c at least D's lanes. */
    private static double dot(float[] a, float[] b, int base, int c) {
        int end = base + c;
        DoubleVector total = DoubleVector.zero(D);
        int i = base;
        for (; i + DOUBLE_LANES <= end; i += DOUBLE_LANES) {
            DoubleVector x = (DoubleVector) FloatVector.fromArray(HALF, a, i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector y = (DoubleVector) FloatVector.fromArray(HALF, b, i).convertShape(VectorOperators.F2D, D, 0);
            total = x.fma(y, total);
        }
        if (i < end) {
            // The products replaced, not a factor: 0 times an infinity already counted would be NaN.
            int last = end - DOUBLE_LANES;
            VectorMask<Double> counted = DoubleVector.fromArray(D, LANE_INDICES, 0)
                    .compare(VectorOperators.LT, DOUBLE_LANES - (end - i));
            DoubleVector x = (DoubleVector) FloatVector.fromArray(HALF, a, last)
                    .convertShape(VectorOperators.F2D, D, 0);
            DoubleVector y = (DoubleVector) FloatVector.fromArray(HALF, b, last)
                    .convertShape(VectorOperators.F2D, D, 0);
            total = total.add(x.mul(y).blend(0, counted));
        }
        return total.reduceLanes(VectorOperators.ADD);
    }

    private static float[] floatLaneIndices() {
        float[] indices = new float[LANES];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i;
        }
        return indices;
    }

    private static double[] laneIndices() {
        double[] indices = new double[DOUBLE_LANES];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i;
        }
        return indices;
    }
}
