// elementwise.cu's unary ops and their gradients, binary ops and where with broadcasting, the convolution's bias
// and activation kernels (channel_bias_activation, channel_activation_backward), the dense layer's forward
// (bias_activation) and affine, against formulas written from the CPU backend's semantics (CpuElementwise,
// CpuBiasActivation) and finite differences.
#include "kiln_host.h"
#include "elementwise.cu"

#include <climits>
#include <vector>

struct Activation {
    int op;
    double param;
};

static const Activation ACTIVATIONS[] = {{RELU, 0}, {TANH, 0}, {SIGMOID, 0}, {LEAKY_RELU, 0.1}, {ELU, 1.0}};

static double activate(const Activation& a, double x) {
    switch (a.op) {
        case RELU: return x > 0 ? x : 0;
        case TANH: return tanh(x);
        case SIGMOID: return 1 / (1 + exp(-x));
        case LEAKY_RELU: return x > 0 ? x : a.param * x;
        default: return x > 0 ? x : a.param * (exp(x) - 1);  // ELU
    }
}

// The derivative from the output y alone, as the fused backward kernels take it.
static double derivative(const Activation& a, double y) {
    switch (a.op) {
        case RELU: return y > 0 ? 1 : 0;
        case TANH: return 1 - y * y;
        case SIGMOID: return y * (1 - y);
        case LEAKY_RELU: return y > 0 ? 1 : a.param;
        default: return y > 0 ? 1 : y + a.param;  // ELU
    }
}

static std::vector<double> random_values(long long n) {
    std::vector<double> v(n);
    for (auto& x : v) {
        x = (kiln_random(4001) - 2000) / 500.0;
    }
    return v;
}

static void check_channels() {
    for (int trial = 0; trial < 100; trial++) {
        const Activation& a = ACTIVATIONS[trial % 5];
        long long n = 1 + kiln_random(4), channels = 1 + kiln_random(5), spatial = 1 + kiln_random(20);
        long long size = n * channels * spatial;
        std::vector<double> pre = random_values(size), bias = random_values(channels), out = pre;
        channel_bias_activation_f64(a.op, a.param, out.data(), bias.data(), n, channels, spatial);
        std::vector<double> y(size);
        for (long long q = 0; q < size; q++) {
            y[q] = activate(a, pre[q] + bias[(q / spatial) % channels]);
            KILN_CHECK(kiln_close(out[q], y[q], 1e-14), "channel_bias_activation op %d at %lld: %g, expected %g", a.op,
                       q, out[q], y[q]);
        }
        std::vector<double> gradY = random_values(size), gradPre(size), gradBias(channels);
        channel_activation_backward_f64(a.op, a.param, y.data(), gradY.data(), gradPre.data(), gradBias.data(), n,
                                        channels, spatial);
        std::vector<double> expectedBias(channels, 0.0);
        for (long long q = 0; q < size; q++) {
            double g = gradY[q] * derivative(a, y[q]);
            expectedBias[(q / spatial) % channels] += g;
            KILN_CHECK(kiln_close(gradPre[q], g, 1e-14), "channel_activation_backward op %d at %lld: %g, expected %g",
                       a.op, q, gradPre[q], g);
        }
        for (long long c = 0; c < channels; c++) {
            KILN_CHECK(kiln_close(gradBias[c], expectedBias[c], 1e-12), "conv bias gradient of channel %lld: %g, "
                       "expected %g", c, gradBias[c], expectedBias[c]);
        }
        // The same in parts: the same gradPre, and the parts of a channel add up to its bias gradient.
        long long m = n * spatial;
        long long parts = 1 + kiln_random(m < 5 ? m : 5);
        std::vector<double> partGradPre(size), partials(channels * parts);
        channel_activation_backward_parts_f64(a.op, a.param, y.data(), gradY.data(), partGradPre.data(), n, channels,
                                              spatial, parts, trial % 4 == 0 ? nullptr : partials.data());
        for (long long q = 0; q < size; q++) {
            KILN_CHECK(partGradPre[q] == gradPre[q], "channel_activation_backward_parts op %d at %lld (%lld parts)",
                       a.op, q, parts);
        }
        for (long long c = 0; trial % 4 != 0 && c < channels; c++) {
            double sum = 0;
            for (long long i = 0; i < parts; i++) {
                sum += partials[c * parts + i];
            }
            KILN_CHECK(kiln_close(sum, expectedBias[c], 1e-12), "conv bias gradient of channel %lld in %lld parts: %g,"
                       " expected %g", c, parts, sum, expectedBias[c]);
        }
    }
}

