// Max and average pooling over [batch, channels, height, width] (Backend SPI section 6). cuDNN's max
// pooling does not return the indices the SPI promises (PyTorch's return_indices), so both families
// are ours. Forward: one thread per output element. Backward: one thread per input element, which sums what
// the windows covering it send, in ascending window order as the CPU adds them: no zeroing pass, no atomics,
// the CPU's sums to the bit. In ceil mode (PyTorch's ceil_mode) outH and outW count the last windows that hang
// over the bottom and right edges; every window still starts inside the input or its top and left padding.
#include "kiln_common.cuh"

// countIncludePad: 1 when average pooling counts the padding in its divisor (PyTorch's count_include_pad), else 0.
struct Pool {
    long long planes, height, width, outH, outW, kernelH, kernelW, strideH, strideW, padH, padW, countIncludePad;
};

// Padding counts as minus infinity; the first maximum in row-major window order wins a tie, the last NaN wins
// over everything (PyTorch 1.13's CPU rule, val > max || isnan(val), as the CPU backend's).
template <typename T> __device__ void max_pool_forward_impl(const T* in, T* out, long long* indices, Pool g) {
    KILN_FOR(q, g.planes * g.outH * g.outW) {
        long long ow = q % g.outW;
        long long oh = (q / g.outW) % g.outH;
        long long plane = q / (g.outW * g.outH);
        const T* p = in + plane * g.height * g.width;
        long long h0 = oh * g.strideH - g.padH;
        long long w0 = ow * g.strideW - g.padW;
        long long best = -1;
        T max = T(0);
        for (long long h = h0 > 0 ? h0 : 0; h < h0 + g.kernelH && h < g.height; h++) {
            for (long long w = w0 > 0 ? w0 : 0; w < w0 + g.kernelW && w < g.width; w++) {
                T v = p[h * g.width + w];
                if (best < 0 || v > max || v != v) {
                    max = v;
                    best = h * g.width + w;
                } else if (v == max && v == T(0)) {
                    max = max + v;  // +0 over -0, as Math.max; the first one's index stays
                }
            }
        }
        out[q] = best < 0 ? -T(1) / T(0) : max;
        indices[q] = best;
    }
}

// The windows o along one axis whose span [o * stride - pad, o * stride - pad + kernel) holds position i:
// o in [*first, *last], none when *first > *last.
__device__ inline void covering_windows(long long i, long long pad, long long kernel, long long stride,
                                        long long windows, long long* first, long long* last) {
    long long lowest = i + pad - kernel + 1;
    *first = lowest <= 0 ? 0 : (lowest + stride - 1) / stride;
    long long highest = (i + pad) / stride;
    *last = highest < windows - 1 ? highest : windows - 1;
}

// Input element q of a backward pass: its plane, its index h * width + w within the plane, and the windows
// [oh0, oh1] x [ow0, ow1] that cover it.
struct Covering {
    long long plane, self, oh0, oh1, ow0, ow1;
};

__device__ inline Covering covering(long long q, const Pool& g) {
    Covering c;
    long long w = q % g.width;
    long long h = (q / g.width) % g.height;
    c.plane = q / (g.width * g.height);
    c.self = h * g.width + w;
    covering_windows(h, g.padH, g.kernelH, g.strideH, g.outH, &c.oh0, &c.oh1);
    covering_windows(w, g.padW, g.kernelW, g.strideW, g.outW, &c.ow0, &c.ow1);
    return c;
}

// gradIn at an input element: the gradOut of every window whose recorded maximum it is.
template <typename T> __device__ void max_pool_backward_impl(const T* gradOut, const long long* indices, T* gradIn,
                                                            Pool g) {
    KILN_FOR(q, g.planes * g.height * g.width) {
        Covering c = covering(q, g);
        const long long* planeIndices = indices + c.plane * g.outH * g.outW;
        const T* planeGrad = gradOut + c.plane * g.outH * g.outW;
        T sum = T(0);
        for (long long oh = c.oh0; oh <= c.oh1; oh++) {
            for (long long ow = c.ow0; ow <= c.ow1; ow++) {
                long long o = oh * g.outW + ow;
                if (planeIndices[o] == c.self) {
                    sum += planeGrad[o];
                }
            }
        }
        gradIn[q] = sum;
    }
}

