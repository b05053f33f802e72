// Shared by every Kiln kernel source. Compiled at run time by NVRTC (no system headers available),
// and by nvcc -ptx in CI, so this file and the kernels use only built-in CUDA device functions.
#pragma once

// Every kernel walks its elements with a grid-stride loop, so any grid size is correct.
#define KILN_FOR(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// Extern "C" entry points per element type: NAME##_f32, _f64, _i32, _i64, so that the host looks
// kernels up by plain names.
#define KILN_FLOAT_TYPES(X) X(float, f32) X(double, f64)
#define KILN_ALL_TYPES(X) X(float, f32) X(double, f64) X(int, i32) X(long long, i64)

// Per-channel work on x viewed as [N, C, S] (S = H * W, or 1 for [N, C]): value k (of the M = N * S) of channel c
// is element KILN_CHANNEL_INDEX(k, c, C, S).
#define KILN_CHANNEL_INDEX(k, c, channels, spatial) \
    (((k) / (spatial) * (channels) + (c)) * (spatial) + (k) % (spatial))
// Loops k over the values [first, last) of a channel, each thread of the block taking every blockDim.x-th.
#define KILN_RANGE_LOOP(k, first, last) for (long long k = (first) + threadIdx.x; k < (last); k += blockDim.x)

// Where few channels hold many values each, a channel is cut into parts of a block each: block b of
// channels * parts takes part b % parts of channel b / parts, its values k in [*first, *last) of the channel's m.
__device__ inline void kiln_channel_part(long long b, long long parts, long long m, long long* c, long long* first,
                                         long long* last) {
    long long part = b % parts;
    *c = b / parts;
    *first = part * m / parts;
    *last = (part + 1) * m / parts;
}

// Up to 8 dimensions of a broadcast or permuted walk; passed by value (64 bytes).
struct Dims8 {
    long long v[8];
};

// Offset of output element `index` in an operand with strides `strides` (0 where broadcast).
__device__ inline long long kiln_offset(long long index, int rank, const Dims8& dims, const Dims8& strides) {
    long long offset = 0;
    for (int d = rank - 1; d >= 0; d--) {
        long long c = index % dims.v[d];
        index /= dims.v[d];
        offset += c * strides.v[d];
    }
    return offset;
}

// Arithmetic type of an element type: integers compute in double, as the CPU backend does.
template <typename T> struct Acc { typedef double type; };
template <> struct Acc<float> { typedef float type; };

__device__ inline float k_exp(float x) { return expf(x); }
__device__ inline double k_exp(double x) { return exp(x); }
__device__ inline float k_expm1(float x) { return expm1f(x); }
__device__ inline double k_expm1(double x) { return expm1(x); }
__device__ inline float k_log(float x) { return logf(x); }
__device__ inline double k_log(double x) { return log(x); }
__device__ inline float k_sqrt(float x) { return sqrtf(x); }
__device__ inline double k_sqrt(double x) { return sqrt(x); }
__device__ inline float k_tanh(float x) { return tanhf(x); }
__device__ inline double k_tanh(double x) { return tanh(x); }
// x^0.5 and x^-0.5 as a square root and its reciprocal, as PyTorch and the CPU backend compute them: powf's
// (-0)^0.5 is +0 and (-inf)^0.5 +inf, where PyTorch gives -0 and NaN.
__device__ inline float k_pow(float x, float p) {
    return p == 0.5f ? sqrtf(x) : p == -0.5f ? 1.0f / sqrtf(x) : powf(x, p);
}
__device__ inline double k_pow(double x, double p) {
    return p == 0.5 ? sqrt(x) : p == -0.5 ? 1.0 / sqrt(x) : pow(x, p);
}
__device__ inline float k_erf(float x) { return erff(x); }
__device__ inline double k_erf(double x) { return erf(x); }
__device__ inline float k_abs(float x) { return fabsf(x); }
__device__ inline double k_abs(double x) { return fabs(x); }

// k_NAME(x) as the built-in NAMEf for float and NAME for double.
#define KILN_MATH_1(name) \
    __device__ inline float k_##name(float x) { return name##f(x); } \
    __device__ inline double k_##name(double x) { return name(x); }
KILN_MATH_1(sin) KILN_MATH_1(cos) KILN_MATH_1(tan) KILN_MATH_1(asin) KILN_MATH_1(acos) KILN_MATH_1(atan)
KILN_MATH_1(sinh) KILN_MATH_1(cosh) KILN_MATH_1(asinh) KILN_MATH_1(acosh) KILN_MATH_1(atanh) KILN_MATH_1(log1p)
KILN_MATH_1(log2) KILN_MATH_1(log10) KILN_MATH_1(exp2) KILN_MATH_1(erfc) KILN_MATH_1(floor) KILN_MATH_1(ceil)
KILN_MATH_1(rint) KILN_MATH_1(trunc)
#undef KILN_MATH_1
__device__ inline float k_atan2(float y, float x) { return atan2f(y, x); }
__device__ inline double k_atan2(double y, double x) { return atan2(y, x); }
__device__ inline float k_fmod(float x, float y) { return fmodf(x, y); }
__device__ inline double k_fmod(double x, double y) { return fmod(x, y); }
__device__ inline float k_copysign(float x, float y) { return copysignf(x, y); }
__device__ inline double k_copysign(double x, double y) { return copysign(x, y); }

