// Reductions, argmax, softmax and fused softmax cross-entropy (Backend SPI sections 4 and 5).
// Tensors are viewed as [outer, n, inner] around the reduced axis. Row kernels (inner == 1, the
// softmax family) run one block of a multiple of 32 threads per row; column kernels run one thread
// per output element and read coalesced across the inner dimension. Few long rows or columns are cut into
// slices first (the *_parts kernels), whose double partials the same kernels then reduce in F64.
// Sums accumulate in double.
#include "kiln_common.cuh"

// out[o] = sum or max of x[o, 0..n) (inner == 1): one block per row.
template <typename T> __device__ void reduce_rows_impl(const T* x, T* out, long long outer, long long n, int max) {
    __shared__ double scratch[32];
    for (long long row = blockIdx.x; row < outer; row += gridDim.x) {
        const T* r = x + row * n;
        double acc = max ? -1.0 / 0.0 : 0.0;
        for (long long j = threadIdx.x; j < n; j += blockDim.x) {
            double v = (double) r[j];
            acc = max ? (v > acc || v != v ? v : acc) : acc + v;
        }
        acc = max ? kiln_block_max<double>(acc, scratch) : kiln_block_sum<double>(acc, scratch);
        if (threadIdx.x == 0) {
            out[row] = (T) acc;
        }
    }
}

// partials[b] = sum or max of slice b % parts of row b / parts of x[outer, n] (inner == 1), each slice
// ceil(n / parts) long: one block per slice, for rows too few and too long to give each a block. The
// partials stay in double; reduce_rows_f64 then reduces each row's parts.
template <typename T> __device__ void reduce_row_parts_impl(const T* x, double* partials, long long outer,
                                                           long long n, long long parts, int max) {
    __shared__ double scratch[32];
    long long slice = (n + parts - 1) / parts;
    for (long long b = blockIdx.x; b < outer * parts; b += gridDim.x) {
        const T* r = x + (b / parts) * n;
        long long from = (b % parts) * slice;
        long long to = from + slice < n ? from + slice : n;
        double acc = max ? -1.0 / 0.0 : 0.0;
        for (long long j = from + threadIdx.x; j < to; j += blockDim.x) {
            double v = (double) r[j];
            acc = max ? (v > acc || v != v ? v : acc) : acc + v;
        }
        acc = max ? kiln_block_max<double>(acc, scratch) : kiln_block_sum<double>(acc, scratch);
        if (threadIdx.x == 0) {
            partials[b] = acc;
        }
    }
}

// out[o, i] = sum or max over j of x[o, j, i]: one thread per output element.
template <typename T> __device__ void reduce_columns_impl(const T* x, T* out, long long outer, long long n,
                                                         long long inner, int max) {
    KILN_FOR(q, outer * inner) {
        long long o = q / inner;
        long long i = q % inner;
        const T* c = x + o * n * inner + i;
        double acc = max ? -1.0 / 0.0 : 0.0;
        for (long long j = 0; j < n; j++) {
            double v = (double) c[j * inner];
            acc = max ? (v > acc || v != v ? v : acc) : acc + v;
        }
        out[q] = (T) acc;
    }
}

// partials[o, p, i] = sum or max over slice p of j (each ceil(n / parts) long) of x[o, j, i]: one thread per
// partial, for outputs too few and columns too long for a thread each. reduce_columns_f64 then reduces over p.
template <typename T> __device__ void reduce_column_parts_impl(const T* x, double* partials, long long outer,
                                                              long long n, long long inner, long long parts,
                                                              int max) {
    long long slice = (n + parts - 1) / parts;
    KILN_FOR(q, outer * parts * inner) {
        long long o = q / (parts * inner);
        long long from = (q / inner) % parts * slice;
        long long to = from + slice < n ? from + slice : n;
        const T* c = x + o * n * inner + q % inner;
        double acc = max ? -1.0 / 0.0 : 0.0;
        for (long long j = from; j < to; j++) {
            double v = (double) c[j * inner];
            acc = max ? (v > acc || v != v ? v : acc) : acc + v;
        }
        partials[q] = acc;
    }
}