static void check_dense() {
    for (int trial = 0; trial < 100; trial++) {
        const Activation& a = ACTIVATIONS[trial % 5];
        long long rows = 1 + kiln_random(6), cols = 1 + kiln_random(40);
        std::vector<double> x = random_values(rows * cols), bias = random_values(cols), out(rows * cols);
        bias_activation_f64(a.op, a.param, x.data(), bias.data(), out.data(), rows, cols);
        for (long long q = 0; q < rows * cols; q++) {
            double expected = activate(a, x[q] + bias[q % cols]);
            KILN_CHECK(kiln_close(out[q], expected, 1e-14), "bias_activation op %d at %lld: %g, expected %g", a.op, q,
                       out[q], expected);
        }
        std::vector<double> gradY = random_values(rows * cols), gradPre(rows * cols), gradBias(cols);
        bias_activation_backward_f64(a.op, a.param, out.data(), gradY.data(), gradPre.data(), gradBias.data(), rows,
                                     cols);
        std::vector<double> expectedBias(cols, 0.0);
        for (long long q = 0; q < rows * cols; q++) {
            double g = gradY[q] * derivative(a, out[q]);
            expectedBias[q % cols] += g;
            KILN_CHECK(kiln_close(gradPre[q], g, 1e-14), "bias_activation_backward op %d at %lld: %g, expected %g",
                       a.op, q, gradPre[q], g);
        }
        for (long long c = 0; c < cols; c++) {
            KILN_CHECK(kiln_close(gradBias[c], expectedBias[c], 1e-12), "dense bias gradient of column %lld", c);
        }
    }
}

static void check_affine_and_binary() {
    for (int trial = 0; trial < 50; trial++) {
        long long n = 1 + kiln_random(50);
        std::vector<float> x(n), y(n), out(n);
        for (long long i = 0; i < n; i++) {
            x[i] = (float) (kiln_random(2001) - 1000) / 7.0f;
            y[i] = (float) (kiln_random(2001) - 1000) / 9.0f + (kiln_random(2) == 0 ? 0.0f : 200.0f);
        }
        affine_f32(x.data(), -0.5, 3.0, out.data(), n);
        for (long long i = 0; i < n; i++) {
            KILN_CHECK(out[i] == x[i] * -0.5f + 3.0f, "affine at %lld", i);
        }
        const int ops[] = {ADD, SUB, MUL, DIV, MAX, MIN, ATAN2, FMOD};
        for (int op : ops) {
            binary_same_shape_f32(op, x.data(), y.data(), out.data(), n);
            for (long long i = 0; i < n; i++) {
                float a = x[i], b = y[i];
                float expected = op == ADD ? a + b : op == SUB ? a - b : op == MUL ? a * b : op == DIV ? a / b
                        : op == MAX ? (a > b ? a : b) : op == MIN ? (a < b ? a : b) : op == ATAN2 ? atan2f(a, b)
                        : fmodf(a, b);
                KILN_CHECK(out[i] == expected || (out[i] != out[i] && expected != expected),
                           "binary op %d at %lld: %g, expected %g", op, i, (double) out[i],
                           (double) expected);
            }
        }
    }
}

// GELU's tanh approximation, 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), and its derivative, as PyTorch
// writes them, in double.
static double gelu_tanh_reference(double x) {
    return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
}

static double gelu_tanh_derivative_reference(double x) {
    double t = tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * sqrt(2 / M_PI) * (1 + 3 * 0.044715 * x * x);
}

// SiLU x sigmoid(x) and its derivative sigmoid(x) (1 + x (1 - sigmoid(x))), with a sigmoid that never overflows.
static double sigmoid_reference(double x) {
    return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
}

static double silu_reference(double x) {
    return x * sigmoid_reference(x);
}

