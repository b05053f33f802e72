// Gather and scatter-add (Backend SPI section 7), tensors viewed as [outer, n, inner] around the
// indexed axis; indices are I64 (the host widens I32 indices first). Additions use atomics because
// indices may repeat: the order of additions, and so the last bits of a sum, may vary between runs.
#include "kiln_common.cuh"

// out[o, j, i] = src[o, index[j], i], out viewed as [outer, m, inner].
template <typename T> __device__ void index_select_impl(const T* src, const long long* index, T* out,
                                                       long long outer, long long n, long long inner,
                                                       long long m) {
    KILN_FOR(q, outer * m * inner) {
        long long i = q % inner;
        long long j = (q / inner) % m;
        long long o = q / (inner * m);
        out[q] = src[(o * n + index[j]) * inner + i];
    }
}

// atomicAdd for every element type; long long adds as unsigned (the same bits in two's complement).
__device__ inline void k_atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ inline void k_atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ inline void k_atomic_add(int* p, int v) { atomicAdd(p, v); }
__device__ inline void k_atomic_add(long long* p, long long v) {
    atomicAdd((unsigned long long*) p, (unsigned long long) v);
}

// dst[o, index[j], i] += src[o, j, i].
template <typename T> __device__ void index_add_impl(T* dst, const long long* index, const T* src, long long outer,
                                                    long long n, long long inner, long long m) {
    KILN_FOR(q, outer * m * inner) {
        long long i = q % inner;
        long long j = (q / inner) % m;
        long long o = q / (inner * m);
        k_atomic_add(dst + (o * n + index[j]) * inner + i, src[q]);
    }
}

// out[o, j, i] = src[o, index[o, j, i], i]; index and out viewed as [outer, m, inner].
template <typename T> __device__ void gather_impl(const T* src, const long long* index, T* out, long long outer,
                                                 long long n, long long inner, long long m) {
    KILN_FOR(q, outer * m * inner) {
        long long i = q % inner;
        long long o = q / (inner * m);
        out[q] = src[(o * n + index[q]) * inner + i];
    }
}

// dst[o, index[o, j, i], i] += src[o, j, i].
template <typename T> __device__ void scatter_add_impl(T* dst, const long long* index, const T* src, long long outer,
                                                      long long n, long long inner, long long m) {
    KILN_FOR(q, outer * m * inner) {
        long long i = q % inner;
        long long o = q / (inner * m);
        k_atomic_add(dst + (o * n + index[q]) * inner + i, src[q]);
    }
}

#define KILN_SELECT(T, S) \
    extern "C" __global__ void index_select_##S(const T* src, const long long* index, T* out, long long outer, \
                                                long long n, long long inner, long long m) { \
        index_select_impl<T>(src, index, out, outer, n, inner, m); \
    } \
    extern "C" __global__ void gather_##S(const T* src, const long long* index, T* out, long long outer, \
                                          long long n, long long inner, long long m) { \
        gather_impl<T>(src, index, out, outer, n, inner, m); \
    }
KILN_ALL_TYPES(KILN_SELECT)

#define KILN_SCATTER(T, S) \
    extern "C" __global__ void index_add_##S(T* dst, const long long* index, const T* src, long long outer, \
                                             long long n, long long inner, long long m) { \
        index_add_impl<T>(dst, index, src, outer, n, inner, m); \
    } \
    extern "C" __global__ void scatter_add_##S(T* dst, const long long* index, const T* src, long long outer, \
                                               long long n, long long inner, long long m) { \
        scatter_add_impl<T>(dst, index, src, outer, n, inner, m); \
    }
// All types: Tensor.indexAdd and scatterAdd accept integer tensors, as on the CPU backend.
KILN_ALL_TYPES(KILN_SCATTER)
