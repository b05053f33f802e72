package dev.kiln.engine.cpu;

import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.DType;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * Element-wise kernels. Generic loops read and write through {@link Data} in double precision, except integer
 * arithmetic (not DIV), floor division, remainders, comparisons, MAX, MIN and where, exact in longs
 * ({@link #integerFunction}); F32 arithmetic, ReLU and tanh, the ops of every training
 * step, have loops of their own on the FloatBuffer (tanh as {@link FastTanh}), and so do F32 exp, log, sin, erf, GELU
 * and their kin ({@link FloatExp}, {@link FloatLog}, {@link FloatTrig}, {@link FloatInverseTrig},
 * {@link FloatHyperbolic}, {@link FloatInverseHyperbolic}, {@link FloatInverseDerivatives}, {@link FloatErf},
 * {@link FloatGeluTanh}, {@link FloatPow}, {@link IntegerPower}), and the simpler gradients of
 * {@link FloatSimpleGradients}.
 */
final class CpuElementwise {
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    /** sqrt(2 / pi) and the cubic's coefficient of GELU's tanh approximation, PyTorch's kBeta and kKappa. */
    private static final double GELU_TANH_BETA = Math.sqrt(2 / Math.PI);
    private static final double GELU_TANH_KAPPA = 0.044715;

    private final Parallel parallel;

    CpuElementwise(Parallel parallel) {
        this.parallel = parallel;
    }

    // ---- unary ----------------------------------------------------------------------------------

    void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        int n = Math.toIntExact(out.size());
        if (x.dtype() == DType.F32) {
            mapF32(x, out, op == UnaryOp.RELU || isSquare(op, p) ? 1 : 8, unaryF32(op, p));
            return;
        }
        Data xd = Data.of(x);
        Data od = Data.of(out);
        parallel.forRange(n, 8, (s, e) -> {
            for (int i = s; i < e; i++) {
                od.set(i, forward(op, p, xd.get(i)));
            }
        });
    }

    /**
     * {@code op} over F32 values in place, with the values {@link #unary} gives: loops of their own for ReLU, tanh,
     * the square and other small integer powers, negation, abs, sqrt, rsqrt and the functions of
     * {@link #floatRoutine}; else each value through
     * {@link #forward} in double.
     */
    static FloatChunk unaryF32(UnaryOp op, double p) {
        if (isSquare(op, p)) {
            // A float times a float is exact in double, so this rounds as forward's x * x does.
            return (v, len) -> {
                for (int i = 0; i < len; i++) {
                    v[i] *= v[i];
                }
            };
        }
        if (op == UnaryOp.POW && IntegerPower.serves(p)) {
            return (v, len) -> IntegerPower.pow(v, len, p, 1);
        }
        FloatChunk routine = floatRoutine(op, p);
        if (routine != null) {
            return routine;
        }
        return switch (op) {
            case RELU -> CpuElementwise::relu;
            case TANH -> FastTanh::tanh;
            case SIGMOID -> CpuElementwise::sigmoid;
            // Exact in float (a square root rounded twice, through double, rounds as once), so the values are the
            // generic loop's; in float the loops vectorise, where its switch per value cost a few ns.
            case NEG -> (v, len) -> {
                for (int i = 0; i < len; i++) {
                    v[i] = -v[i];
                }
            };
            case ABS -> (v, len) -> {
                for (int i = 0; i < len; i++) {
                    v[i] = Math.abs(v[i]);
                }
            };
            case SQRT -> (v, len) -> {
                for (int i = 0; i < len; i++) {
                    v[i] = (float) Math.sqrt(v[i]);
                }
            };
            // Two roundings in float (the square root's relative error passes to its reciprocal): within 1.5 ulps.
            case RSQRT -> (v, len) -> {
                for (int i = 0; i < len; i++) {
                    v[i] = 1 / (float) Math.sqrt(v[i]);
                }
            };
            default -> (v, len) -> {
                for (int i = 0; i < len; i++) {
                    v[i] = (float) forward(op, p, v[i]);
                }
            };
        };
    }

    /**
     * The vectorised F32 routine of op (within a few ulps of its value in double, rounded), or null: for the
     * functions that would otherwise cost a call to Math per value, where the CPU has FMA.
     */
    private static FloatChunk floatRoutine(UnaryOp op, double p) {
        if (!FusedMultiplyAdd.IN_HARDWARE) {
            return null;
        }
        return switch (op) {
            case EXP -> FloatExp::exp;
            case EXPM1 -> FloatExp::expm1;
            case SIGMOID -> FloatExp::sigmoid;
            case SILU -> FloatExp::silu;
            case LOG -> FloatLog::log;
            case LOG1P -> FloatLog::log1p;
            case LOG2 -> FloatLog::log2;
            case LOG10 -> FloatLog::log10;
            case SIN -> FloatTrig::sin;
            case COS -> FloatTrig::cos;
            case TAN -> FloatTrig::tan;
            case ASIN -> FloatInverseTrig::asin;
            case ACOS -> FloatInverseTrig::acos;
            case ATAN -> FloatInverseTrig::atan;
            case SINH -> FloatHyperbolic::sinh;
            case COSH -> FloatHyperbolic::cosh;
            case ASINH -> FloatInverseHyperbolic::asinh;
            case ACOSH -> FloatInverseHyperbolic::acosh;
            case ATANH -> FloatInverseHyperbolic::atanh;
            case ERF -> FloatErf::erf;
            case ERFC -> FloatErf::erfc;
            case GELU -> FloatErf::gelu;
            case GELU_TANH -> FloatGeluTanh::gelu;
            case ELU -> (v, len) -> FloatExp.elu(v, len, p);
            case POW -> FloatPow.serves(p) ? (v, len) -> FloatPow.pow(v, len, p) : null;
            default -> null;
        };
    }

    /**
     * The vectorised F32 routine turning x into d op(x) / dx in place, or null (as {@link #floatRoutine}): for the
     * derivatives that are themselves such functions of x.
     */
    private static FloatChunk floatDerivative(UnaryOp op, double p) {
        if (!FusedMultiplyAdd.IN_HARDWARE) {
            return null;
        }
        return switch (op) {
            case SIN -> FloatTrig::cos;
            case COS -> (v, len) -> negated(v, len, FloatTrig::sin);
            case SINH -> FloatHyperbolic::cosh;
            case COSH -> FloatHyperbolic::sinh;
            case ASIN -> FloatInverseDerivatives::asin;
            case ACOS -> FloatInverseDerivatives::acos;
            case ATAN -> FloatInverseDerivatives::atan;
            case ASINH -> FloatInverseDerivatives::asinh;
            case ACOSH -> FloatInverseDerivatives::acosh;
            case ATANH -> FloatInverseDerivatives::atanh;
            case ERF -> FloatErf::erfDerivative;
            case ERFC -> (v, len) -> negated(v, len, FloatErf::erfDerivative);
            case GELU -> FloatErf::geluDerivative;
            case GELU_TANH -> FloatGeluTanh::geluDerivative;
            case SILU -> FloatExp::siluDerivative;
            case LOG -> CpuElementwise::reciprocal;
            case LOG1P -> (v, len) -> {
                for (int i = 0; i < len; i++) {
                    v[i] = 1 / (v[i] + 1);
                }
            };
            case POW -> FloatPow.serves(p - 1) ? (v, len) -> {
                FloatPow.pow(v, len, p - 1);
                float exponent = (float) p;
                for (int i = 0; i < len; i++) {
                    v[i] *= exponent;
                }
            } : null;
            default -> null;
        };
    }

    /**
     * grad *= d op(x) / dx from y = op(x) in float, for the ops with a float routine whose derivative is y's (the
     * generic loop's switch per value cost 10 ns), or null.
     */
    private static OutputGradientChunk floatGradientFromOutput(UnaryOp op) {
        if (!FusedMultiplyAdd.IN_HARDWARE) {
            return null;
        }
        return switch (op) {
            case EXP -> (out, grad, len) -> {
                for (int i = 0; i < len; i++) {
                    grad[i] *= out[i];
                }
            };
            case EXPM1 -> (out, grad, len) -> {
                for (int i = 0; i < len; i++) {
                    grad[i] *= out[i] + 1;
                }
            };
            case TAN -> (out, grad, len) -> {
                for (int i = 0; i < len; i++) {
                    grad[i] *= Math.fma(out[i], out[i], 1);
                }
            };
            default -> null;
        };
    }

    /**
     * grad *= d op / dx in float from x (log2, log10), from y (sqrt, reciprocal, exp2) or from neither, for the ops
     * of {@link FloatSimpleGradients}, or null.
     */
    private static OutputGradientChunk simpleGradient(UnaryOp op) {
        return switch (op) {
            case SQRT -> FloatSimpleGradients::sqrt;
            case RECIPROCAL -> FloatSimpleGradients::reciprocal;
            case EXP2 -> FloatSimpleGradients::exp2;
            case LOG2 -> FloatSimpleGradients::log2;
            case LOG10 -> FloatSimpleGradients::log10;
            case NEG -> (unused, grad, len) -> FloatSimpleGradients.neg(grad, len);
            case SIGN, FLOOR, CEIL, ROUND, TRUNC -> (unused, grad, len) -> FloatSimpleGradients.zero(grad, len);
            // frac's derivative is 1: the gradient passes as it is.
            case FRAC -> (unused, grad, len) -> { };
            default -> null;
        };
    }

    /** v = 1 / v. */
    private static void reciprocal(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = 1 / v[i];
        }
    }

    /** v = -f(v). */
    private static void negated(float[] v, int len, FloatChunk f) {
        f.apply(v, len);
        for (int i = 0; i < len; i++) {
            v[i] = -v[i];
        }
    }

    /** {@code pow(x, 2)}: a loss's square, a norm's. */
    private static boolean isSquare(UnaryOp op, double p) {
        return op == UnaryOp.POW && p == 2;
    }

    static double forward(UnaryOp op, double p, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case POW -> p == 2 ? x * x : power(x, p);
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> x > 0 || Double.isNaN(x) ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : p * x;
            case ELU -> x > 0 ? x : p * Math.expm1(x);
            case GELU -> x * normalCdf(x);
            // 0.5 (1 + tanh(u)) as sigmoid(2u), whose tail keeps its digits where 1 + tanh(u) cancels (13 float
            // ulps lost near x = -6).
            case GELU_TANH -> x * sigmoid(2 * geluTanhInner(x));
            case SILU -> x / (1 + Math.exp(-x));
            case SIGN -> Math.signum(x);
            // The functions after the activations live apart, so that this switch stays small enough to inline.
            default -> ElementaryFunctions.value(op, x);
        };
    }

    void unaryBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor gy, Tensor gx) {
        int n = Math.toIntExact(gx.size());
        if (op == UnaryOp.RELU && x.dtype() == DType.F32) {
            reluBackwardF32(y, gy, gx, n);
            return;
        }
        if (op == UnaryOp.TANH && x.dtype() == DType.F32) {
            gradientFromOutputF32(y, gy, gx, n, CpuElementwise::tanhGradient);
            return;
        }
        if (x.dtype() == DType.F32) {
            unaryBackwardF32(op, p, x, y, gy, gx, n);
            return;
        }
        Data xd = Data.of(x);
        Data yd = Data.of(y);
        Data gyd = Data.of(gy);
        Data gxd = Data.of(gx);
        parallel.forRange(n, 8, (s, e) -> {
            for (int i = s; i < e; i++) {
                double g = gyd.get(i);
                double d = derivative(op, p, xd.get(i), yd.get(i));
                // ReLU selects rather than multiplies: 0 stays exactly 0 under an infinite gradient, as in F32.
                gxd.set(i, op == UnaryOp.RELU ? (d != 0 ? g : 0) : g * d);
            }
        });
    }

    /**
     * {@link #unaryBackward} for F32 through heap chunks: {@code gx = gy * derivative(x, y)}, with a loop of its own
     * for the square, small integer powers, rsqrt, ELU, the ops of {@link FloatSimpleGradients} and for ops whose
     * derivative needs only y, the float routines
     * of {@link #floatDerivative}, and else each value in double as the generic loop computes it.
     */
    private void unaryBackwardF32(UnaryOp op, double p, Tensor x, Tensor y, Tensor gy, Tensor gx, int n) {
        if (isSquare(op, p)) {
            gradientFromOutputF32(x, gy, gx, n, CpuElementwise::squareGradient);
            return;
        }
        if (op == UnaryOp.SIGMOID) {
            gradientFromOutputF32(y, gy, gx, n, CpuElementwise::sigmoidGradient);
            return;
        }
        if (op == UnaryOp.ABS || op == UnaryOp.LEAKY_RELU) {
            float slope = (float) p;
            signGradientF32(x, gy, gx, n, op == UnaryOp.ABS ? FloatSimpleGradients::abs
                    : (bits, grad, len) -> FloatSimpleGradients.leakyRelu(bits, grad, len, slope));
            return;
        }
        OutputGradientChunk simple = simpleGradient(op);
        if (simple != null) {
            // log2 and log10 read x; the others y or nothing.
            boolean ofInput = op == UnaryOp.LOG2 || op == UnaryOp.LOG10;
            gradientFromOutputF32(ofInput ? x : y, gy, gx, n, simple);
            return;
        }
        if (op == UnaryOp.POW && p != 0 && IntegerPower.serves(p - 1)) {
            gradientF32(x, null, gy, gx, n, 8, (in, unused, grad, len) -> {
                IntegerPower.pow(in, len, p - 1, p);
                for (int i = 0; i < len; i++) {
                    grad[i] *= in[i];
                }
            });
            return;
        }
        if (op == UnaryOp.RSQRT) {
            gradientFromOutputF32(y, gy, gx, n, (out, grad, len) -> {
                for (int i = 0; i < len; i++) {
                    grad[i] *= -0.5f * out[i] * (out[i] * out[i]);
                }
            });
            return;
        }
        if (op == UnaryOp.ELU) {
            float alpha = (float) p;
            gradientF32(x, y, gy, gx, n, 1,
                    (in, out, grad, len) -> FloatExp.eluGradient(in, out, grad, len, alpha));
            return;
        }
        OutputGradientChunk fromOutput = floatGradientFromOutput(op);
        if (fromOutput != null) {
            gradientFromOutputF32(y, gy, gx, n, fromOutput);
            return;
        }
        FloatChunk floatDerivative = floatDerivative(op, p);
        if (floatDerivative != null) {
            gradientF32(x, null, gy, gx, n, 8, (in, unused, grad, len) -> {
                floatDerivative.apply(in, len);
                for (int i = 0; i < len; i++) {
                    grad[i] *= in[i];
                }
            });
            return;
        }
        gradientF32(x, y, gy, gx, n, 8, (in, out, grad, len) -> {
            for (int i = 0; i < len; i++) {
                grad[i] = (float) (grad[i] * derivative(op, p, in[i], out[i]));
            }
        });
    }

    /**
     * x^p as PyTorch takes it: p = 0.5 and -0.5 as sqrt(x) and 1 / sqrt(x) (-0 and -inf for -0, NaN for -inf, where
     * Math.pow gives +0, +inf, and +inf or +0), others as Math.pow but for C's pow's 1 for x = 1 and any p, and for
     * x = -1 and infinite p, where Math.pow gives NaN.
     */
    private static double power(double x, double p) {
        if (x == 1 || x == -1 && Double.isInfinite(p)) {
            return 1;
        }
        return p == 0.5 ? Math.sqrt(x) : p == -0.5 ? 1 / Math.sqrt(x) : Math.pow(x, p);
    }

    /** d op(x) / dx, given x and y = op(x). */
    static double derivative(UnaryOp op, double p, double x, double y) {
        return switch (op) {
            case NEG -> -1;
            case ABS -> x > 0 ? 1 : x < 0 ? -1 : 0; // PyTorch's sgn: 0 at +-0 and NaN
            case EXP -> y;
            case LOG -> 1 / x;
            case SQRT -> 0.5 / y;
            case POW -> p == 2 ? 2 * x : p == 0 ? 0 : p * power(x, p - 1);
            case TANH -> 1 - y * y;
            case SIGMOID -> y * (1 - y);
            case RELU -> x > 0 || Double.isNaN(x) ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : p;
            case ELU -> x > 0 ? 1 : y + p;
            case GELU -> normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            case GELU_TANH -> geluTanhDerivative(x);
            case SILU -> siluDerivative(x);
            case SIGN -> 0;
            default -> ElementaryFunctions.derivative(op, x, y);
        };
    }

    /** sqrt(2 / pi) (x + 0.044715 x^3), tanh's argument in GELU's tanh approximation. */
    private static double geluTanhInner(double x) {
        return GELU_TANH_BETA * (x + GELU_TANH_KAPPA * (x * x * x));
    }

    /** The derivative of 0.5 x (1 + tanh(inner(x))), in the terms of PyTorch's GeluBackward. */
    private static double geluTanhDerivative(double x) {
        double t = Math.tanh(geluTanhInner(x));
        double leftDerivative = 0.5 * (1 + t);
        double innerDerivative = GELU_TANH_BETA * (1 + 3 * GELU_TANH_KAPPA * (x * x));
        return leftDerivative + 0.5 * x * (1 - t * t) * innerDerivative;
    }

    /** sigmoid(x) (1 + x (1 - sigmoid(x))), PyTorch's; exp(-x) overflows to infinity below -709, giving sigmoid 0. */
    private static double siluDerivative(double x) {
        double s = 1 / (1 + Math.exp(-x));
        return s * (1 + x * (1 - s));
    }

    private static double normalCdf(double x) {
        return 0.5 * (1 + Erf.erf(x * SQRT_HALF));
    }

    /** {@code out = x} rounded to bfloat16, element by element ({@link Precision#roundToBfloat16}); F32 only. */
    void roundToBfloat16(Tensor x, Tensor out) {
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32 || x.size() != out.size()) {
            throw new IllegalArgumentException("roundToBfloat16: F32 in and out of one size, got " + x.dtype() + " "
                    + x.shape() + " and " + out.dtype() + " " + out.shape());
        }
        mapF32(x, out, 1, (v, len) -> {
            for (int i = 0; i < len; i++) {
                v[i] = Precision.roundToBfloat16(v[i]);
            }
        });
    }

    void affine(Tensor x, double scale, double shift, Tensor out) {
        int n = Math.toIntExact(out.size());
        if (x.dtype() == DType.F32) {
            float a = (float) scale;
            float b = (float) shift;
            mapF32(x, out, 1, (v, len) -> {
                for (int i = 0; i < len; i++) {
                    v[i] = v[i] * a + b;
                }
            });
            return;
        }
        Data xd = Data.of(x);
        Data od = Data.of(out);
        parallel.forRange(n, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                od.set(i, xd.get(i) * scale + shift);
            }
        });
    }

    /** A pass over F32 values in place: {@code v[0, len)}. */
    interface FloatChunk {
        void apply(float[] v, int len);
    }

    /**
     * {@code out = chunk(x)} for F32 x and out of one size (out may be x), streamed through this thread's heap
     * chunks ({@link Chunks}) on every thread; {@code cost} is the work per element for {@link Parallel#forRange}.
     */
    private void mapF32(Tensor x, Tensor out, long cost, FloatChunk chunk) {
        FloatBuffer xs = f32(x);
        FloatBuffer os = f32(out);
        int xo = offset(x);
        int oo = offset(out);
        parallel.forRange(Math.toIntExact(out.size()), cost, (s, e) -> {
            float[] v = Chunks.scratch()[0];
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                xs.get(xo + c, v, 0, len);
                chunk.apply(v, len);
                os.put(oo + c, v, 0, len);
            }
        });
    }

    // ---- binary ---------------------------------------------------------------------------------

    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Broadcast bc = new Broadcast(out.shape(), a.shape(), b.shape());
        int sa = bc.colStride(0);
        int sb = bc.colStride(1);
        int cols = bc.cols;
        if (a.dtype() == DType.F32 && (isArithmetic(op) || op.isComparison())) {
            FloatBuffer as = f32(a);
            FloatBuffer bs = f32(b);
            FloatBuffer os = f32(out);
            int ao = offset(a);
            int bo = offset(b);
            int oo = offset(out);
            if (a.size() == out.size() && b.size() == out.size()) {
                int n = Math.toIntExact(out.size());
                parallel.forRange(n, 1, (s, e) -> rowF32(op, as, ao + s, 1, bs, bo + s, 1, os, oo + s, e - s));
                return;
            }
            if (a.size() == 1 && b.size() == 1) {
                // Two single values broadcast (a sum's gradient expanded from a scalar): their one result, computed as
                // below, then written out in bulk: 2^20 values 0.11 ms -> 0.05 ms, no per-value loads and arithmetic.
                rowF32(op, as, ao, 0, bs, bo, 0, os, oo, 1);
                float v = os.get(oo);
                int n = Math.toIntExact(out.size());
                parallel.forRange(n, 1, (s, e) -> CpuCopy.fillFloats(os, oo + s, oo + e, v));
                return;
            }
            if (bc.rows == 1) {
                // One long row (a scalar expanded, a vector against a vector) split among the threads.
                int ab = ao + bc.base(0, 0);
                int bb = bo + bc.base(1, 0);
                parallel.forRange(cols, 1, (s, e) -> rowF32(op, as, ab + s * sa, sa, bs, bb + s * sb, sb, os, oo + s,
                        e - s));
                return;
            }
            parallel.forRange(bc.rows, cols, (s, e) -> {
                for (int r = s; r < e; r++) {
                    rowF32(op, as, ao + bc.base(0, r), sa, bs, bo + bc.base(1, r), sb, os, oo + r * cols, cols);
                }
            });
            return;
        }
        LongBinaryOperator exact = allInteger(a, b, out) ? integerFunction(op) : null;
        if (exact != null) {
            integerArithmetic(exact, a, b, out, bc);
            return;
        }
        DoubleBinaryOperator f = function(op);
        Data ad = Data.of(a);
        Data bd = Data.of(b);
        Data od = Data.of(out);
        if (bc.rows == 1) {
            // One long row (an F64 tensor divided by a scalar, Tensor.div(double)) split among the threads, as F32's
            // is: by rows it ran on one (2^20 values, 2 threads: 1.64 ms, 0.48 ms for the affine x * (1 / 3)).
            int ia = bc.base(0, 0);
            int ib = bc.base(1, 0);
            parallel.forRange(cols, 4, (s, e) -> {
                for (int j = s; j < e; j++) {
                    od.set(j, f.applyAsDouble(ad.get(ia + j * sa), bd.get(ib + j * sb)));
                }
            });
            return;
        }
        parallel.forRange(bc.rows, cols * 4L, (s, e) -> {
            for (int r = s; r < e; r++) {
                int ia = bc.base(0, r);
                int ib = bc.base(1, r);
                int io = r * cols;
                for (int j = 0; j < cols; j++) {
                    od.set(io + j, f.applyAsDouble(ad.get(ia + j * sa), bd.get(ib + j * sb)));
                }
            }
        });
    }

    /**
     * Integer ADD, SUB, MUL, POWER, FLOOR_DIVIDE, REMAINDER (the divisor's sign), FMOD (the dividend's), MAX, MIN
     * and comparisons in long arithmetic, wrapping at the dtype's width as PyTorch's do: exact, where going through
     * doubles would round beyond 2^53 (2^53 + 1 == 2^53) and saturate, not wrap, on the way back. MIN_VALUE
     * floor-divided by -1 wraps to MIN_VALUE (PyTorch's CPU kernel dies of SIGFPE there); a zero divisor is an error,
     * as PyTorch's ZeroDivisionError. Null for the other ops (DIV among them: PyTorch's integer division is true
     * division).
     */
    private static LongBinaryOperator integerFunction(BinaryOp op) {
        return switch (op) {
            case ADD -> Long::sum;
            case SUB -> (x, y) -> x - y;
            case MUL -> (x, y) -> x * y;
            case POWER -> ElementaryFunctions::integerPower;
            case FLOOR_DIVIDE -> (x, y) -> Math.floorDiv(x, divisor(op, y));
            case REMAINDER -> (x, y) -> Math.floorMod(x, divisor(op, y));
            case FMOD -> (x, y) -> x % divisor(op, y);
            case MAX -> Math::max;
            case MIN -> Math::min;
            case EQ -> (x, y) -> x == y ? 1 : 0;
            case NE -> (x, y) -> x != y ? 1 : 0;
            case LT -> (x, y) -> x < y ? 1 : 0;
            case LE -> (x, y) -> x <= y ? 1 : 0;
            case GT -> (x, y) -> x > y ? 1 : 0;
            case GE -> (x, y) -> x >= y ? 1 : 0;
            default -> null;
        };
    }

    /** {@code y}, refused where it is 0: an integer quotient or remainder of a zero divisor has no value. */
    private static long divisor(BinaryOp op, long y) {
        if (y == 0) {
            throw new ArithmeticException(op.name().toLowerCase(java.util.Locale.ROOT)
                    + ": integer division by zero (a divisor element is 0)");
        }
        return y;
    }

    private static boolean allInteger(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t.dtype().isFloating()) {
                return false;
            }
        }
        return true;
    }

    /** out = f(a, b) of integer tensors (I32 or I64), element by element. */
    private void integerArithmetic(LongBinaryOperator f, Tensor a, Tensor b, Tensor out, Broadcast bc) {
        CpuStorage as = (CpuStorage) a.storage();
        CpuStorage bs = (CpuStorage) b.storage();
        CpuStorage os = (CpuStorage) out.storage();
        int sa = bc.colStride(0);
        int sb = bc.colStride(1);
        int cols = bc.cols;
        parallel.forRange(bc.rows, cols, (s, e) -> {
            for (int r = s; r < e; r++) {
                int ia = offset(a) + bc.base(0, r);
                int ib = offset(b) + bc.base(1, r);
                int io = offset(out) + r * cols;
                for (int j = 0; j < cols; j++) {
                    putInteger(os, io + j, f.applyAsLong(integerAt(as, ia + j * sa), integerAt(bs, ib + j * sb)));
                }
            }
        });
    }

    private static long integerAt(CpuStorage s, int i) {
        return s.i64 != null ? s.i64.get(i) : s.i32.get(i);
    }

    /** Stores v, wrapped to I32 where the storage is I32. */
    private static void putInteger(CpuStorage s, int i, long v) {
        if (s.i64 != null) {
            s.i64.put(i, v);
        } else {
            s.i32.put(i, (int) v);
        }
    }

    private static boolean isArithmetic(BinaryOp op) {
        return op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV;
    }

    /**
     * One row of F32 arithmetic or comparisons, inputs with stride 1 (a run) or 0 (broadcast), in chunks so that each
     * op's loop is a tight loop over arrays.
     */
    private static void rowF32(BinaryOp op, FloatBuffer a, int ia, int sa, FloatBuffer b, int ib, int sb,
                               FloatBuffer o, int io, int n) {
        float[][] t = Chunks.scratch();
        float[] x = t[0];
        float[] y = t[1];
        for (int c = 0; c < n; c += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, n - c);
            Chunks.load(a, ia + c * sa, sa, x, len);
            Chunks.load(b, ib + c * sb, sb, y, len);
            arithmetic(op, x, y, len);
            o.put(io + c, x, 0, len);
        }
    }

    /**
     * {@code x = x op y} over the first {@code len} elements; a comparison writes 1 or 0 (floats compare as the
     * doubles they widen to, so as {@link #function}'s).
     */
    private static void arithmetic(BinaryOp op, float[] x, float[] y, int len) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < len; i++) {
                    x[i] += y[i];
                }
            }
            case SUB -> {
                for (int i = 0; i < len; i++) {
                    x[i] -= y[i];
                }
            }
            case MUL -> {
                for (int i = 0; i < len; i++) {
                    x[i] *= y[i];
                }
            }
            case DIV -> {
                for (int i = 0; i < len; i++) {
                    x[i] /= y[i];
                }
            }
            case EQ -> {
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] == y[i] ? 1 : 0;
                }
            }
            case NE -> {
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] != y[i] ? 1 : 0;
                }
            }
            case LT -> {
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] < y[i] ? 1 : 0;
                }
            }
            case LE -> {
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] <= y[i] ? 1 : 0;
                }
            }
            case GT -> {
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] > y[i] ? 1 : 0;
                }
            }
            case GE -> {
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] >= y[i] ? 1 : 0;
                }
            }
            default -> throw new IllegalArgumentException("not an arithmetic op or comparison: " + op);
        }
    }

    static DoubleBinaryOperator function(BinaryOp op) {
        return switch (op) {
            case ADD -> (x, y) -> x + y;
            case SUB -> (x, y) -> x - y;
            case MUL -> (x, y) -> x * y;
            case DIV -> (x, y) -> x / y;
            case MAX -> Math::max;
            case MIN -> Math::min;
            case ATAN2 -> Math::atan2;
            case POWER -> ElementaryFunctions::pow;
            // Java's % on doubles is C's fmod: the sign of the dividend, NaN for a zero divisor.
            case FMOD -> (x, y) -> x % y;
            case REMAINDER -> ElementaryFunctions::remainder;
            case FLOOR_DIVIDE -> ElementaryFunctions::floorDivide;
            case EQ -> (x, y) -> x == y ? 1 : 0;
            case NE -> (x, y) -> x != y ? 1 : 0;
            case LT -> (x, y) -> x < y ? 1 : 0;
            case LE -> (x, y) -> x <= y ? 1 : 0;
            case GT -> (x, y) -> x > y ? 1 : 0;
            case GE -> (x, y) -> x >= y ? 1 : 0;
        };
    }

    void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Broadcast bc = new Broadcast(out.shape(), cond.shape(), a.shape(), b.shape());
        if (allInteger(a, b, out)) {
            integerWhere(cond, a, b, out, bc);
            return;
        }
        int sc = bc.colStride(0);
        int sa = bc.colStride(1);
        int sb = bc.colStride(2);
        int cols = bc.cols;
        Data cd = Data.of(cond);
        Data ad = Data.of(a);
        Data bd = Data.of(b);
        Data od = Data.of(out);
        parallel.forRange(bc.rows, cols * 4L, (s, e) -> {
            for (int r = s; r < e; r++) {
                int ic = bc.base(0, r);
                int ia = bc.base(1, r);
                int ib = bc.base(2, r);
                int io = r * cols;
                for (int j = 0; j < cols; j++) {
                    od.set(io + j, cd.get(ic + j * sc) != 0 ? ad.get(ia + j * sa) : bd.get(ib + j * sb));
                }
            }
        });
    }

    /** where with integer values copied as longs: through doubles, I64 values beyond 2^53 would round. */
    private void integerWhere(Tensor cond, Tensor a, Tensor b, Tensor out, Broadcast bc) {
        int sc = bc.colStride(0);
        int sa = bc.colStride(1);
        int sb = bc.colStride(2);
        int cols = bc.cols;
        Data cd = Data.of(cond);
        CpuStorage as = (CpuStorage) a.storage();
        CpuStorage bs = (CpuStorage) b.storage();
        CpuStorage os = (CpuStorage) out.storage();
        parallel.forRange(bc.rows, cols * 4L, (s, e) -> {
            for (int r = s; r < e; r++) {
                int ic = bc.base(0, r);
                int ia = offset(a) + bc.base(1, r);
                int ib = offset(b) + bc.base(2, r);
                int io = offset(out) + r * cols;
                for (int j = 0; j < cols; j++) {
                    long v = cd.get(ic + j * sc) != 0 ? integerAt(as, ia + j * sa) : integerAt(bs, ib + j * sb);
                    putInteger(os, io + j, v);
                }
            }
        });
    }

    /** Turns one chunk of an output y and its gradient into the input gradient, in place in {@code grad}. */
    @FunctionalInterface
    private interface OutputGradientChunk {
        void apply(float[] out, float[] grad, int len);
    }

    /** Turns one chunk of two operands (an input and its op's output) and a gradient into the input gradient. */
    @FunctionalInterface
    private interface GradientChunk {
        void apply(float[] first, float[] second, float[] grad, int len);
    }

    /**
     * gx = gy where y = max(x, 0) is positive (or NaN), else exactly 0: a mask made from y's bits keeps the
     * gradient's bits ({@link #reluGradient}). Branch-free, because the obvious
     * {@code y > 0 ? g : 0} mispredicts on half the elements (4.8 ns per element against 0.6), and on the bit
     * patterns as int[], where C2 (JDK 17) vectorises the loop; through Float.floatToRawIntBits it did not
     * (0.33 against 0.07 ns per element).
     */
    private void reluBackwardF32(Tensor y, Tensor gy, Tensor gx, int n) {
        IntBuffer ys = bits(y);
        IntBuffer gs = bits(gy);
        IntBuffer os = bits(gx);
        int yo = offset(y);
        int go = offset(gy);
        int oo = offset(gx);
        parallel.forRange(n, 1, (s, e) -> {
            int[][] t = Chunks.intScratch();
            int[] out = t[0];
            int[] grad = t[1];
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                ys.get(yo + c, out, 0, len);
                gs.get(go + c, grad, 0, len);
                reluGradient(out, grad, len);
                os.put(oo + c, grad, 0, len);
            }
        });
    }

    /** v = sigmoid(v) over one F32 chunk, in place, in double as {@link #forward} computes it, without its switch. */
    static void sigmoid(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = (float) sigmoid(v[i]);
        }
    }

    /** The logistic function, through exp of a value never above 0, so that it never overflows. */
    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** v = max(v, 0) over one F32 chunk, in place; NaN stays NaN, as Math.max keeps it. */
    static void relu(float[] v, int len) {
        for (int i = 0; i < len; i++) {
            v[i] = Math.max(v[i], 0f);
        }
    }

    /**
     * ReLU's gradient over one chunk of F32 bit patterns, in place in {@code grad} (see {@link #reluBackwardF32}):
     * kept where y = max(x, 0) is positive or NaN of either sign (a NaN made at run time on x86 carries the sign
     * bit), zeroed where y is +0, as the F64 path and CUDA's kernels decide.
     */
    static void reluGradient(int[] out, int[] grad, int len) {
        for (int i = 0; i < len; i++) {
            int y = out[i];
            // -y < 0 where y > 0 as an int (a positive float, +inf or +NaN); 0x7F800000 - |y| < 0 where y is a NaN.
            // In this form C2 vectorises the loop inside its callers (with (-y & ~y) it did not: 59 against 8
            // profile samples of a W2 epoch).
            grad[i] &= (-y >> 31) | ((0x7F800000 - (y & 0x7FFFFFFF)) >> 31);
        }
    }

    /**
     * grad *= 2x over one F32 chunk: the square's gradient. 2x is exact, and a product of two floats rounds as the
     * double path's does, so the values are the generic loop's wherever 2x is finite; in float the loop vectorises
     * (through double it ran at 3 ns a value).
     */
    static void squareGradient(float[] in, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] *= in[i] + in[i];
        }
    }

    /** grad *= 1 - y^2 over one F32 chunk: tanh's gradient from its output y. */
    static void tanhGradient(float[] out, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] *= 1 - out[i] * out[i];
        }
    }

    /**
     * grad *= y (1 - y) over one F32 chunk: the sigmoid's gradient from its output y, in float as PyTorch's kernel
     * computes it (1 - y is exact where y &gt;= 0.5), so that the loop vectorises: 0.1 ns a value against 0.55
     * through double.
     */
    static void sigmoidGradient(float[] out, float[] grad, int len) {
        for (int i = 0; i < len; i++) {
            grad[i] *= out[i] * (1 - out[i]);
        }
    }

    /** gx = f(y, gy) for F32, streamed through heap chunks so that {@code chunk}'s loop vectorises. */
    private void gradientFromOutputF32(Tensor y, Tensor gy, Tensor gx, int n, OutputGradientChunk chunk) {
        gradientF32(y, null, gy, gx, n, 1, (out, unused, grad, len) -> chunk.apply(out, grad, len));
    }

    /**
     * gx = f(a, b, gy) for F32 operands a and b (null: not read), streamed through heap chunks; {@code cost} is the
     * work per element for {@link Parallel#forRange}.
     */
    private void gradientF32(Tensor a, Tensor b, Tensor gy, Tensor gx, int n, long cost, GradientChunk chunk) {
        FloatBuffer as = f32(a);
        FloatBuffer bs = b == null ? null : f32(b);
        FloatBuffer gs = f32(gy);
        FloatBuffer os = f32(gx);
        int ao = offset(a);
        int bo = b == null ? 0 : offset(b);
        int go = offset(gy);
        int oo = offset(gx);
        parallel.forRange(n, cost, (s, e) -> {
            float[][] t = Chunks.scratch();
            float[] first = t[0];
            float[] second = t[1];
            float[] grad = t[2];
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                as.get(ao + c, first, 0, len);
                if (bs != null) {
                    bs.get(bo + c, second, 0, len);
                }
                gs.get(go + c, grad, 0, len);
                chunk.apply(first, second, grad, len);
                os.put(oo + c, grad, 0, len);
            }
        });
    }

    /**
     * gx = f(x's bit patterns, gy) for F32, x streamed through int chunks and gy through float ones, so that a loop
     * deciding on x's sign and class without comparisons vectorises ({@link FloatSimpleGradients#abs}).
     */
    private void signGradientF32(Tensor x, Tensor gy, Tensor gx, int n, SignGradientChunk chunk) {
        IntBuffer xs = bits(x);
        FloatBuffer gs = f32(gy);
        FloatBuffer os = f32(gx);
        int xo = offset(x);
        int go = offset(gy);
        int oo = offset(gx);
        parallel.forRange(n, 1, (s, e) -> {
            int[] in = Chunks.intScratch()[0];
            float[] grad = Chunks.scratch()[0];
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                xs.get(xo + c, in, 0, len);
                gs.get(go + c, grad, 0, len);
                chunk.apply(in, grad, len);
                os.put(oo + c, grad, 0, len);
            }
        });
    }

    /** Turns one chunk of an input's F32 bit patterns and its output's gradient into the input gradient. */
    @FunctionalInterface
    private interface SignGradientChunk {
        void apply(int[] xBits, float[] grad, int len);
    }

    private static IntBuffer bits(Tensor t) {
        return ((CpuStorage) t.storage()).f32Bits();
    }

    static FloatBuffer f32(Tensor t) {
        return ((CpuStorage) t.storage()).f32;
    }

    static int offset(Tensor t) {
        return Math.toIntExact(t.offset());
    }

    /** {@code out = x} rounded to IEEE half, element by element ({@link Precision#roundToHalf}); F32 only. */
    void roundToHalf(Tensor x, Tensor out) {
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32 || x.size() != out.size()) {
            throw new IllegalArgumentException("roundToHalf: F32 in and out of one size, got " + x.dtype() + " "
                    + x.shape() + " and " + out.dtype() + " " + out.shape());
        }
        mapF32(x, out, 1, (v, len) -> {
            for (int i = 0; i < len; i++) {
                v[i] = Precision.roundToHalf(v[i]);
            }
        });
    }
}