// Index of the first maximum over j of x[o, j, i].
template <typename T> __device__ void argmax_impl(const T* x, long long* out, long long outer, long long n,
                                                 long long inner) {
    KILN_FOR(q, outer * inner) {
        long long o = q / inner;
        long long i = q % inner;
        const T* c = x + o * n * inner + i;
        T best = c[0];
        long long at = 0;
        for (long long j = 1; j < n; j++) {
            T v = c[j * inner];
            // The first NaN wins, as on the CPU backend.
            if (v > best || (v != v && best == best)) {
                best = v;
                at = j;
            }
        }
        out[q] = at;
    }
}

#define KILN_REDUCE(T, S) \
    extern "C" __global__ void reduce_rows_##S(const T* x, T* out, long long outer, long long n, int max) { \
        reduce_rows_impl<T>(x, out, outer, n, max); \
    } \
    extern "C" __global__ void reduce_row_parts_##S(const T* x, double* partials, long long outer, long long n, \
                                                    long long parts, int max) { \
        reduce_row_parts_impl<T>(x, partials, outer, n, parts, max); \
    } \
    extern "C" __global__ void reduce_columns_##S(const T* x, T* out, long long outer, long long n, \
                                                  long long inner, int max) { \
        reduce_columns_impl<T>(x, out, outer, n, inner, max); \
    } \
    extern "C" __global__ void reduce_column_parts_##S(const T* x, double* partials, long long outer, \
                                                       long long n, long long inner, long long parts, int max) { \
        reduce_column_parts_impl<T>(x, partials, outer, n, inner, parts, max); \
    } \
    extern "C" __global__ void argmax_##S(const T* x, long long* out, long long outer, long long n, \
                                          long long inner) { \
        argmax_impl<T>(x, out, outer, n, inner); \
    }
KILN_ALL_TYPES(KILN_REDUCE)

// Maximum m of a row and the sum of exp(x - m), shared by softmax and cross-entropy. Outputs are formed from
// x - m (exact for x near m) and log(sum) (small), never from m + log(sum): rounded to F32, that sum would be off
// by half a float step at m's size (3e-5 for m = 1000), which goes straight into every log-probability.
// A maximum of -inf (a row all -inf) or NaN gives sum 1, so that outputs are x - m (NaN); one of +inf keeps its sum,
// NaN (exp(inf - inf)), so that the row is NaN throughout, as PyTorch's and the CPU backend's.
template <typename T> __device__ inline void row_max_sum(const T* r, long long cols, double* scratch, T* rowMax,
                                                        double* expSum) {
    T m = r[0];
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
        m = r[j] > m || r[j] != r[j] ? r[j] : m;
    }
    m = kiln_block_max<T>(m, (T*) scratch);
    double sum = 0;
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
        sum += (double) k_exp(r[j] - m);
    }
    sum = kiln_block_sum<double>(sum, scratch);
    *rowMax = m;
    *expSum = m - m != T(0) && !(m > T(0)) ? 1.0 : sum;
}

template <typename T> __device__ void softmax_impl(const T* x, T* out, long long rows, long long cols, int logOut) {
    __shared__ double scratch[32];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* r = x + row * cols;
        T* o = out + row * cols;
        T m;
        double sum;
        row_max_sum<T>(r, cols, scratch, &m, &sum);
        T logSum = (T) log(sum);
        T inverse = (T) (1.0 / sum);
        for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
            o[j] = logOut ? (r[j] - m) - logSum : k_exp(r[j] - m) * inverse;
        }
    }
}

// softmax: gx = y * (gy - sum(gy * y)); log-softmax: gx = gy - exp(y) * sum(gy).
template <typename T> __device__ void softmax_backward_impl(const T* y, const T* gy, T* gx, long long rows,
                                                           long long cols, int logOut) {
    __shared__ double scratch[32];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* yr = y + row * cols;
        const T* gr = gy + row * cols;
        T* xr = gx + row * cols;
        double dot = 0;
        for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
            dot += logOut ? (double) gr[j] : (double) gr[j] * (double) yr[j];
        }
        T s = (T) kiln_block_sum<double>(dot, scratch);
        for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
            xr[j] = logOut ? gr[j] - k_exp(yr[j]) * s : yr[j] * (gr[j] - s);
        }
    }
}

