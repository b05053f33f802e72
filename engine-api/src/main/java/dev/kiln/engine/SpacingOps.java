package dev.kiln.engine;

/**
 * PyTorch's {@code linspace} and {@code logspace}, made on the host (they depend on the arguments alone) with PyTorch's
 * scalar CPU formula: step {@code (end - start) / (steps - 1)}, the first half {@code start + i step} and the second
 * {@code end - (steps - 1 - i) step}, in float arithmetic for F32 and double for F64; logspace raises base to each.
 * Integer dtypes truncate toward zero, as PyTorch's. The values round as that formula does, not always as PyTorch's
 * CPU build, which fuses {@code start + i step} into a multiply-add where its compiler may and whose SIMD loop adds the
 * step to each vector's first point (linspace(-1.7, 3.3, 15) in F32 differs from PyTorch 1.13's x86 build in 5 of 15
 * points, by at most 6e-8; logspace matched in every point tried).
 */
final class SpacingOps {
    private SpacingOps() {
    }

    static Tensor linspace(double start, double end, int steps, DType dtype) {
        return Tensor.vectorOf(points("linspace", start, end, steps, dtype, Double.NaN), dtype);
    }

    static Tensor logspace(double start, double end, int steps, double base, DType dtype) {
        return Tensor.vectorOf(points("logspace", start, end, steps, dtype, base), dtype);
    }

    /** The points, or base raised to them where base is not NaN, each rounded to dtype. */
    private static double[] points(String op, double start, double end, int steps, DType dtype, double base) {
        if (steps < 0) {
            throw new IllegalArgumentException(op + ": steps must be >= 0, got " + steps);
        }
        if (dtype == DType.F32) {
            return pointsF32(start, end, steps, base);
        }
        if (!dtype.isFloating()) {
            start = (long) start;
            end = (long) end;
        }
        double[] v = new double[steps];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        int half = steps / 2;
        for (int i = 0; i < steps; i++) {
            double p = steps == 1 ? start : i < half ? start + step * i : end - step * (steps - 1 - i);
            double value = Double.isNaN(base) ? p : Math.pow(base, p);
            v[i] = dtype.isFloating() ? value : (long) value;
        }
        return v;
    }

    private static double[] pointsF32(double start, double end, int steps, double base) {
        float s = (float) start;
        float e = (float) end;
        float step = steps > 1 ? (e - s) / (steps - 1) : 0;
        int half = steps / 2;
        double[] v = new double[steps];
        for (int i = 0; i < steps; i++) {
            float p = steps == 1 ? s : i < half ? s + step * i : e - step * (steps - 1 - i);
            v[i] = Double.isNaN(base) ? p : (float) Math.pow((float) base, p);
        }
        return v;
    }
}