static double silu_derivative_reference(double x) {
    double s = sigmoid_reference(x);
    return s * (1 + x * (1 - s));
}

static void unary_and_backward(int op, const double* x, double* y, const double* gradY, double* gradX, long long n) {
    unary_f64(op, 0.0, x, y, n);
    unary_backward_f64(op, 0.0, x, y, gradY, gradX, n);
}

static void unary_and_backward(int op, const float* x, float* y, const float* gradY, float* gradX, long long n) {
    unary_f32(op, 0.0, x, y, n);
    unary_backward_f32(op, 0.0, x, y, gradY, gradX, n);
}

static void binary_same_shape_op(int op, const double* a, const double* b, double* out, long long n) {
    binary_same_shape_f64(op, a, b, out, n);
}

static void binary_same_shape_op(int op, const float* a, const float* b, float* out, long long n) {
    binary_same_shape_f32(op, a, b, out, n);
}

static void unary_at(int op, const double* x, double* y) {
    unary_f64(op, 0.0, x, y, 1);
}

static void unary_at(int op, const float* x, float* y) {
    unary_f32(op, 0.0, x, y, 1);
}

// GELU_TANH and SILU in F64 and F32, values and gradients against the double formulas over [-12, 12] and far out,
// where exp and the cube overflow or underflow: finite everywhere, and at +-1000 exactly x above 0 and 0 below,
// with gradients 1 and 0.
template <typename T> static void check_gelu_tanh_and_silu(const char* type, double tolerance) {
    std::vector<T> x = {(T) -1000, (T) -200, (T) -90, (T) -50, (T) 50, (T) 90, (T) 200, (T) 1000};
    for (int i = 0; i <= 240; i++) {
        x.push_back((T) (-12 + i * 0.1 + 0.007));
    }
    long long n = (long long) x.size();
    const int ops[] = {GELU_TANH, SILU};
    for (int op : ops) {
        std::vector<T> y(n), gradY(n, (T) 1), gradX(n);
        unary_and_backward(op, x.data(), y.data(), gradY.data(), gradX.data(), n);
        for (long long i = 0; i < n; i++) {
            double v = x[i];
            double value = op == GELU_TANH ? gelu_tanh_reference(v) : silu_reference(v);
            double slope = op == GELU_TANH ? gelu_tanh_derivative_reference(v) : silu_derivative_reference(v);
            KILN_CHECK(isfinite((double) y[i]) && kiln_close(y[i], value, tolerance),
                       "%s op %d at %g: %.17g, expected %.17g", type, op, v, (double) y[i], value);
            KILN_CHECK(isfinite((double) gradX[i]) && kiln_close(gradX[i], slope, tolerance),
                       "%s op %d gradient at %g: %.17g, expected %.17g", type, op, v, (double) gradX[i], slope);
            if (fabs(v) == 1000) {
                KILN_CHECK(y[i] == (v > 0 ? v : 0) && gradX[i] == (v > 0 ? 1 : 0),
                           "%s op %d at %g: %g, gradient %g; expected x above 0 and 0 below, gradients 1 and 0", type,
                           op, v, (double) y[i], (double) gradX[i]);
            }
        }
    }
}

// Every unary op's value by the formula the CPU's CpuElementwise.forward computes (C's libm here).
static double unary_reference(int op, double param, double v) {
    switch (op) {
        case NEG: return -v;
        case ABS: return fabs(v);
        case EXP: return exp(v);
        case LOG: return log(v);
        case SQRT: return sqrt(v);
        case POW: return pow(v, param);
        case TANH: return tanh(v);
        case SIGMOID: return 1 / (1 + exp(-v));
        case RELU: return v > 0 ? v : 0;
        case LEAKY_RELU: return v > 0 ? v : param * v;
        case ELU: return v > 0 ? v : param * expm1(v);
        case GELU: return v * 0.5 * (1 + erf(v / sqrt(2.0)));
        case GELU_TANH: return gelu_tanh_reference(v);
        case SILU: return silu_reference(v);
        case SIGN: return v > 0 ? 1 : -1;
        case SIN: return sin(v);
        case COS: return cos(v);
        case TAN: return tan(v);
        case ASIN: return asin(v);
        case ACOS: return acos(v);
        case ATAN: return atan(v);
        case SINH: return sinh(v);
        case COSH: return cosh(v);
        case ASINH: return asinh(v);
        case ACOSH: return acosh(v);
        case ATANH: return atanh(v);
        case LOG1P: return log1p(v);
        case EXPM1: return expm1(v);
        case LOG2: return log2(v);
        case LOG10: return log10(v);
        case EXP2: return exp2(v);
        case ERF: return erf(v);
        case ERFC: return erfc(v);
        case FLOOR: return floor(v);
        case CEIL: return ceil(v);
        case ROUND: return nearbyint(v);
        case TRUNC: return trunc(v);
        case FRAC: return v - trunc(v);
        case RECIPROCAL: return 1 / v;
        default: return 1 / sqrt(v);  // RSQRT
    }
}