// losses[r] = logsumexp(logits[r]) - logits[r, t], as (m - logits[r, t]) + log(sum); probs[r] = softmax(logits[r]).
template <typename T> __device__ void cross_entropy_impl(const T* logits, const long long* targets, T* losses,
                                                        T* probs, long long rows, long long cols) {
    __shared__ double scratch[32];
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* r = logits + row * cols;
        T* p = probs + row * cols;
        T m;
        double sum;
        row_max_sum<T>(r, cols, scratch, &m, &sum);
        T inverse = (T) (1.0 / sum);
        for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
            p[j] = k_exp(r[j] - m) * inverse;
        }
        if (threadIdx.x == 0) {
            losses[row] = (m - r[targets[row]]) + (T) log(sum);
        }
    }
}

// gradLogits[r, c] = (probs[r, c] - (c == targets[r])) * g with g = gradLosses[r * gradStride] * scale rounded to
// T, as affine rounds it: a stride of 0 shares one gradient among all rows, and a mean's scale is 1 / rows.
template <typename T> __device__ void cross_entropy_backward_impl(const T* probs, const long long* targets,
                                                                 const T* gradLosses, double scale, T* gradLogits,
                                                                 long long rows, long long cols,
                                                                 long long gradStride) {
    typedef typename Acc<T>::type A;
    A s = (A) scale;
    KILN_FOR(q, rows * cols) {
        long long r = q / cols;
        long long c = q % cols;
        T hit = c == targets[r] ? T(1) : T(0);
        T g = (T) ((A) gradLosses[r * gradStride] * s);
        gradLogits[q] = (probs[q] - hit) * g;
    }
}

#define KILN_SOFTMAX(T, S) \
    extern "C" __global__ void softmax_##S(const T* x, T* out, long long rows, long long cols, int logOut) { \
        softmax_impl<T>(x, out, rows, cols, logOut); \
    } \
    extern "C" __global__ void softmax_backward_##S(const T* y, const T* gy, T* gx, long long rows, \
                                                    long long cols, int logOut) { \
        softmax_backward_impl<T>(y, gy, gx, rows, cols, logOut); \
    } \
    extern "C" __global__ void cross_entropy_##S(const T* logits, const long long* targets, T* losses, T* probs, \
                                                 long long rows, long long cols) { \
        cross_entropy_impl<T>(logits, targets, losses, probs, rows, cols); \
    } \
    extern "C" __global__ void cross_entropy_backward_##S(const T* probs, const long long* targets, \
                                                          const T* gradLosses, double scale, T* gradLogits, \
                                                          long long rows, long long cols, long long gradStride) { \
        cross_entropy_backward_impl<T>(probs, targets, gradLosses, scale, gradLogits, rows, cols, gradStride); \
    }
KILN_FLOAT_TYPES(KILN_SOFTMAX)

// hits[0] += the rows of scores [rows, classes] whose first maximum (argmax's rule: the first NaN wins) is at
// their label: a training loop's accuracy in one launch instead of argmax, compare, sum and add.
template <typename T> __device__ void accumulate_hits_impl(const T* scores, const long long* labels,
                                                          unsigned long long* hits, long long rows,
                                                          long long classes) {
    KILN_FOR(r, rows) {
        const T* c = scores + r * classes;
        T best = c[0];
        long long at = 0;
        for (long long j = 1; j < classes; j++) {
            T v = c[j];
            if (v > best || (v != v && best == best)) {
                best = v;
                at = j;
            }
        }
        if (at == labels[r]) {
            atomicAdd(hits, 1ull);
        }
    }
}
#define KILN_ACCUMULATE_HITS(T, S) \
    extern "C" __global__ void accumulate_hits_##S(const T* scores, const long long* labels, \
                                                   unsigned long long* hits, long long rows, long long classes) { \
        accumulate_hits_impl<T>(scores, labels, hits, rows, classes); \
    }
KILN_FLOAT_TYPES(KILN_ACCUMULATE_HITS)