template <typename A> __device__ inline A k_sigmoid(A x) {
    // The two forms keep exp's argument non-positive: no overflow for large |x|.
    if (x >= A(0)) {
        return A(1) / (A(1) + k_exp(-x));
    }
    A e = k_exp(x);
    return e / (A(1) + e);
}

// Element-wise functions of one argument, shared by the element-wise kernels and those that fuse an activation
// (batch norm's). Op codes are the ordinals of the Java enum dev.kiln.engine.UnaryOp.
enum UnaryCode { NEG, ABS, EXP, LOG, SQRT, POW, TANH, SIGMOID, RELU, LEAKY_RELU, ELU, GELU, GELU_TANH, SILU, SIGN,
                 SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, ASINH, ACOSH, ATANH, LOG1P, EXPM1, LOG2, LOG10, EXP2, ERF,
                 ERFC, FLOOR, CEIL, ROUND, TRUNC, FRAC, RECIPROCAL, RSQRT };

// 2 / sqrt(pi), ln 2 and ln 10: the derivatives of erf, exp2, log2 and log10.
#define KILN_TWO_OVER_SQRT_PI 1.12837916709551257390
#define KILN_LN2 0.69314718055994530942
#define KILN_LN10 2.30258509299404568402

template <typename A> __device__ inline A normal_cdf(A x) {
    return A(0.5) * (A(1) + k_erf(x * A(0.70710678118654752440)));
}

// GELU's tanh approximation as PyTorch computes it (kBeta = sqrt(2 / pi), kKappa = 0.044715): tanh's argument and
// the derivative of 0.5 x (1 + tanh(inner)).
template <typename A> __device__ inline A gelu_tanh_inner(A x) {
    return A(0.79788456080286535588) * (x + A(0.044715) * (x * x * x));
}

template <typename A> __device__ inline A gelu_tanh_derivative(A x) {
    A t = k_tanh(gelu_tanh_inner(x));
    A inner_derivative = A(0.79788456080286535588) * (A(1) + A(3) * A(0.044715) * (x * x));
    return A(0.5) * (A(1) + t) + A(0.5) * x * (A(1) - t * t) * inner_derivative;
}

// SiLU's derivative sigmoid(x) (1 + x (1 - sigmoid(x))); exp(-x) = inf for very negative x gives sigmoid 0, no NaN.
template <typename A> __device__ inline A silu_derivative(A x) {
    A s = A(1) / (A(1) + k_exp(-x));
    return s * (A(1) + x * (A(1) - s));
}

template <typename A> __device__ inline A unary_value(int op, A p, A x) {
    switch (op) {
        case NEG: return -x;
        case ABS: return k_abs(x);
        case EXP: return k_exp(x);
        case LOG: return k_log(x);
        case SQRT: return k_sqrt(x);
        case POW: return p == A(2) ? x * x : k_pow(x, p);
        case TANH: return k_tanh(x);
        case SIGMOID: return k_sigmoid(x);
        case RELU: return x > A(0) || x != x ? x : A(0);  // NaN stays NaN, as Math.max and PyTorch keep it
        case LEAKY_RELU: return x > A(0) ? x : p * x;
        case ELU: return x > A(0) ? x : p * k_expm1(x);
        case GELU: return x * normal_cdf(x);
        case GELU_TANH: return A(0.5) * x * (A(1) + k_tanh(gelu_tanh_inner(x)));
        case SILU: return x / (A(1) + k_exp(-x));
        case SIGN: return x > A(0) ? A(1) : (x < A(0) ? A(-1) : x);
        case SIN: return k_sin(x);
        case COS: return k_cos(x);
        case TAN: return k_tan(x);
        case ASIN: return k_asin(x);
        case ACOS: return k_acos(x);
        case ATAN: return k_atan(x);
        case SINH: return k_sinh(x);
        case COSH: return k_cosh(x);
        case ASINH: return k_asinh(x);
        case ACOSH: return k_acosh(x);
        case ATANH: return k_atanh(x);
        case LOG1P: return k_log1p(x);
        case EXPM1: return k_expm1(x);
        case LOG2: return k_log2(x);
        case LOG10: return k_log10(x);
        case EXP2: return k_exp2(x);
        case ERF: return k_erf(x);
        case ERFC: return k_erfc(x);
        case FLOOR: return k_floor(x);
        case CEIL: return k_ceil(x);
        case ROUND: return k_rint(x);  // halves to even, as PyTorch's round
        case TRUNC: return k_trunc(x);
        case FRAC: return x - k_trunc(x);
        case RECIPROCAL: return A(1) / x;
        case RSQRT: return A(1) / k_sqrt(x);
        default: return x;
    }
}