// The points each op is checked at: 41 in (-2, 2), never exactly 0 or an integer (kinks and the rounding ops' steps
// stay out), inside the domain: (0, 4) for log, sqrt, log2, log10 and rsqrt, (-1, 1) for asin, acos, atanh and
// log1p, (1, 3) for acosh.
static double unary_point(int op, size_t i) {
    switch (op) {
        case LOG: case SQRT: case LOG2: case LOG10: case RSQRT: return 0.05 + i * 0.1;
        case ASIN: case ACOS: case ATANH: case LOG1P: return -0.95 + i * 0.0475;
        case ACOSH: return 1.05 + i * 0.0475;
        default: return -2.0 + i * 0.1 + 0.013;
    }
}

// Every unary op against its formula, and unary_backward against central finite differences of the unary kernel
// itself in F64 (0 for the rounding ops, 1 for frac).
static void check_unary() {
    const int ops[] = {NEG, ABS, EXP, LOG, SQRT, POW, TANH, SIGMOID, RELU, LEAKY_RELU, ELU, GELU, GELU_TANH, SILU, SIGN,
                       SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, ASINH, ACOSH, ATANH, LOG1P, EXPM1, LOG2, LOG10, EXP2,
                       ERF, ERFC, FLOOR, CEIL, ROUND, TRUNC, FRAC, RECIPROCAL, RSQRT};
    for (int op : ops) {
        double param = op == POW ? 3.0 : op == LEAKY_RELU ? 0.1 : op == ELU ? 1.5 : 0.0;
        std::vector<double> x(41), y(41), gradY(41), gradX(41);
        for (size_t i = 0; i < x.size(); i++) {
            x[i] = unary_point(op, i);
            gradY[i] = 1.0;
        }
        unary_f64(op, param, x.data(), y.data(), (long long) x.size());
        unary_backward_f64(op, param, x.data(), y.data(), gradY.data(), gradX.data(), (long long) x.size());
        for (size_t i = 0; i < x.size(); i++) {
            double v = x[i];
            double expected = unary_reference(op, param, v);
            KILN_CHECK(kiln_close(y[i], expected, 1e-14), "unary op %d at %g: %.17g, expected %.17g", op, v, y[i],
                       expected);
            double step = 1e-6, up, down;
            double xs[2] = {v + step, v - step};
            double ys[2];
            unary_f64(op, param, xs, ys, 2);
            up = ys[0];
            down = ys[1];
            double numeric = (up - down) / (2 * step);
            KILN_CHECK(kiln_close(gradX[i], numeric, 1e-6), "unary_backward op %d at %g: %.10g, numeric %.10g", op, v,
                       gradX[i], numeric);
        }
    }
}

