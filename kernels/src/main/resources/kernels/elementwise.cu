// Element-wise functions (Backend SPI section 3). Op codes are the ordinals of the Java enums
// dev.kiln.engine.UnaryOp and dev.kiln.engine.BinaryOp; a launch's op is uniform, so the switch costs
// no divergence.
#include "kiln_common.cuh"

enum BinaryCode { ADD, SUB, MUL, DIV, MAX, MIN, ATAN2, POWER, FMOD, REMAINDER, FLOOR_DIVIDE, EQ, NE, LT, LE, GT, GE };

template <typename T> __device__ void unary_impl(int op, double param, const T* x, T* out, long long n) {
    T p = (T) param;
    KILN_FOR(i, n) {
        out[i] = unary_value<T>(op, p, x[i]);
    }
}

template <typename T> __device__ void unary_backward_impl(int op, double param, const T* x, const T* y,
                                                         const T* gradY, T* gradX, long long n) {
    T p = (T) param;
    KILN_FOR(i, n) {
        gradX[i] = activation_gradient<T>(op, p, x[i], y[i], gradY[i]);
    }
}

#define KILN_UNARY(T, S) \
    extern "C" __global__ void unary_##S(int op, double param, const T* x, T* out, long long n) { \
        unary_impl<T>(op, param, x, out, n); \
    } \
    extern "C" __global__ void unary_backward_##S(int op, double param, const T* x, const T* y, \
                                                  const T* gradY, T* gradX, long long n) { \
        unary_backward_impl<T>(op, param, x, y, gradY, gradX, n); \
    }
KILN_FLOAT_TYPES(KILN_UNARY)

// out[r, c] = op(x[r, c] + bias[c]) for x and out [rows, cols] (out may be x): a dense layer's bias and
// activation in one pass, rounded as binary ADD followed by unary would round them.
template <typename T> __device__ void bias_activation_impl(int op, double param, const T* x, const T* bias, T* out,
                                                          long long rows, long long cols) {
    T p = (T) param;
    KILN_FOR(i, rows * cols) {
        out[i] = unary_value<T>(op, p, x[i] + bias[i % cols]);
    }
}

// gradPre = gradY * op'(pre) from y = op(pre) [rows, cols], for ops whose derivative y determines (y stands in
// for x as unary_backward reads it), and gradBias[c] = the sum over rows of gradPre[., c] in double, unless
// gradBias is null. A block takes 32 columns, one per lane; its warps walk the rows warps apart, and their
// partial sums meet in shared memory. Meant for few rows (a batch); the backend sends long columns to
// unary_backward and the column-parts reduction instead. A block of fewer than 32 threads (the host tests' one)
// takes as many columns as it has threads.
template <typename T> __device__ void bias_activation_backward_impl(int op, double param, const T* y,
                                                                   const T* gradY, T* gradPre, T* gradBias,
                                                                   long long rows, long long cols) {
    __shared__ double partial[32][33];
    T p = (T) param;
    int lanes = blockDim.x < 32 ? (int) blockDim.x : 32;
    int lane = threadIdx.x % lanes;
    int warp = threadIdx.x / lanes;
    int warps = blockDim.x / lanes;
    for (long long first = (long long) blockIdx.x * lanes; first < cols; first += (long long) gridDim.x * lanes) {
        long long c = first + lane;
        double acc = 0.0;
        if (c < cols) {
            for (long long r = warp; r < rows; r += warps) {
                long long i = r * cols + c;
                T g = activation_gradient<T>(op, p, y[i], y[i], gradY[i]);
                gradPre[i] = g;
                acc += (double) g;
            }
        }
        partial[warp][lane] = acc;
        __syncthreads();
        if (warp == 0 && c < cols && gradBias != nullptr) {
            double sum = 0.0;
            for (int w = 0; w < warps; w++) {
                sum += partial[w][lane];
            }
            gradBias[c] = (T) sum;
        }
        __syncthreads();
    }
}

#define KILN_BIAS_ACTIVATION(T, S) \
    extern "C" __global__ void bias_activation_##S(int op, double param, const T* x, const T* bias, T* out, \
                                                   long long rows, long long cols) { \
        bias_activation_impl<T>(op, param, x, bias, out, rows, cols); \
    } \
    extern "C" __global__ void bias_activation_backward_##S(int op, double param, const T* y, const T* gradY, \
                                                            T* gradPre, T* gradBias, long long rows, \
                                                            long long cols) { \
        bias_activation_backward_impl<T>(op, param, y, gradY, gradPre, gradBias, rows, cols); \
    }
