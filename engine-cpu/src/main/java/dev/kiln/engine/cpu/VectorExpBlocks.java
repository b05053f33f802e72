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
import jdk.incubator.vector.VectorMask;
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
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            nonPositiveExpLanes(FloatVector.fromArray(F, v, i), zero).intoArray(v, i);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            nonPositiveExpLanes(FloatVector.fromArray(F, t, 0), zero).intoArray(t, 0);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void nonPositiveExp(float[] v, float[] low, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            nonPositiveExpLanes(FloatVector.fromArray(F, v, i), FloatVector.fromArray(F, low, i)).intoArray(v, i);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            float[] l = tail(low, i, len, 1);
            nonPositiveExpLanes(FloatVector.fromArray(F, t, 0), FloatVector.fromArray(F, l, 0)).intoArray(t, 0);
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
            sigmoidLanes(FloatVector.fromArray(F, v, i)).intoArray(v, i);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            sigmoidLanes(FloatVector.fromArray(F, t, 0)).intoArray(t, 0);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void silu(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            siluLanes(FloatVector.fromArray(F, v, i)).intoArray(v, i);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            siluLanes(FloatVector.fromArray(F, t, 0)).intoArray(t, 0);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    @Override
    public void siluDerivative(float[] v, int len) {
        int i = 0;
        for (; i < F.loopBound(len); i += LANES) {
            siluDerivativeLanes(FloatVector.fromArray(F, v, i)).intoArray(v, i);
        }
        if (i < len) {
            float[] t = tail(v, i, len, 0);
            siluDerivativeLanes(FloatVector.fromArray(F, t, 0)).intoArray(t, 0);
            System.arraycopy(t, 0, v, i, len - i);
        }
    }

    /** sigmoid(x) = exp(min(x, 0)) / (1 + exp(-|x|)), as {@link ScalarExpBlocks#sigmoid}. */
    private static FloatVector sigmoidLanes(FloatVector x) {
        FloatVector e = nonPositiveExpLanes(x.abs().neg(), FloatVector.zero(F));
        return e.max(all(1f).sub(negative(x))).div(e.add(1f));
    }

    /** SiLU, x sigmoid(x). */
    private static FloatVector siluLanes(FloatVector x) {
        return sigmoidLanes(x).mul(x);
    }

    /** SiLU's derivative, as {@link ScalarExpBlocks#siluDerivative}. */
    private static FloatVector siluDerivativeLanes(FloatVector x) {
        FloatVector e = nonPositiveExpLanes(x.abs().neg(), FloatVector.zero(F));
        FloatVector negative = negative(x);
        FloatVector denominator = e.add(1f);
        FloatVector s = e.max(all(1f).sub(negative)).div(denominator);
        FloatVector complement = e.max(negative).div(denominator);
        return s.mul(x.fma(complement, all(1f)));
    }

    /** 1 where x &lt; 0, 0 where x &gt;= 0, NaN for NaN, as {@link FloatExp#negative}. */
    private static FloatVector negative(FloatVector x) {
        return x.neg().mul(FloatExp.TWO_TO_100).mul(FloatExp.TWO_TO_100).max(0f).min(1f);
    }

    /**
     * a[i, i + lanes) = exp(a) / 2^shift for a clamped at high: exp (shift 0, high {@link FloatExp#EXP_HIGH}) and
     * exp / 2 (shift 1, high {@link FloatExp#HALF_EXP_HIGH}), as {@link ScalarExpBlocks#exp} and
     * {@link ScalarExpBlocks#halfExp}. Written out in the Vector API's own calls, this class's helpers (round to a
     * multiple of ln2, reduce, polynomial, 2^k) inlined by hand, and from and into the array: C2 inlines the API's
     * calls whatever its budget, but not a helper of ours once the method's inlined bytecodes exceed it, nor this
     * method at a block's tail, and a vector passed to or returned from a call left out of line is boxed (JFR:
     * Float512Vector allocations at the 2^k products' line, a few per block).
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

    /** exp(v + low) for v at most 0, as {@link ScalarExpBlocks#nonPositiveExp(float[], float[], int)}. */
    private static FloatVector nonPositiveExpLanes(FloatVector v, FloatVector low) {
        FloatVector x = v.min(0f).max(EXP_LOW);
        FloatVector n = nearestMultipleOfLn2(x);
        FloatVector e = expm1Reduced(reduce(x, n).add(low)).add(1f);
        return e.mul(powerOfTwo(n.add(NON_POSITIVE_SHIFT + ROUND))).mul(UNSHIFT);
    }

    /**
     * v[i, i + lanes) = expm1(v), as {@link ScalarExpBlocks#expm1}: Math's in double, lane by lane, above the clamp
     * and at zeros (rare in a block, so the check costs one test of a mask).
     */
    private static void expm1Lanes(float[] v, int i) {
        FloatVector x = FloatVector.fromArray(F, v, i);
        FloatVector clamped = x.min(EXPM1_HIGH).max(EXPM1_LOW);
        FloatVector nPlusRound = clamped.fma(LOG2E, ROUND);
        FloatVector p = expm1Reduced(reduce(clamped, nPlusRound.sub(ROUND)));
        FloatVector e = powerOfTwo(nPlusRound);
        e.fma(p, e.sub(1f)).intoArray(v, i);
        VectorMask<Float> special = x.compare(VectorOperators.LE, EXPM1_HIGH).not()
                .or(x.compare(VectorOperators.EQ, 0f));
        if (special.anyTrue()) {
            for (int j = 0; j < LANES; j++) {
                if (special.laneIsSet(j)) {
                    v[i + j] = (float) Math.expm1(x.lane(j));
                }
            }
        }
    }

    /** round(x / ln2), as {@link FloatExp#nearestMultipleOfLn2}. */
    private static FloatVector nearestMultipleOfLn2(FloatVector x) {
        return x.fma(LOG2E, ROUND).sub(ROUND);
    }

    /** x - n ln2, as {@link FloatExp#reduce}. */
    private static FloatVector reduce(FloatVector x, FloatVector n) {
        return n.fma(all(-LN2_LO), n.fma(all(-LN2_HI), x));
    }

    /** exp(r) - 1 for |r| &lt;= ln2/2, as {@link FloatExp#expm1Reduced}. */
    private static FloatVector expm1Reduced(FloatVector r) {
        FloatVector p = r.fma(P5, P4).fma(r, all(P3)).fma(r, all(P2)).fma(r, all(P1))
                .fma(r, all(P0));
        return p.fma(r.mul(r), r);
    }

    /** 2^k from k + ROUND for an integer k in [-126, 127], as {@link FloatExp#powerOfTwo}. */
    private static FloatVector powerOfTwo(FloatVector kPlusRound) {
        return kPlusRound.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(ONE_BITS).reinterpretAsFloats();
    }

    /** c in every lane. */
    private static FloatVector all(float c) {
        return FloatVector.broadcast(F, c);
    }

    /** This thread's tail array {@code which} holding a[from, len) (the rest is left over, its lanes unused). */
    private static float[] tail(float[] a, int from, int len, int which) {
        float[] t = TAIL.get()[which];
        System.arraycopy(a, from, t, 0, len - from);
        return t;
    }
}
