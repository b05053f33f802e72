package dev.kiln.nn.init;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * In-place initialisers for an existing parameter, after PyTorch's {@code torch.nn.init}: each
 * overwrites the tensor's values (under {@link Autograd#noGrad()}, with {@link Tensor#assign}) from the
 * engine's seeded random stream and returns the tensor.
 *
 * <p>Fans follow PyTorch: for a 2-D weight [out, in], {@code fanIn = in} and {@code fanOut = out}; for
 * more dimensions ([out, in, kh, kw]) both are multiplied by the receptive field (the product of
 * dimensions 2..). Tensors of fewer than 2 dimensions have no fans.
 */
public final class Init {
    /** Which fan a Kaiming initialiser scales by, PyTorch's {@code mode}. */
    public enum FanMode {
        /** Preserves the variance of the activations in the forward pass (PyTorch's default). */
        FAN_IN,
        /** Preserves the variance of the gradients in the backward pass. */
        FAN_OUT
    }

    /** The slope {@code calculate_gain('leaky_relu')} assumes when given none. */
    private static final double DEFAULT_LEAKY_RELU_SLOPE = 0.01;

    private Init() {
    }

    // ---- Fans and gains -----------------------------------------------------------------------------

    /** {@code dim(1) * receptive field}. */
    public static long fanIn(Tensor t) {
        requireFans(t);
        return (long) t.dim(1) * receptiveField(t);
    }

    /** {@code dim(0) * receptive field}. */
    public static long fanOut(Tensor t) {
        requireFans(t);
        return (long) t.dim(0) * receptiveField(t);
    }

    private static long receptiveField(Tensor t) {
        long r = 1;
        for (int i = 2; i < t.rank(); i++) {
            r *= t.dim(i);
        }
        return r;
    }

    private static void requireFans(Tensor t) {
        if (t.rank() < 2) {
            throw new IllegalArgumentException("Init: fan in and fan out need a tensor of at least 2 dimensions, got "
                    + t.shape());
        }
    }

    /**
     * PyTorch's {@code calculate_gain}: linear, convolutions (also transposed) and sigmoid 1, tanh 5/3, relu sqrt 2,
     * selu 3/4, leaky_relu {@link #leakyReluGain} of PyTorch's default slope 0.01 (other slopes: call that).
     */
    public static double gain(String nonlinearity) {
        return switch (nonlinearity) {
            case "linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> leakyReluGain(DEFAULT_LEAKY_RELU_SLOPE);
            case "selu" -> 0.75;
            default -> throw new IllegalArgumentException("Init.gain: unknown nonlinearity '" + nonlinearity + "'");
        };
    }

    /** {@code sqrt(2 / (1 + slope^2))}, the gain for leaky ReLU. */
    public static double leakyReluGain(double slope) {
        return Math.sqrt(2.0 / (1 + slope * slope));
    }

    // ---- Constant and plain random ------------------------------------------------------------------

    /** All zeros. */
    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    /** All ones. */
    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /** Every element {@code value}. */
    public static Tensor constant(Tensor t, double value) {
        return fill(t, () -> Tensor.full(value, t.dtype(), t.shape().dims()));
    }

