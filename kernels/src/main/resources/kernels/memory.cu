// Fills, dtype conversions and layout copies (Backend SPI section 1).
#include "kiln_common.cuh"

template <typename T> __device__ void fill_impl(T* out, long long n, double value) {
    T v = (T) value;
    KILN_FOR(i, n) {
        out[i] = v;
    }
}
#define KILN_FILL(T, S) \
    extern "C" __global__ void fill_##S(T* out, long long n, double value) { fill_impl<T>(out, n, value); }
KILN_ALL_TYPES(KILN_FILL)

// Floats become integers by truncation toward zero, as Java's casts do.
template <typename S, typename T> __device__ void convert_impl(const S* src, T* dst, long long n) {
    KILN_FOR(i, n) {
        dst[i] = (T) src[i];
    }
}
#define KILN_CONVERT(S, SN, T, TN) \
    extern "C" __global__ void convert_##SN##_##TN(const S* src, T* dst, long long n) { \
        convert_impl<S, T>(src, dst, n); \
    }
#define KILN_CONVERT_FROM(T, TN) \
    KILN_CONVERT(float, f32, T, TN) KILN_CONVERT(double, f64, T, TN) \
    KILN_CONVERT(int, i32, T, TN) KILN_CONVERT(long long, i64, T, TN)
KILN_ALL_TYPES(KILN_CONVERT_FROM)

// dst[o, dstStart + j, i] = src[o, srcStart + j, i] for j < length, both viewed as [outer, n, inner].
template <typename T> __device__ void copy_slices_impl(const T* src, T* dst, long long outer, long long srcN,
                                                      long long dstN, long long inner, long long srcStart,
                                                      long long dstStart, long long length) {
    long long total = outer * length * inner;
    KILN_FOR(q, total) {
        long long i = q % inner;
        long long j = (q / inner) % length;
        long long o = q / (inner * length);
        dst[(o * dstN + dstStart + j) * inner + i] = src[(o * srcN + srcStart + j) * inner + i];
    }
}
#define KILN_COPY_SLICES(T, S) \
    extern "C" __global__ void copy_slices_##S(const T* src, T* dst, long long outer, long long srcN, \
                                               long long dstN, long long inner, long long srcStart, \
                                               long long dstStart, long long length) { \
        copy_slices_impl<T>(src, dst, outer, srcN, dstN, inner, srcStart, dstStart, length); \
    }
KILN_ALL_TYPES(KILN_COPY_SLICES)

// out[i] = src[offset of i under srcStrides]: permutation (strides reordered) of a contiguous source.
template <typename T> __device__ void strided_copy_impl(const T* src, T* out, long long n, int rank, Dims8 dims,
                                                       Dims8 srcStrides) {
    KILN_FOR(i, n) {
        out[i] = src[kiln_offset(i, rank, dims, srcStrides)];
    }
}
#define KILN_STRIDED_COPY(T, S) \
    extern "C" __global__ void strided_copy_##S(const T* src, T* out, long long n, int rank, Dims8 dims, \
                                                Dims8 srcStrides) { \
        strided_copy_impl<T>(src, out, n, rank, dims, srcStrides); \
    }
KILN_ALL_TYPES(KILN_STRIDED_COPY)

// The upper 16 bits of x rounded to the nearest bfloat16, ties to even (CUDA's __float2bfloat16_rn, written
// out because NVRTC here has no cuda_bf16.h); a NaN stays a quiet NaN with its sign. Java's
// Precision.roundToBfloat16 is the same formula, so both backends round bit for bit alike.
__device__ inline unsigned int kiln_bf16_bits(float x) {
    unsigned int bits = __float_as_uint(x);
    if (x != x) {
        return (bits | 0x00400000u) >> 16;
    }
    return (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
}

// out[i] = x[i] rounded to bfloat16, kept as F32 (out may be x).
extern "C" __global__ void round_bf16_f32(const float* x, float* out, long long n) {
    KILN_FOR(i, n) {
        out[i] = __uint_as_float(kiln_bf16_bits(x[i]) << 16);
    }
}

// out[i] = x[i] as bfloat16 bits, the operands of cuBLAS's bf16 GEMM.
extern "C" __global__ void to_bf16_f32(const float* x, unsigned short* out, long long n) {
    KILN_FOR(i, n) {
        out[i] = (unsigned short) kiln_bf16_bits(x[i]);
    }
}

// x's IEEE half bits, nearest even (CUDA's __float2half_rn, written out as kiln_bf16_bits is): magnitudes from
// 65520 on become infinities, those below 2^-14 a count of 2^-24 steps (subnormals, rintf's ties to even; scaling by
// 2^24 is exact), a NaN the quiet NaN of its sign. Java's Precision.roundToHalf is the same rule.
__device__ inline unsigned int kiln_half_bits(float x) {
    unsigned int bits = __float_as_uint(x);
    unsigned int sign = (bits >> 16) & 0x8000u;
    unsigned int magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) {
        return sign | 0x7E00u;
    }
    if (magnitude >= 0x477FF000u) {
        return sign | 0x7C00u;
    }
    if (magnitude < 0x38800000u) {
        return sign | (unsigned int) rintf(__uint_as_float(magnitude) * 16777216.0f);
    }
    // 13 significand bits dropped, nearest even, then the exponent rebiased from 127 to 15.
    unsigned int rounded = (magnitude + 0xFFFu + ((magnitude >> 13) & 1u)) >> 13;
    return sign | (rounded - (112u << 10));
}

// The F32 value of IEEE half bits h (every half is exact in F32).
__device__ inline float kiln_half_value(unsigned int h) {
    unsigned int sign = (h & 0x8000u) << 16;
    unsigned int exponent = (h >> 10) & 0x1Fu;
    unsigned int significand = h & 0x3FFu;
    if (exponent == 0x1Fu) {
        return __uint_as_float(sign | 0x7F800000u | (significand << 13));
    }
    if (exponent == 0) {
        return __uint_as_float(sign | __float_as_uint((float) significand * 5.9604644775390625e-8f));
    }
    return __uint_as_float(sign | ((exponent + 112u) << 23) | (significand << 13));
}

// out[i] = x[i] rounded to IEEE half, kept as F32 (out may be x).
extern "C" __global__ void round_half_f32(const float* x, float* out, long long n) {
    KILN_FOR(i, n) {
        out[i] = kiln_half_value(kiln_half_bits(x[i]));
    }
}

// out[i] = x[i] as IEEE half bits, the operands of cuBLAS's fp16 GEMM.
extern "C" __global__ void to_half_f32(const float* x, unsigned short* out, long long n) {
    KILN_FOR(i, n) {
        out[i] = (unsigned short) kiln_half_bits(x[i]);
    }
}
