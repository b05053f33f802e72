// Batch normalisation per channel of x viewed as [N, C, S] (S = H * W, or 1 for [N, C]), and the
// per-channel sums and bias additions of convolution. Statistics kernels run one block per channel
// and sum in double, the variance in two passes (mean first) so that large offsets do not cancel.
// cuDNN's batch norm refuses eps below 1e-5, which the SPI allows, hence these kernels.
#include "kiln_common.cuh"

// Loops k over the M = N * S values of channel c; KILN_CHANNEL_INDEX gives value k's element index.
#define KILN_CHANNEL_LOOP(k, n, c, channels, spatial) \
    for (long long k = threadIdx.x; k < (n) * (spatial); k += blockDim.x)
#define KILN_CHANNEL_INDEX(k, c, channels, spatial) \
    (((k) / (spatial) * (channels) + (c)) * (spatial) + (k) % (spatial))

template <typename T> __device__ void bn_stats_impl(const T* x, long long n, long long channels, long long spatial,
                                                   double eps, T* saveMean, T* saveInvStd, T* runningMean,
                                                   T* runningVar, double momentum) {
    __shared__ double scratch[32];
    double m = (double) (n * spatial);
    for (long long c = blockIdx.x; c < channels; c += gridDim.x) {
        double sum = 0;
        KILN_CHANNEL_LOOP(k, n, c, channels, spatial) {
            sum += (double) x[KILN_CHANNEL_INDEX(k, c, channels, spatial)];
        }
        double mean = kiln_block_sum<double>(sum, scratch) / m;
        double squares = 0;
        KILN_CHANNEL_LOOP(k, n, c, channels, spatial) {
            double d = (double) x[KILN_CHANNEL_INDEX(k, c, channels, spatial)] - mean;
            squares += d * d;
        }
        double var = kiln_block_sum<double>(squares, scratch) / m;
        if (threadIdx.x == 0) {
            saveMean[c] = (T) mean;
            saveInvStd[c] = (T) (1.0 / sqrt(var + eps));
            // Each running statistic may be absent on its own, as on the CPU backend.
            if (runningMean != 0) {
                runningMean[c] = (T) ((1 - momentum) * (double) runningMean[c] + momentum * mean);
            }
            if (runningVar != 0) {
                double unbiased = var * m / (m - 1);
                runningVar[c] = (T) ((1 - momentum) * (double) runningVar[c] + momentum * unbiased);
            }
        }
    }
}

// Inference: mean = runningMean, invStd = 1 / sqrt(runningVar + eps).
template <typename T> __device__ void bn_inference_params_impl(const T* runningMean, const T* runningVar, double eps,
                                                              T* mean, T* invStd, long long channels) {
    KILN_FOR(c, channels) {
        mean[c] = runningMean[c];
        invStd[c] = (T) (1.0 / sqrt((double) runningVar[c] + eps));
    }
}

// out = op((x - mean) * invStd * weight + bias); weight and bias may be null (1 and 0); op < 0: no activation.
template <typename T> __device__ void bn_apply_impl(const T* x, T* out, const T* mean, const T* invStd,
                                                   const T* weight, const T* bias, long long n, long long channels,
                                                   long long spatial, int op, double param) {
    T p = (T) param;
    KILN_FOR(q, n * channels * spatial) {
        long long c = (q / spatial) % channels;
        T v = (x[q] - mean[c]) * invStd[c];
        if (weight != 0) {
            v *= weight[c];
        }
        if (bias != 0) {
            v += bias[c];
        }
        out[q] = op < 0 ? v : unary_value<T>(op, p, v);
    }
}

// The gradient reaching batch norm's output at q: gradOut itself, or through an activation op (op >= 0) from the
// activation's output y.
template <typename T> __device__ inline T bn_output_gradient(const T* gradOut, const T* y, int op, T p, long long q) {
    return op < 0 ? gradOut[q] : activation_gradient<T>(op, p, y[q], y[q], gradOut[q]);
}

// sumDy[c] = sum(gradOut), sumDyXhat[c] = sum(gradOut * xhat) over channel c.
template <typename T> __device__ void bn_backward_reduce_impl(const T* x, const T* gradOut, const T* y, int op,
                                                             double param, const T* mean, const T* invStd,
                                                             T* sumDy, T* sumDyXhat, long long n, long long channels,
                                                             long long spatial) {
    __shared__ double scratch[32];
    T p = (T) param;
    for (long long c = blockIdx.x; c < channels; c += gridDim.x) {
        double mu = (double) mean[c];
        double is = (double) invStd[c];
        double dy = 0;
        double dyx = 0;
        KILN_CHANNEL_LOOP(k, n, c, channels, spatial) {
            long long q = KILN_CHANNEL_INDEX(k, c, channels, spatial);
            double g = (double) bn_output_gradient<T>(gradOut, y, op, p, q);
            dy += g;
            dyx += g * ((double) x[q] - mu) * is;
        }
        dy = kiln_block_sum<double>(dy, scratch);
        dyx = kiln_block_sum<double>(dyx, scratch);
        if (threadIdx.x == 0) {
            sumDy[c] = (T) dy;
            sumDyXhat[c] = (T) dyx;
        }
    }
}

