package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * {@link dev.kiln.engine.Backend#fakeQuantizePerTensor} in F32: the values and the straight-through mask in one pass
 * over heap chunks ({@link Chunks}), the same float operations as the SPI's composite (a product with the F32
 * reciprocal plus 0, rounding half to even, comparisons with the bounds in F32, a product with the scale plus 0) so
 * that the bits agree, where the composite streams the tensor through eleven elementwise passes. Forward and backward
 * of [64, 8, 28, 28] on 2 threads took 8.5 ms composed of Tensor ops, 0.84 ms with this pass and the backward's one
 * product (bench/FakeQuantizationBench.java). Where the grid's bounds lie within 2^22 of zero (every 8-bit grid) the
 * loop is branch-free, as {@link CpuRequantizedAdd}'s: a loop of ternaries compiles to branches, which random signs
 * mispredict, and C2 does not vectorise it.
 */
final class CpuFakeQuantization {
    /** 1.5 * 2^23: added to |t| <= 2^22 it leaves t's rounding to a whole number in the float's last bit. */
    private static final float ROUNDER = 12582912f;
    /** The largest bound the branch-free loop takes: one step beyond it must still round by {@link #ROUNDER}. */
    private static final float NARROW = 4194303f;
    private final Parallel parallel;

    CpuFakeQuantization(Parallel parallel) {
        this.parallel = parallel;
    }

    void perTensorF32(Tensor x, float scale, int zeroPoint, int quantMin, int quantMax, Tensor out, Tensor mask) {
        float inverse = 1f / scale;
        float low = (float) ((double) quantMin - zeroPoint);
        float high = (float) ((double) quantMax - zeroPoint);
        FloatBuffer xs = CpuElementwise.f32(x);
        FloatBuffer os = CpuElementwise.f32(out);
        FloatBuffer ms = CpuElementwise.f32(mask);
        int xo = CpuElementwise.offset(x);
        int oo = CpuElementwise.offset(out);
        int mo = CpuElementwise.offset(mask);
        boolean narrow = Math.abs(low) <= NARROW && Math.abs(high) <= NARROW;
        parallel.forRange(Math.toIntExact(out.size()), 4, (s, e) -> {
            float[][] scratch = Chunks.scratch();
            float[] v = scratch[0];
            float[] m = scratch[1];
            float[] nans = scratch[2];
            Arrays.fill(nans, 0f);
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                xs.get(xo + c, v, 0, len);
                if (narrow) {
                    narrowChunk(v, m, nans, len, inverse, scale, low, high);
                } else {
                    chunk(v, m, len, inverse, scale, low, high);
                }
                os.put(oo + c, v, 0, len);
                ms.put(mo + c, m, 0, len);
            }
            if (anyNaN(nans)) {
                replaceNaN(os, oo + s, ms, mo + s, e - s, v, m, low * scale + 0f);
            }
        });
    }

    /**
     * {@link #chunk} without a comparison: t clamped to one step beyond each bound before it is rounded (the bounds
     * are whole numbers and rounding is monotone, so that the rounding is t's clamped), the mask 1 less the distance
     * from that whole number to the grid (0 or 1). NaN passes through as NaN in value and mask, and makes nans[i]
     * NaN ({@code t * 0} is 0 otherwise); {@link #replaceNaN} gives those {@link #chunk}'s bottom value and mask 0.
     */
    private static void narrowChunk(float[] v, float[] m, float[] nans, int len, float inverse, float scale,
                                    float low, float high) {
        float below = low - 1;
        float above = high + 1;
        for (int i = 0; i < len; i++) {
            // + 0f as the composite's affine map adds its zero shift; the rounder makes -0 +0 in any case.
            float t = Math.min(Math.max(v[i] * inverse + 0f, below), above);
            nans[i] += t * 0f;
            float q = (t + ROUNDER) - ROUNDER;
            float kept = Math.min(Math.max(q, low), high);
            m[i] = 1f - Math.abs(q - kept);
            v[i] = kept * scale + 0f;
        }
    }

    private static boolean anyNaN(float[] nans) {
        float sum = 0;
        for (float f : nans) {
            sum += f;
        }
        return Float.isNaN(sum);
    }

    /**
     * Of the {@code count} values from os[oo] and masks from ms[mo], those whose value is NaN (the input was) become
     * {@code bottom} with mask 0.
     */
    private static void replaceNaN(FloatBuffer os, int oo, FloatBuffer ms, int mo, int count, float[] v, float[] m,
                                   float bottom) {
        for (int c = 0; c < count; c += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, count - c);
            os.get(oo + c, v, 0, len);
            ms.get(mo + c, m, 0, len);
            for (int i = 0; i < len; i++) {
                boolean nan = Float.isNaN(v[i]);
                v[i] = nan ? bottom : v[i];
                m[i] = nan ? 0f : m[i];
            }
            os.put(oo + c, v, 0, len);
            ms.put(mo + c, m, 0, len);
        }
    }

    /** v[0, len) fake-quantised in place and its mask into m, for any grid. */
    private static void chunk(float[] v, float[] m, int len, float inverse, float scale, float low, float high) {
        for (int i = 0; i < len; i++) {
            // + 0f as the composite's affine map adds its zero shift: -0 becomes +0 (rint and the bounds agree).
            float q = (float) Math.rint(v[i] * inverse + 0f);
            m[i] = q >= low && q <= high ? 1f : 0f;
            // NaN fails q >= low and takes low, as -infinity does; +infinity exceeds high.
            float kept = q >= low ? q : low;
            v[i] = (kept > high ? high : kept) * scale + 0f;
        }
    }
}