// PyTorch's values at the edges, in F32 and F64: NaN outside a domain, infinities at its ends, round's halves to
// even, and the signed zeros of the rounding ops.
template <typename T> static void check_unary_edges(const char* type) {
    struct Edge {
        int op;
        double x, expected;
    };
    const double inf = INFINITY, nan = NAN;
    const Edge edges[] = {{ASIN, 2, nan}, {ACOS, -2, nan}, {ATANH, 1, inf}, {ATANH, -1, -inf}, {ATANH, 2, nan},
                          {ACOSH, 0.5, nan}, {ACOSH, 1, 0}, {LOG1P, -1, -inf}, {LOG1P, -2, nan}, {LOG2, 0, -inf},
                          {LOG10, -1, nan}, {EXP2, -inf, 0}, {EXP2, 10, 1024}, {ERF, inf, 1}, {ERFC, -inf, 2},
                          {ERFC, inf, 0}, {ROUND, 0.5, 0}, {ROUND, 1.5, 2}, {ROUND, 2.5, 2}, {ROUND, -0.5, -0.0},
                          {FLOOR, -0.5, -1}, {CEIL, -0.5, -0.0}, {TRUNC, -1.5, -1}, {FRAC, -1.25, -0.25},
                          {FRAC, inf, nan}, {RECIPROCAL, 0, inf}, {RECIPROCAL, -0.0, -inf}, {RSQRT, 0, inf},
                          {RSQRT, -1, nan}, {SIN, inf, nan}, {ASINH, -inf, -inf}};
    for (const Edge& e : edges) {
        T x = (T) e.x, y;
        unary_at(e.op, &x, &y);
        bool same = e.expected != e.expected ? y != y
                : (double) y == e.expected && signbit((double) y) == signbit(e.expected);
        KILN_CHECK(same, "%s unary op %d at %g: %g, expected %g", type, e.op, e.x, (double) y, e.expected);
    }
}

// x^0 is 1 everywhere, so its gradient is 0, also at x = 0, where p * x^(p - 1) would be 0 * inf (PyTorch gives 0).
static void check_pow_of_zero_exponent() {
    double x[3] = {0.0, 2.0, -1.0}, y[3], gradY[3] = {1.0, 1.0, 1.0}, gradX[3];
    unary_f64(POW, 0.0, x, y, 3);
    unary_backward_f64(POW, 0.0, x, y, gradY, gradX, 3);
    for (int i = 0; i < 3; i++) {
        KILN_CHECK(y[i] == 1.0 && gradX[i] == 0.0, "pow 0 at %g: %g, gradient %g; expected 1 and 0", x[i], y[i], gradX[i]);
    }
}

// Broadcasting by strides: out [2, 3, 4] = op(a [2, 3, 4], b [3, 1]), a row vector b [4], and where with a
// broadcast condition; a transpose by strided_copy.
static void check_broadcast() {
    Dims8 dims = {{2, 3, 4}};
    Dims8 full = {{12, 4, 1}};
    Dims8 column = {{0, 1, 0}};
    Dims8 row = {{0, 0, 1}};
    std::vector<double> a(24), b(3), r(4), out(24);
    for (int i = 0; i < 24; i++) {
        a[i] = i * 1.5 - 7;
    }
    for (int i = 0; i < 3; i++) {
        b[i] = 10.0 * (i + 1);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = i - 1.5;
    }
    binary_f64(SUB, a.data(), b.data(), out.data(), 24, 3, dims, full, column);
    for (int i = 0; i < 24; i++) {
        KILN_CHECK(out[i] == a[i] - b[(i / 4) % 3], "broadcast column at %d", i);
    }
    binary_f64(MUL, a.data(), r.data(), out.data(), 24, 3, dims, full, row);
    for (int i = 0; i < 24; i++) {
        KILN_CHECK(out[i] == a[i] * r[i % 4], "broadcast row at %d", i);
    }
    where_f64(r.data(), a.data(), b.data(), out.data(), 24, 3, dims, row, full, column);
    for (int i = 0; i < 24; i++) {
        KILN_CHECK(out[i] == (r[i % 4] != 0 ? a[i] : b[(i / 4) % 3]), "where at %d", i);
    }
}