// gradInput = weight * invStd / M * (M * gradOut - sumDy - xhat * sumDyXhat); weight may be null.
template <typename T> __device__ void bn_backward_apply_impl(const T* x, const T* gradOut, const T* y, int op,
                                                            double param, const T* mean, const T* invStd,
                                                            const T* weight, const T* sumDy, const T* sumDyXhat,
                                                            T* gradInput, long long n, long long channels,
                                                            long long spatial) {
    T m = (T) (n * spatial);
    T p = (T) param;
    KILN_FOR(q, n * channels * spatial) {
        long long c = (q / spatial) % channels;
        T xhat = (x[q] - mean[c]) * invStd[c];
        T scale = (weight != 0 ? weight[c] : T(1)) * invStd[c] / m;
        gradInput[q] = scale * (m * bn_output_gradient<T>(gradOut, y, op, p, q) - sumDy[c] - xhat * sumDyXhat[c]);
    }
}

// out[c] = sum over n and s of x[n, c, s]: a convolution's bias gradient.
template <typename T> __device__ void channel_sum_impl(const T* x, T* out, long long n, long long channels,
                                                      long long spatial) {
    __shared__ double scratch[32];
    for (long long c = blockIdx.x; c < channels; c += gridDim.x) {
        double sum = 0;
        KILN_CHANNEL_LOOP(k, n, c, channels, spatial) {
            sum += (double) x[KILN_CHANNEL_INDEX(k, c, channels, spatial)];
        }
        sum = kiln_block_sum<double>(sum, scratch);
        if (threadIdx.x == 0) {
            out[c] = (T) sum;
        }
    }
}

// out[n, c, s] += bias[c]: a convolution's bias.
template <typename T> __device__ void bias_add_impl(T* out, const T* bias, long long n, long long channels,
                                                   long long spatial) {
    KILN_FOR(q, n * channels * spatial) {
        out[q] += bias[(q / spatial) % channels];
    }
}

#define KILN_BATCHNORM(T, S) \
    extern "C" __global__ void bn_stats_##S(const T* x, long long n, long long channels, long long spatial, \
                                            double eps, T* saveMean, T* saveInvStd, T* runningMean, \
                                            T* runningVar, double momentum) { \
        bn_stats_impl<T>(x, n, channels, spatial, eps, saveMean, saveInvStd, runningMean, runningVar, momentum); \
    } \
    extern "C" __global__ void bn_inference_params_##S(const T* runningMean, const T* runningVar, double eps, \
                                                       T* mean, T* invStd, long long channels) { \
        bn_inference_params_impl<T>(runningMean, runningVar, eps, mean, invStd, channels); \
    } \
    extern "C" __global__ void bn_apply_##S(const T* x, T* out, const T* mean, const T* invStd, const T* weight, \
                                            const T* bias, long long n, long long channels, long long spatial, \
                                            int op, double param) { \
        bn_apply_impl<T>(x, out, mean, invStd, weight, bias, n, channels, spatial, op, param); \
    } \
    extern "C" __global__ void bn_backward_reduce_##S(const T* x, const T* gradOut, const T* y, int op, \
                                                      double param, const T* mean, const T* invStd, T* sumDy, \
                                                      T* sumDyXhat, long long n, long long channels, \
                                                      long long spatial) { \
        bn_backward_reduce_impl<T>(x, gradOut, y, op, param, mean, invStd, sumDy, sumDyXhat, n, channels, \
                                   spatial); \
    } \
    extern "C" __global__ void bn_backward_apply_##S(const T* x, const T* gradOut, const T* y, int op, \
                                                     double param, const T* mean, const T* invStd, \
                                                     const T* weight, const T* sumDy, const T* sumDyXhat, \
                                                     T* gradInput, long long n, long long channels, \
                                                     long long spatial) { \
        bn_backward_apply_impl<T>(x, gradOut, y, op, param, mean, invStd, weight, sumDy, sumDyXhat, gradInput, n, \
                                  channels, spatial); \
    } \
    extern "C" __global__ void channel_sum_##S(const T* x, T* out, long long n, long long channels, \
                                               long long spatial) { \
        channel_sum_impl<T>(x, out, n, channels, spatial); \
    } \
    extern "C" __global__ void bias_add_##S(T* out, const T* bias, long long n, long long channels, \
                                            long long spatial) { \
        bias_add_impl<T>(out, bias, n, channels, spatial); \
    }
KILN_FLOAT_TYPES(KILN_BATCHNORM)