// What window o's sum divides by along one axis, as PyTorch's AvgPool2d: its span clipped to the padded input
// (ceil mode's last window may reach beyond), and without countIncludePad clipped to the input.
__device__ inline long long divisor_span(long long o, long long size, long long kernel, long long stride, long long pad,
                                         long long countIncludePad) {
    long long start = o * stride - pad;
    long long end = start + kernel < size + pad ? start + kernel : size + pad;
    if (countIncludePad) {
        return end - start;
    }
    return (end < size ? end : size) - (start > 0 ? start : 0);
}

__device__ inline double avg_divisor(long long oh, long long ow, const Pool& g) {
    return (double) (divisor_span(oh, g.height, g.kernelH, g.strideH, g.padH, g.countIncludePad)
                     * divisor_span(ow, g.width, g.kernelW, g.strideW, g.padW, g.countIncludePad));
}

// Padding counts as zeros; each window divides by avg_divisor (kernelH * kernelW with PyTorch's defaults).
template <typename T> __device__ void avg_pool_forward_impl(const T* in, T* out, Pool g) {
    KILN_FOR(q, g.planes * g.outH * g.outW) {
        long long ow = q % g.outW;
        long long oh = (q / g.outW) % g.outH;
        long long plane = q / (g.outW * g.outH);
        const T* p = in + plane * g.height * g.width;
        long long h0 = oh * g.strideH - g.padH;
        long long w0 = ow * g.strideW - g.padW;
        double sum = 0;
        for (long long h = h0 > 0 ? h0 : 0; h < h0 + g.kernelH && h < g.height; h++) {
            for (long long w = w0 > 0 ? w0 : 0; w < w0 + g.kernelW && w < g.width; w++) {
                sum += (double) p[h * g.width + w];
            }
        }
        out[q] = (T) (sum / avg_divisor(oh, ow, g));
    }
}

// gradIn at an input element: gradOut / avg_divisor of every window covering it, summed in double.
template <typename T> __device__ void avg_pool_backward_impl(const T* gradOut, T* gradIn, Pool g) {
    KILN_FOR(q, g.planes * g.height * g.width) {
        Covering c = covering(q, g);
        const T* planeGrad = gradOut + c.plane * g.outH * g.outW;
        double sum = 0;
        for (long long oh = c.oh0; oh <= c.oh1; oh++) {
            for (long long ow = c.ow0; ow <= c.ow1; ow++) {
                sum += (double) planeGrad[oh * g.outW + ow] / avg_divisor(oh, ow, g);
            }
        }
        gradIn[q] = (T) sum;
    }
}

#define KILN_POOL(T, S) \
    extern "C" __global__ void max_pool_forward_##S(const T* in, T* out, long long* indices, Pool g) { \
        max_pool_forward_impl<T>(in, out, indices, g); \
    } \
    extern "C" __global__ void max_pool_backward_##S(const T* gradOut, const long long* indices, T* gradIn, \
                                                     Pool g) { \
        max_pool_backward_impl<T>(gradOut, indices, gradIn, g); \
    } \
    extern "C" __global__ void avg_pool_forward_##S(const T* in, T* out, Pool g) { \
        avg_pool_forward_impl<T>(in, out, g); \
    } \
    extern "C" __global__ void avg_pool_backward_##S(const T* gradOut, T* gradIn, Pool g) { \
        avg_pool_backward_impl<T>(gradOut, gradIn, g); \
    }
KILN_FLOAT_TYPES(KILN_POOL)