// remainder and floor_divide with operands of either sign and a zero divisor, as PyTorch (and Python's % and //) give
// them: the remainder takes the divisor's sign, the quotient is floored, x / 0 is NaN and +-inf.
template <typename T> static void check_remainder_and_floor_divide(const char* type) {
    const T inf = (T) INFINITY, nan = (T) NAN;
    const T a[] = {5, -5, 5, -5, (T) 5.5, 3, -3, 0, -4, 5, -5};
    const T b[] = {3, 3, -3, -3, 2, 0, 0, 0, 2, inf, inf};
    const T remainder[] = {2, 1, -1, -2, (T) 1.5, nan, nan, nan, -0.0f, 5, inf};
    const T floor_divide[] = {1, -2, -2, 1, 2, inf, -inf, nan, -2, 0, -1};
    const int n = 11;
    T out[n];
    binary_same_shape_op(REMAINDER, a, b, out, n);
    for (int i = 0; i < n; i++) {
        bool same = remainder[i] != remainder[i] ? out[i] != out[i] : out[i] == remainder[i];
        KILN_CHECK(same, "%s remainder(%g, %g): %g, expected %g", type, (double) a[i], (double) b[i], (double) out[i],
                   (double) remainder[i]);
    }
    binary_same_shape_op(FLOOR_DIVIDE, a, b, out, n);
    for (int i = 0; i < n; i++) {
        bool same = floor_divide[i] != floor_divide[i] ? out[i] != out[i] : out[i] == floor_divide[i];
        KILN_CHECK(same, "%s floor_divide(%g, %g): %g, expected %g", type, (double) a[i], (double) b[i],
                   (double) out[i], (double) floor_divide[i]);
    }
}

// Integer floor_divide, remainder and fmod in the integer type, as the CPU backend's (Math.floorDiv, Math.floorMod,
// Java's %): exact beyond 2^53, where a double rounds 2^53 + 1 to 2^53; MIN / -1 wrapping to MIN; and the values the
// kernel defines for a zero divisor, which the CPU backend refuses: quotient -1, remainders the dividend.
static void check_integer_division() {
    const long long MIN = (long long) (1ULL << 63), TWO_53 = 1LL << 53;
    const long long a[] = {7, -7, 7, -7, TWO_53 + 1, MIN, MIN, MIN + 1, 0, 5, -5};
    const long long b[] = {2, 2, -2, -2, 2, -1, 3, -7, 5, 0, 0};
    const long long floor_divide[] = {3, -4, -4, 3, TWO_53 / 2, MIN, -3074457345618258603LL, 1317624576693539401LL, 0,
                                      -1, -1};
    const long long remainder[] = {1, 1, -1, -1, 1, 0, 1, 0, 0, 5, -5};
    const long long fmod[] = {1, -1, 1, -1, 1, 0, -2, 0, 0, 5, -5};
    const int n = 11;
    long long out[n];
    const int ops[] = {FLOOR_DIVIDE, REMAINDER, FMOD};
    const long long* expected[] = {floor_divide, remainder, fmod};
    for (int k = 0; k < 3; k++) {
        binary_same_shape_i64(ops[k], a, b, out, n);
        for (int i = 0; i < n; i++) {
            KILN_CHECK(out[i] == expected[k][i], "i64 op %d (%lld, %lld): %lld, expected %lld", ops[k], a[i], b[i],
                       out[i], expected[k][i]);
        }
    }
    const int ai[] = {INT_MIN, -7, 2147483647};
    const int bi[] = {-1, 2, -2};
    const int floor_divide_i32[] = {INT_MIN, -4, -1073741824};
    int outi[3];
    binary_same_shape_i32(FLOOR_DIVIDE, ai, bi, outi, 3);
    for (int i = 0; i < 3; i++) {
        KILN_CHECK(outi[i] == floor_divide_i32[i], "i32 floor_divide(%d, %d): %d, expected %d", ai[i], bi[i], outi[i],
                   floor_divide_i32[i]);
    }
}

int main() {
    check_unary();
    check_unary_edges<double>("f64");
    check_unary_edges<float>("f32");
    check_remainder_and_floor_divide<double>("f64");
    check_remainder_and_floor_divide<float>("f32");
    check_integer_division();
    check_gelu_tanh_and_silu<double>("f64", 1e-14);
    check_gelu_tanh_and_silu<float>("f32", 2e-6);
    check_pow_of_zero_exponent();
    check_broadcast();
    check_channels();
    check_dense();
    check_affine_and_binary();
    printf("unary ops forward (formulas) and backward (finite differences), their edge values, remainder and"
           " floor_divide, integer floor_divide, remainder and fmod, gelu_tanh and silu far out, broadcast binary ops and where, convolution"
           " and dense bias and activation forward and backward, affine and binary ops: %d failures\n", kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