KILN_FLOAT_TYPES(KILN_BIAS_ACTIVATION)

// out[n, c, s] = op(out[n, c, s] + bias[c]) in place (bias may be null): a convolution's bias and activation
// in one pass, rounded as bias_add followed by unary would round them.
template <typename T> __device__ void channel_bias_activation_impl(int op, double param, T* out, const T* bias,
                                                                  long long n, long long channels,
                                                                  long long spatial) {
    T p = (T) param;
    KILN_FOR(q, n * channels * spatial) {
        T pre = bias == nullptr ? out[q] : out[q] + bias[(q / spatial) % channels];
        out[q] = unary_value<T>(op, p, pre);
    }
}

// gradPre = gradY * op'(pre) from y = op(pre) [n, channels, spatial] (as bias_activation_backward, per channel),
// and gradBias[c] = the sum of channel c's gradPre in double unless gradBias is null: one block per channel.
template <typename T> __device__ void channel_activation_backward_impl(int op, double param, const T* y,
                                                                      const T* gradY, T* gradPre, T* gradBias,
                                                                      long long n, long long channels,
                                                                      long long spatial) {
    __shared__ double scratch[32];
    T p = (T) param;
    for (long long c = blockIdx.x; c < channels; c += gridDim.x) {
        double sum = 0.0;
        for (long long k = threadIdx.x; k < n * spatial; k += blockDim.x) {
            long long i = (k / spatial * channels + c) * spatial + k % spatial;
            T g = activation_gradient<T>(op, p, y[i], y[i], gradY[i]);
            gradPre[i] = g;
            sum += (double) g;
        }
        sum = kiln_block_sum<double>(sum, scratch);
        if (threadIdx.x == 0 && gradBias != nullptr) {
            gradBias[c] = (T) sum;
        }
    }
}

// channel_activation_backward over one part of a channel (see kiln_channel_part): gradPre for the part's values,
// and their sum in double into partials[b] unless partials is null (no bias); channel_sum_finish adds a channel's
// parts. For few channels of many values, which one block per channel would leave most of the device idle.
template <typename T> __device__ void channel_activation_backward_parts_impl(int op, double param, const T* y,
                                                                            const T* gradY, T* gradPre, long long n,
                                                                            long long channels, long long spatial,
                                                                            long long parts, double* partials) {
    __shared__ double scratch[32];
    T p = (T) param;
    for (long long b = blockIdx.x; b < channels * parts; b += gridDim.x) {
        long long c, first, last;
        kiln_channel_part(b, parts, n * spatial, &c, &first, &last);
        double sum = 0.0;
        KILN_RANGE_LOOP(k, first, last) {
            long long i = KILN_CHANNEL_INDEX(k, c, channels, spatial);
            T g = activation_gradient<T>(op, p, y[i], y[i], gradY[i]);
            gradPre[i] = g;
            sum += (double) g;
        }
        sum = kiln_block_sum<double>(sum, scratch);
        if (threadIdx.x == 0 && partials != nullptr) {
            partials[b] = sum;
        }
    }
}

#define KILN_CHANNEL_ACTIVATION(T, S) \
    extern "C" __global__ void channel_bias_activation_##S(int op, double param, T* out, const T* bias, long long n, \
                                                           long long channels, long long spatial) { \
        channel_bias_activation_impl<T>(op, param, out, bias, n, channels, spatial); \
    } \
    extern "C" __global__ void channel_activation_backward_##S(int op, double param, const T* y, const T* gradY, \
                                                               T* gradPre, T* gradBias, long long n, \
                                                               long long channels, long long spatial) { \
        channel_activation_backward_impl<T>(op, param, y, gradY, gradPre, gradBias, n, channels, spatial); \
    } \
    extern "C" __global__ void channel_activation_backward_parts_##S(int op, double param, const T* y, \
                                                                     const T* gradY, T* gradPre, long long n, \
                                                                     long long channels, long long spatial, \
                                                                     long long parts, double* partials) { \
        channel_activation_backward_parts_impl<T>(op, param, y, gradY, gradPre, n, channels, spatial, parts, \
                                                  partials); \
    }
KILN_FLOAT_TYPES(KILN_CHANNEL_ACTIVATION)

template <typename T> __device__ void affine_impl(const T* x, double scale, double shift, T* out, long long n) {
    typedef typename Acc<T>::type A;
    A s = (A) scale;
    A b = (A) shift;
    KILN_FOR(i, n) {
        out[i] = (T) ((A) x[i] * s + b);
    }
}
#define KILN_AFFINE(T, S) \
    extern "C" __global__ void affine_##S(const T* x, double scale, double shift, T* out, long long n) { \
        affine_impl<T>(x, scale, shift, out, n); \
    }