// d op(x) / dx from the input x and the output y, whichever is cheaper.
template <typename A> __device__ inline A unary_derivative(int op, A p, A x, A y) {
    switch (op) {
        case NEG: return A(-1);
        case ABS: return x > A(0) ? A(1) : (x < A(0) ? A(-1) : A(0));  // PyTorch's sgn: 0 at +-0 and NaN
        case EXP: return y;
        case LOG: return A(1) / x;
        case SQRT: return A(0.5) / y;
        case POW: return p == A(2) ? A(2) * x : p == A(0) ? A(0) : p * k_pow(x, p - A(1));  // x^0: 0, not 0 * inf at 0
        case TANH: return A(1) - y * y;
        case SIGMOID: return y * (A(1) - y);
        case RELU: return x > A(0) || x != x ? A(1) : A(0);
        case LEAKY_RELU: return x > A(0) ? A(1) : p;
        case ELU: return x > A(0) ? A(1) : y + p;
        case GELU: return normal_cdf(x) + x * A(0.39894228040143267794) * k_exp(A(-0.5) * x * x);
        case GELU_TANH: return gelu_tanh_derivative(x);
        case SILU: return silu_derivative(x);
        case SIN: return k_cos(x);
        case COS: return -k_sin(x);
        case TAN: return A(1) + y * y;
        case ASIN: return A(1) / k_sqrt(A(1) - x * x);
        case ACOS: return A(-1) / k_sqrt(A(1) - x * x);
        case ATAN: return A(1) / (A(1) + x * x);
        case SINH: return k_cosh(x);
        case COSH: return k_sinh(x);
        case ASINH: return A(1) / k_sqrt(x * x + A(1));
        case ACOSH: return A(1) / k_sqrt(x * x - A(1));
        case ATANH: return A(1) / (A(1) - x * x);
        case LOG1P: return A(1) / (x + A(1));
        case EXPM1: return y + A(1);
        case LOG2: return A(1) / (x * A(KILN_LN2));
        case LOG10: return A(1) / (x * A(KILN_LN10));
        case EXP2: return y * A(KILN_LN2);
        case ERF: return A(KILN_TWO_OVER_SQRT_PI) * k_exp(-x * x);
        case ERFC: return -A(KILN_TWO_OVER_SQRT_PI) * k_exp(-x * x);
        case FRAC: return A(1);
        case RECIPROCAL: return -(y * y);
        case RSQRT: return A(-0.5) * (y * y * y);
        default: return A(0);  // SIGN and the rounding ops
    }
}

// gradY * op'(x), as unary_backward computes it; x may be the output y where op's derivative follows from it
// (UnaryOp.derivativeFromOutput). ReLU selects instead of multiplying, so that x <= 0 gives exactly 0 even for an
// infinite gradient, and NaN passes the gradient on, as the CPU backend and PyTorch do.
template <typename A> __device__ inline A activation_gradient(int op, A p, A x, A y, A gradY) {
    return op == RELU ? (x > A(0) || x != x ? gradY : A(0)) : gradY * unary_derivative<A>(op, p, x, y);
}

struct KilnSum {
    template <typename A> __device__ A operator()(A a, A b) const { return a + b; }
};
// NaN wins, as Java's Math.max and the CPU backend's reductions: a NaN in b must not be dropped.
struct KilnMax {
    template <typename A> __device__ A operator()(A a, A b) const { return b > a || b != b ? b : a; }
};

#ifdef KILN_HOST_TEST
// The kernels' host tests (kernels/src/test/cpp) run every block as one thread, whose value is the block's.
template <typename A, typename Op> inline A kiln_block_reduce(A value, A*, Op) {
    return value;
}
#else
// Combines `value` over the block with `op`; every thread gets the result. `scratch` holds 32 values;
// blockDim.x must be a multiple of 32.
template <typename A, typename Op> __device__ inline A kiln_block_reduce(A value, A* scratch, Op op) {
    for (int o = 16; o > 0; o >>= 1) {
        value = op(value, __shfl_down_sync(0xffffffffu, value, o));
    }
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = value;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    if (warp == 0) {
        // Lane l combines lane l + o only when that lane holds a warp's result, so lane 0 ends with all of them.
        value = scratch[lane < warps ? lane : 0];
        for (int o = 16; o > 0; o >>= 1) {
            A other = __shfl_down_sync(0xffffffffu, value, o);
            value = lane + o < warps ? op(value, other) : value;
        }
        if (lane == 0) {
            scratch[0] = value;
        }
    }
    __syncthreads();
    return scratch[0];
}
#endif

template <typename A> __device__ inline A kiln_block_sum(A value, A* scratch) {
    return kiln_block_reduce(value, scratch, KilnSum());
}

template <typename A> __device__ inline A kiln_block_max(A value, A* scratch) {
    return kiln_block_reduce(value, scratch, KilnMax());
}
