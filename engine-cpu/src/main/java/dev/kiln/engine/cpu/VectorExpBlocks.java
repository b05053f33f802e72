package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.FloatExp.EXPM1_HIGH;
import static dev.kiln.engine.cpu.FloatExp.EXPM1_LOW;
import static dev.kiln.engine.cpu.FloatExp.EXP_HIGH;
import static dev.kiln.engine.cpu.FloatExp.EXP_LOW;
import static dev.kiln.engine.cpu.FloatExp.HALF_EXP_HIGH;
import static dev.kiln.engine.cpu.FloatExp.LN2_HI;
import static dev.kiln.engine.cpu.FloatExp.LN2_LO;
import static dev.kiln.engine.cpu.FloatExp.LOG2E;
import static dev.kiln.engine.cpu.FloatExp.NON_POSITIVE_SHIFT;
import static dev.kiln.engine.cpu.FloatExp.P0;
import static dev.kiln.engine.cpu.FloatExp.P1;
import static dev.kiln.engine.cpu.FloatExp.P2;
import static dev.kiln.engine.cpu.FloatExp.P3;
import static dev.kiln.engine.cpu.FloatExp.P4;
import static dev.kiln.engine.cpu.FloatExp.P5;
import static dev.kiln.engine.cpu.FloatExp.UNSHIFT;
import static dev.kiln.engine.cpu.FloatTrig.ROUND;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ExpBlocks} on the Vector API ({@code jdk.incubator.vector}), which moves a float's bits into an int lane and
 * back where C2 alone vectorises no such move: the clamp, range reduction, polynomial and scaling by 2^n of
 * {@link ScalarExpBlocks}, operation for operation (lane-wise FMA, min and max have Math's semantics), in one pass. The
 * only class that names the incubator module: {@link VectorPath} loads it by name, and only where the module is in
 * the boot layer. The last len mod lanes values go through a padded copy, so that every load and store is a whole,
 * unmasked one.
 */
final class VectorExpBlocks implements ExpBlocks {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /** One float's exponent bits of 1 (its bias, 127, shifted into place). */
    private static final int ONE_BITS = 0x3F800000;
    private static final ThreadLocal<float[][]> TAIL = ThreadLocal.withInitial(() -> new float[2][LANES]);
    /** The low parts of a nonPositiveExp without them: zeros, never written. */
    private static final float[] ZEROS = new float[LANES];

    /**
     * @throws UnsupportedOperationException where this CPU's preferred vectors hold fewer than 4 floats (the Vector
     *     API then falls back on scalar code, slower than {@link ScalarExpBlocks})
     */
    VectorExpBlocks() {
        if (LANES < 4) {
            throw new UnsupportedOperationException("the preferred vector species holds " + LANES
                    + " float lanes, expected at least 4");
        }
    }

    @Override
    public String toString() {
        return "the Vector API, " + LANES + " float lanes";
    }

    @Override
    public void exp(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            expLanes(v, i, EXP_HIGH, 0f);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            expLanes(t, 0, EXP_HIGH, 0f);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void halfExp(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            expLanes(v, i, HALF_EXP_HIGH, 1f);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            expLanes(t, 0, HALF_EXP_HIGH, 1f);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void nonPositiveExp(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            nonPositiveExpLanes(v, i, ZEROS, 0);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            nonPositiveExpLanes(t, 0, ZEROS, 0);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void nonPositiveExp(float[] v, float[] low, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            nonPositiveExpLanes(v, i, low, i);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            float[] l = tail(low, i, len, 1);
            nonPositiveExpLanes(t, 0, l, 0);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void expm1(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            expm1Lanes(v, i);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            expm1Lanes(t, 0);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void sigmoid(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            sigmoidLanes(v, i, false);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            sigmoidLanes(t, 0, false);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void silu(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            sigmoidLanes(v, i, true);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            sigmoidLanes(t, 0, true);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void siluDerivative(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            siluDerivativeLanes(v, i);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            siluDerivativeLanes(t, 0);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    /**
     * a[i, i + lanes) = sigmoid(a) = exp(min(a, 0)) / (1 + exp(-|a|)), as {@link ScalarExpBlocks#sigmoid}, or SiLU,
     * a sigmoid(a), where {@code timesX}. The exp of {@link #nonPositiveExpLanes} written out again, as everything
     * here is, for the reason {@link #expLanes} gives.
     */
    private static void sigmoidLanes(float[] a, int i, boolean timesX) {
        FloatVector v = FloatVector.fromArray(F, a, i);
        FloatVector x = v.abs().neg().min(0f).max(EXP_LOW);
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_LO), n.fma(FloatVector.broadcast(F, -LN2_HI), x))
                .add(0f);
        FloatVector p = r.fma(P5, P4).fma(r, FloatVector.broadcast(F, P3)).fma(r, FloatVector.broadcast(F, P2))
                .fma(r, FloatVector.broadcast(F, P1)).fma(r, FloatVector.broadcast(F, P0));
        FloatVector e = p.fma(r.mul(r), r).add(1f).mul(n.add(NON_POSITIVE_SHIFT + ROUND).reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 23).add(ONE_BITS).reinterpretAsFloats()).mul(UNSHIFT);
        // 1 where v < 0, 0 where v >= 0, NaN for NaN, as FloatExp.negative.
        FloatVector negative = v.neg().mul(FloatExp.TWO_TO_100).mul(FloatExp.TWO_TO_100).max(0f).min(1f);
        FloatVector s = e.max(FloatVector.broadcast(F, 1f).sub(negative)).div(e.add(1f));
        if (timesX) {
            s.mul(v).intoArray(a, i);
        } else {
            s.intoArray(a, i);
        }
    }

    /** a[i, i + lanes) = SiLU's derivative, as {@link ScalarExpBlocks#siluDerivative}; written out as sigmoidLanes. */
    private static void siluDerivativeLanes(float[] a, int i) {
        FloatVector v = FloatVector.fromArray(F, a, i);
        FloatVector x = v.abs().neg().min(0f).max(EXP_LOW);
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_LO), n.fma(FloatVector.broadcast(F, -LN2_HI), x))
                .add(0f);
        FloatVector p = r.fma(P5, P4).fma(r, FloatVector.broadcast(F, P3)).fma(r, FloatVector.broadcast(F, P2))
                .fma(r, FloatVector.broadcast(F, P1)).fma(r, FloatVector.broadcast(F, P0));
        FloatVector e = p.fma(r.mul(r), r).add(1f).mul(n.add(NON_POSITIVE_SHIFT + ROUND).reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 23).add(ONE_BITS).reinterpretAsFloats()).mul(UNSHIFT);
        FloatVector negative = v.neg().mul(FloatExp.TWO_TO_100).mul(FloatExp.TWO_TO_100).max(0f).min(1f);
        FloatVector denominator = e.add(1f);
        FloatVector s = e.max(FloatVector.broadcast(F, 1f).sub(negative)).div(denominator);
        FloatVector complement = e.max(negative).div(denominator);
        s.mul(v.fma(complement, FloatVector.broadcast(F, 1f))).intoArray(a, i);
    }

    /**
     * a[i, i + lanes) = exp(a) / 2^shift for a clamped at high: exp (shift 0, high {@link FloatExp#EXP_HIGH}) and
     * exp / 2 (shift 1, high {@link FloatExp#HALF_EXP_HIGH}), as {@link ScalarExpBlocks#exp} and
     * {@link ScalarExpBlocks#halfExp}. Written out in the Vector API's own calls (round to a multiple of ln2, reduce,
     * polynomial, 2^k), from and into the array, as every method here: C2 inlines the API's calls whatever its budget,
     * but not a helper of ours once the method's inlined bytecodes exceed it or once the helper is compiled on its own
     * into a large method (as at a block's tail), and a vector passed to or returned from a call left out of line is
     * boxed (JFR: Float512Vector allocations at the 2^k products' line, a few per block; expm1's, sinh's and ELU's
     * blocks boxed every vector, 512 KB a call on 64,007 values, after a tail's recompilation).
     */
    private static void expLanes(float[] a, int i, float high, float shift) {
        FloatVector x = FloatVector.fromArray(F, a, i).min(high).max(EXP_LOW);
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_LO), n.fma(FloatVector.broadcast(F, -LN2_HI), x));
        FloatVector p = r.fma(P5, P4).fma(r, FloatVector.broadcast(F, P3)).fma(r, FloatVector.broadcast(F, P2))
                .fma(r, FloatVector.broadcast(F, P1)).fma(r, FloatVector.broadcast(F, P0));
        FloatVector e = p.fma(r.mul(r), r).add(1f);
        FloatVector k = n.sub(shift);
        // 2^k as 2^floor(k/2) 2^ceil(k/2), each plus ROUND: the first product is exact, the second rounds once.
        FloatVector floorHalf = k.fma(0.5f, -0.25f).add(ROUND);
        FloatVector ceilHalf = k.sub(floorHalf.sub(ROUND)).add(ROUND);
        FloatVector twoToFloorHalf = floorHalf.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(ONE_BITS)
                .reinterpretAsFloats();
        FloatVector twoToCeilHalf = ceilHalf.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(ONE_BITS)
                .reinterpretAsFloats();
        e.mul(twoToFloorHalf).mul(twoToCeilHalf).intoArray(a, i);
    }

    /**
     * a[i, i + lanes) = exp(a + low[lowAt, lowAt + lanes)) for a at most 0, as
     * {@link ScalarExpBlocks#nonPositiveExp(float[], float[], int)}; written out as {@link #expLanes}.
     */
    private static void nonPositiveExpLanes(float[] a, int i, float[] low, int lowAt) {
        FloatVector x = FloatVector.fromArray(F, a, i).min(0f).max(EXP_LOW);
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_LO), n.fma(FloatVector.broadcast(F, -LN2_HI), x))
                .add(FloatVector.fromArray(F, low, lowAt));
        FloatVector p = r.fma(P5, P4).fma(r, FloatVector.broadcast(F, P3)).fma(r, FloatVector.broadcast(F, P2))
                .fma(r, FloatVector.broadcast(F, P1)).fma(r, FloatVector.broadcast(F, P0));
        p.fma(r.mul(r), r).add(1f).mul(n.add(NON_POSITIVE_SHIFT + ROUND).reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 23).add(ONE_BITS).reinterpretAsFloats()).mul(UNSHIFT)
                .intoArray(a, i);
    }

    /**
     * v[i, i + lanes) = expm1(v), as {@link ScalarExpBlocks#expm1}: zeros kept as they are (Math's expm1 keeps their
     * sign, which the sum with e - 1 = +0 loses), and a vector with a value above the clamp or NaN (rare) by the scalar
     * loops, which take Math's in double there. No lane is read or tested one at a time: a mask's lane test boxed the
     * mask and the vector where C2 compiled this on its own.
     */
    private static void expm1Lanes(float[] v, int i) {
        FloatVector x = FloatVector.fromArray(F, v, i);
        if (!x.compare(VectorOperators.LE, EXPM1_HIGH).allTrue()) {
            float[] lanes = TAIL.get()[1];
            System.arraycopy(v, i, lanes, 0, LANES);
            ScalarExpBlocks.INSTANCE.expm1(lanes, LANES);
            System.arraycopy(lanes, 0, v, i, LANES);
            return;
        }
        FloatVector clamped = x.max(EXPM1_LOW);
        FloatVector nPlusRound = clamped.fma(LOG2E, ROUND);
        FloatVector n = nPlusRound.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_LO), n.fma(FloatVector.broadcast(F, -LN2_HI), clamped));
        FloatVector p = r.fma(P5, P4).fma(r, FloatVector.broadcast(F, P3)).fma(r, FloatVector.broadcast(F, P2))
                .fma(r, FloatVector.broadcast(F, P1)).fma(r, FloatVector.broadcast(F, P0)).fma(r.mul(r), r);
        FloatVector e = nPlusRound.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(ONE_BITS)
                .reinterpretAsFloats();
        e.fma(p, e.sub(1f)).blend(x, x.compare(VectorOperators.EQ, 0f)).intoArray(v, i);
    }

    /** This thread's tail array {@code which} holding a[from, len) (the rest is left over, its lanes unused). */
    private static float[] tail(float[] a, int from, int len, int which) {
        float[] t = TAIL.get()[which];
        System.arraycopy(a, from, t, 0, len - from);
        return t;
    }
}