KILN_ALL_TYPES(KILN_AFFINE)

// Python's x % y as PyTorch computes it for floats: fmod moved by y where its sign differs from y's.
template <typename A> __device__ inline A kiln_remainder(A x, A y) {
    A mod = k_fmod(x, y);
    return mod != A(0) && (y < A(0)) != (mod < A(0)) ? mod + y : mod;
}

// floor(x / y) as PyTorch's div_floor_floating: from fmod, so that a quotient just below an integer is not rounded
// up to it by the division; x / y for y = 0, and a zero with the sign of x / y.
template <typename A> __device__ inline A kiln_floor_divide(A x, A y) {
    if (y == A(0)) {
        return x / y;
    }
    A mod = k_fmod(x, y);
    A div = (x - mod) / y;
    if (mod != A(0) && (y < A(0)) != (mod < A(0))) {
        div -= A(1);
    }
    if (div == A(0)) {
        return k_copysign(A(0), x / y);
    }
    A floor = k_floor(div);
    return div - floor > A(0.5) ? floor + A(1) : floor;
}

// C's pow, as PyTorch's pow of two tensors; not k_pow, which takes x^0.5 as a square root as PyTorch's pow by a
// number does ((-0)^0.5 is -0 there, +0 here).
__device__ inline float c_pow(float x, float y) { return powf(x, y); }
__device__ inline double c_pow(double x, double y) { return pow(x, y); }

template <typename A> __device__ inline A binary_value(int op, A x, A y) {
    switch (op) {
        case ADD: return x + y;
        case SUB: return x - y;
        case MUL: return x * y;
        case DIV: return x / y;
        // As Math.max and Math.min: NaN wins, and +0 is above -0 (x + y and -(-x + -y) pick the sign of two zeros).
        case MAX: return x != x ? x : (y != y ? y : (x > y ? x : (y > x ? y : (x == A(0) ? x + y : x))));
        case MIN: return x != x ? x : (y != y ? y : (x < y ? x : (y < x ? y : (x == A(0) ? -(-x + -y) : x))));
        case ATAN2: return k_atan2(x, y);
        case POWER: return c_pow(x, y);
        case FMOD: return k_fmod(x, y);
        case REMAINDER: return kiln_remainder(x, y);
        case FLOOR_DIVIDE: return kiln_floor_divide(x, y);
        case EQ: return x == y ? A(1) : A(0);
        case NE: return x != y ? A(1) : A(0);
        case LT: return x < y ? A(1) : A(0);
        case LE: return x <= y ? A(1) : A(0);
        case GT: return x > y ? A(1) : A(0);
        case GE: return x >= y ? A(1) : A(0);
        default: return x;
    }
}

// op(x, y) of one element, in the type Acc gives T.
template <typename T> __device__ inline T binary_element(int op, T x, T y) {
    typedef typename Acc<T>::type A;
    return (T) binary_value<A>(op, (A) x, (A) y);
}

// C's x % y in T, the sign of x. Defined where C's is not: x for y = 0 (C leaves it undefined and PyTorch's CUDA
// kernels give what the hardware gives; the CPU backend refuses a zero divisor), 0 for y = -1 (MIN % -1 overflows).
template <typename T> __device__ inline T integer_fmod(T x, T y) {
    if (y == T(0)) {
        return x;
    }
    return y == T(-1) ? T(0) : x % y;
}

// floor(x / y) in T: C's truncating quotient, one less where the remainder is not 0 and its sign differs from y's.
// -1 for y = 0 (undefined in C, as for integer_fmod); -x through U for y = -1, so that MIN / -1 wraps to MIN rather
// than overflow.
template <typename T, typename U> __device__ inline T integer_floor_divide(T x, T y) {
    if (y == T(0)) {
        return T(-1);
    }
    if (y == T(-1)) {
        return (T) (U(0) - (U) x);
    }
    T q = x / y;
    T r = x % y;
    return r != T(0) && (r < T(0)) != (y < T(0)) ? q - T(1) : q;
}

// Python's x % y in T, the sign of y: C's remainder moved by y where its sign differs from y's.
template <typename T> __device__ inline T integer_remainder(T x, T y) {
    T r = integer_fmod<T>(x, y);
    return r != T(0) && (r < T(0)) != (y < T(0)) ? r + y : r;
}