    /** Normal with mean {@code mean} and standard deviation {@code std}. */
    public static Tensor normal(Tensor t, double mean, double std) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("Init.normal: std must be >= 0, got " + std);
        }
        return fill(t, () -> Tensor.normal(mean, std, t.dtype(), t.shape().dims()));
    }

    /** Uniform in [a, b). */
    public static Tensor uniform(Tensor t, double a, double b) {
        if (!(a <= b)) {
            throw new IllegalArgumentException("Init.uniform: needs a <= b, got [" + a + ", " + b + ")");
        }
        return fill(t, () -> Tensor.uniform(a, b, t.dtype(), t.shape().dims()));
    }

    // ---- Xavier / Glorot ----------------------------------------------------------------------------

    /** Xavier/Glorot uniform with gain 1: bound {@code sqrt(6 / (fanIn + fanOut))}. */
    public static Tensor xavierUniform(Tensor t) {
        return xavierUniform(t, 1.0);
    }

    /** {@code torch.nn.init.xavier_uniform_}: bound {@code gain * sqrt(6 / (fanIn + fanOut))}. */
    public static Tensor xavierUniform(Tensor t, double gain) {
        double bound = gain * Math.sqrt(6.0 / (fanIn(t) + fanOut(t)));
        return uniform(t, -bound, bound);
    }

    /** Xavier/Glorot normal with gain 1: std {@code sqrt(2 / (fanIn + fanOut))}. */
    public static Tensor xavierNormal(Tensor t) {
        return xavierNormal(t, 1.0);
    }

    /** {@code torch.nn.init.xavier_normal_}: std {@code gain * sqrt(2 / (fanIn + fanOut))}. */
    public static Tensor xavierNormal(Tensor t, double gain) {
        double std = gain * Math.sqrt(2.0 / (fanIn(t) + fanOut(t)));
        return normal(t, 0, std);
    }

    // ---- He / Kaiming -------------------------------------------------------------------------------

    /**
     * He/Kaiming uniform, {@code kaiming_uniform_(mode='fan_in', nonlinearity='relu')}: bound
     * {@code sqrt(2) * sqrt(3 / fanIn) = sqrt(6 / fanIn)}.
     */
    public static Tensor heUniform(Tensor t) {
        double bound = Math.sqrt(2.0) * Math.sqrt(3.0 / fanIn(t));
        return uniform(t, -bound, bound);
    }

    /** He/Kaiming normal, {@code kaiming_normal_(mode='fan_in', nonlinearity='relu')}: std {@code sqrt(2 / fanIn)}. */
    public static Tensor heNormal(Tensor t) {
        return normal(t, 0, Math.sqrt(2.0) / Math.sqrt(fanIn(t)));
    }

    /**
     * {@code kaiming_uniform_(a=a, mode='fan_in', nonlinearity='leaky_relu')}: bound
     * {@code sqrt(2 / (1 + a^2)) * sqrt(3 / fanIn)}. With {@code a = sqrt(5)} this is PyTorch's default for
     * Linear and Conv weights, uniform in +-1/sqrt(fanIn).
     */
    public static Tensor kaimingUniform(Tensor t, double a) {
        double bound = leakyReluGain(a) * Math.sqrt(3.0 / fanIn(t));
        return uniform(t, -bound, bound);
    }

    /**
     * {@code torch.nn.init.kaiming_uniform_(t, a, mode, nonlinearity)}: bound {@code gain * sqrt(3 / fan)}, the gain
     * {@link #leakyReluGain}(a) for "leaky_relu" and {@link #gain}(nonlinearity) otherwise (a is then unused).
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, String nonlinearity) {
        double bound = kaimingGain(a, nonlinearity) * Math.sqrt(3.0 / fan(t, mode));
        return uniform(t, -bound, bound);
    }

    /** {@code torch.nn.init.kaiming_normal_(t, a, mode, nonlinearity)}: std {@code gain / sqrt(fan)}, gain as kaimingUniform's. */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, String nonlinearity) {
        return normal(t, 0, kaimingGain(a, nonlinearity) / Math.sqrt(fan(t, mode)));
    }

    private static double kaimingGain(double a, String nonlinearity) {
        if (nonlinearity == null) {
            throw new IllegalArgumentException("Init.kaiming: nonlinearity must be named (as PyTorch's 'leaky_relu',"
                    + " its default, or 'relu'), got null");
        }
        return nonlinearity.equals("leaky_relu") ? leakyReluGain(a) : gain(nonlinearity);
    }

    private static long fan(Tensor t, FanMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("Init.kaiming: mode must be FAN_IN or FAN_OUT (PyTorch's 'fan_in',"
                    + " 'fan_out'), got null");
        }
        return mode == FanMode.FAN_IN ? fanIn(t) : fanOut(t);
    }

    // ---- LeCun --------------------------------------------------------------------------------------

    /** LeCun normal (for SELU networks): std {@code 1 / sqrt(fanIn)}, not truncated. */
    public static Tensor lecunNormal(Tensor t) {
        return normal(t, 0, 1 / Math.sqrt(fanIn(t)));
    }

    /** LeCun uniform: bound {@code sqrt(3 / fanIn)}, so the variance is {@code 1 / fanIn}. */
    public static Tensor lecunUniform(Tensor t) {
        double bound = Math.sqrt(3.0 / fanIn(t));
        return uniform(t, -bound, bound);
    }

    // ---- Orthogonal ---------------------------------------------------------------------------------

    /** {@link #orthogonal(Tensor, double)} with gain 1. */
    public static Tensor orthogonal(Tensor t) {
        return orthogonal(t, 1.0);
    }

    /**
     * {@code torch.nn.init.orthogonal_}: the tensor viewed as [rows = dim(0), cols = rest] is filled with
     * {@code gain * Q}, Q from {@link Linalg#qr} of a standard normal matrix (transposed first when rows &lt; cols),
     * with each column of Q multiplied by the sign of R's diagonal so that the result is uniformly distributed, as
     * PyTorch's. Rows are orthonormal when rows &lt;= cols ({@code W W^T = I}), columns otherwise
     * ({@code W^T W = I}). The QR runs in double precision.
     */
    public static Tensor orthogonal(Tensor t, double gain) {
        if (t.rank() < 2) {
            throw new IllegalArgumentException("Init.orthogonal: needs at least 2 dimensions, got " + t.shape());
        }
        int rows = t.dim(0);
        long colsLong = t.size() / Math.max(rows, 1);
        if (colsLong > Integer.MAX_VALUE || (long) rows * colsLong > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Init.orthogonal: " + t.shape() + " is too large");
        }
        int cols = (int) colsLong;
        if (rows == 0 || cols == 0) {
            return t;
        }
        return fill(t, () -> {
            Tensor normal = Tensor.normal(0, 1, t.dtype(), rows, cols).to(DType.F64);
            boolean transposed = rows < cols;
            Linalg.QR qr = Linalg.qr(transposed ? normal.t() : normal);
            Tensor q = qr.q().mul(qr.r().diagonal(0, 0, 1).sign().unsqueeze(0));
            return (transposed ? q.t() : q).mul(gain).reshape(t.shape().dims()).to(t.dtype());
        });
    }

    // ---- Plumbing -----------------------------------------------------------------------------------

    private static Tensor fill(Tensor t, java.util.function.Supplier<Tensor> values) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("Init: needs an F32 or F64 tensor, got " + t.dtype() + " " + t.shape());
        }
        if (!t.isLeaf()) {
            throw new IllegalArgumentException("Init: tensor " + t.shape() + " was made by " + t.gradFnName()
                    + "; initialise parameters (leaf tensors) only");
        }
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            t.assign(values.get());
        }
        return t;
    }
}
