// Max and average pooling over [batch, channels, height, width] (Backend SPI section 6). cuDNN's max
// pooling does not return the indices the SPI promises (PyTorch's return_indices), so both families
// are ours. One thread per output element; backward passes add into a zeroed gradInput with atomics
// because windows may overlap.
#include "kiln_common.cuh"

struct Pool {
    long long planes, height, width, outH, outW, kernelH, kernelW, strideH, strideW, padH, padW;
};

// Padding counts as minus infinity; the first maximum in row-major window order wins a tie.
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
                if (best < 0 || v > max || (v != v && max == max)) {
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

template <typename T> __device__ void max_pool_backward_impl(const T* gradOut, const long long* indices, T* gradIn,
                                                            Pool g) {
    KILN_FOR(q, g.planes * g.outH * g.outW) {
        long long plane = q / (g.outW * g.outH);
        atomicAdd(gradIn + plane * g.height * g.width + indices[q], gradOut[q]);
    }
}

// Padding counts as zeros and every window divides by kernelH * kernelW (count_include_pad).
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
        out[q] = (T) (sum / (double) (g.kernelH * g.kernelW));
    }
}

template <typename T> __device__ void avg_pool_backward_impl(const T* gradOut, T* gradIn, Pool g) {
    KILN_FOR(q, g.planes * g.outH * g.outW) {
        long long ow = q % g.outW;
        long long oh = (q / g.outW) % g.outH;
        long long plane = q / (g.outW * g.outH);
        T* p = gradIn + plane * g.height * g.width;
        long long h0 = oh * g.strideH - g.padH;
        long long w0 = ow * g.strideW - g.padW;
        T share = gradOut[q] / (T) (g.kernelH * g.kernelW);
        for (long long h = h0 > 0 ? h0 : 0; h < h0 + g.kernelH && h < g.height; h++) {
            for (long long w = w0 > 0 ? w0 : 0; w < w0 + g.kernelW && w < g.width; w++) {
                atomicAdd(p + h * g.width + w, share);
            }
        }
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