// x^y in T as PyTorch's integer pow: by squaring through U, wrapping; a negative y gives 0, but 1 for x = 1 and +-1
// by parity for x = -1.
template <typename T, typename U> __device__ inline T integer_pow(T x, T y) {
    if (y < T(0)) {
        if (x == T(-1)) {
            return (y & T(1)) == T(0) ? T(1) : T(-1);
        }
        return x == T(1) ? T(1) : T(0);
    }
    U power = 1;
    U square = (U) x;
    for (T e = y; e != T(0); e >>= 1) {
        if ((e & T(1)) != T(0)) {
            power *= square;
        }
        square *= square;
    }
    return (T) power;
}

// Integer ADD, SUB, MUL and POWER in the integer's own width, wrapping as PyTorch's (through U, unsigned, as signed
// overflow is undefined), and FLOOR_DIVIDE, REMAINDER, FMOD, MAX, MIN and comparisons in T: exact, where a double
// rounds beyond 2^53 (2^53 + 1 == 2^53). DIV and the rest go through double (PyTorch's integer division is true
// division).
template <typename T, typename U> __device__ inline T integer_binary_element(int op, T x, T y) {
    switch (op) {
        case ADD: return (T) ((U) x + (U) y);
        case SUB: return (T) ((U) x - (U) y);
        case MUL: return (T) ((U) x * (U) y);
        case POWER: return integer_pow<T, U>(x, y);
        case FLOOR_DIVIDE: return integer_floor_divide<T, U>(x, y);
        case REMAINDER: return integer_remainder<T>(x, y);
        case FMOD: return integer_fmod<T>(x, y);
        case MAX: return x > y ? x : y;
        case MIN: return x < y ? x : y;
        case EQ: return x == y ? T(1) : T(0);
        case NE: return x != y ? T(1) : T(0);
        case LT: return x < y ? T(1) : T(0);
        case LE: return x <= y ? T(1) : T(0);
        case GT: return x > y ? T(1) : T(0);
        case GE: return x >= y ? T(1) : T(0);
        default: return (T) binary_value<double>(op, (double) x, (double) y);
    }
}

template <> __device__ inline int binary_element<int>(int op, int x, int y) {
    return integer_binary_element<int, unsigned int>(op, x, y);
}

template <> __device__ inline long long binary_element<long long>(int op, long long x, long long y) {
    return integer_binary_element<long long, unsigned long long>(op, x, y);
}

// out = op(a, b), a and b broadcast to out's dims by their strides (0 along broadcast dimensions).
template <typename T> __device__ void binary_impl(int op, const T* a, const T* b, T* out, long long n, int rank,
                                                 Dims8 dims, Dims8 stridesA, Dims8 stridesB) {
    KILN_FOR(i, n) {
        T x = a[kiln_offset(i, rank, dims, stridesA)];
        T y = b[kiln_offset(i, rank, dims, stridesB)];
        out[i] = binary_element<T>(op, x, y);
    }
}

// The common case of three tensors of one shape: no index arithmetic.
template <typename T> __device__ void binary_same_shape_impl(int op, const T* a, const T* b, T* out, long long n) {
    KILN_FOR(i, n) {
        out[i] = binary_element<T>(op, a[i], b[i]);
    }
}

#define KILN_BINARY(T, S) \
    extern "C" __global__ void binary_##S(int op, const T* a, const T* b, T* out, long long n, int rank, \
                                          Dims8 dims, Dims8 stridesA, Dims8 stridesB) { \
        binary_impl<T>(op, a, b, out, n, rank, dims, stridesA, stridesB); \
    } \
    extern "C" __global__ void binary_same_shape_##S(int op, const T* a, const T* b, T* out, long long n) { \
        binary_same_shape_impl<T>(op, a, b, out, n); \
    }
KILN_ALL_TYPES(KILN_BINARY)

template <typename T> __device__ void where_impl(const T* cond, const T* a, const T* b, T* out, long long n,
                                                int rank, Dims8 dims, Dims8 stridesCond, Dims8 stridesA,
                                                Dims8 stridesB) {
    KILN_FOR(i, n) {
        out[i] = cond[kiln_offset(i, rank, dims, stridesCond)] != (T) 0
                ? a[kiln_offset(i, rank, dims, stridesA)]
                : b[kiln_offset(i, rank, dims, stridesB)];
    }
}
#define KILN_WHERE(T, S) \
    extern "C" __global__ void where_##S(const T* cond, const T* a, const T* b, T* out, long long n, int rank, \
                                         Dims8 dims, Dims8 stridesCond, Dims8 stridesA, Dims8 stridesB) { \
        where_impl<T>(cond, a, b, out, n, rank, dims, stridesCond, stridesA, stridesB); \
    }
KILN_ALL_TYPES(KILN_WHERE)
