// Batch normalisation per channel of x viewed as [N, C, S] (S = H * W, or 1 for [N, C]), and the
// per-channel sums and bias additions of convolution. Statistics kernels run one block per channel
// and sum in double, the variance in two passes (mean first) so that large offsets do not cancel.
// Where few channels hold many values each (a ResNet's first stage), the *_parts kernels cut each channel
// into parts, one block each, so that the whole device works; a finishing kernel combines the parts.
// cuDNN's batch norm refuses eps below 1e-5, which the SPI allows, hence these kernels.
#include "kiln_common.cuh"

// The sum of channel c's values [first, last) in double, reduced over the block (every thread gets it).
template <typename T> __device__ double bn_sum(const T* x, long long c, long long first, long long last,
                                              long long channels, long long spatial, double* scratch) {
    double sum = 0;
    KILN_RANGE_LOOP(k, first, last) {
        sum += (double) x[KILN_CHANNEL_INDEX(k, c, channels, spatial)];
    }
    return kiln_block_sum<double>(sum, scratch);
}

// The sum of the squared deviations from mean of channel c's values [first, last), as bn_sum.
template <typename T> __device__ double bn_squares(const T* x, long long c, long long first, long long last,
                                                  double mean, long long channels, long long spatial,
                                                  double* scratch) {
    double squares = 0;
    KILN_RANGE_LOOP(k, first, last) {
        double d = (double) x[KILN_CHANNEL_INDEX(k, c, channels, spatial)] - mean;
        squares += d * d;
    }
    return kiln_block_sum<double>(squares, scratch);
}

// Channel c's mean and inverse standard deviation, in T (saved for the backward pass) and in double into
// stats[c] and stats[channels + c] (for bn_apply: the CPU normalises with the unrounded mean, and an F32 mean of
// 1000 is off by up to 3e-5, which moves values of spread 0.01 by 3e-3), and its running statistics updated (each
// may be absent on its own, as on the CPU backend; the running variance is the unbiased one), from its m values'
// mean and variance.
template <typename T> __device__ void bn_store_statistics(long long c, long long channels, double mean, double var,
                                                         double m, double eps, T* saveMean, T* saveInvStd,
                                                         double* stats, T* runningMean, T* runningVar,
                                                         double momentum) {
    double invStd = 1.0 / sqrt(var + eps);
    saveMean[c] = (T) mean;
    saveInvStd[c] = (T) invStd;
    stats[c] = mean;
    stats[channels + c] = invStd;
    if (runningMean != 0) {
        runningMean[c] = (T) ((1 - momentum) * (double) runningMean[c] + momentum * mean);
    }
    if (runningVar != 0) {
        double unbiased = var * m / (m - 1);
        runningVar[c] = (T) ((1 - momentum) * (double) runningVar[c] + momentum * unbiased);
    }
}

template <typename T> __device__ void bn_stats_impl(const T* x, long long n, long long channels, long long spatial,
                                                   double eps, T* saveMean, T* saveInvStd, double* stats,
                                                   T* runningMean, T* runningVar, double momentum) {
    __shared__ double scratch[32];
    long long values = n * spatial;
    double m = (double) values;
    for (long long c = blockIdx.x; c < channels; c += gridDim.x) {
        double mean = bn_sum<T>(x, c, 0, values, channels, spatial, scratch) / m;
        double var = bn_squares<T>(x, c, 0, values, mean, channels, spatial, scratch) / m;
        if (threadIdx.x == 0) {
            bn_store_statistics<T>(c, channels, mean, var, m, eps, saveMean, saveInvStd, stats, runningMean,
                                   runningVar, momentum);
        }
    }
}

// Statistics of one part of a channel: its count, its mean and the sum of squared deviations from that mean
// (two passes over the part), into partials[3 * b ...]; bn_stats_finish combines the parts of each channel.
template <typename T> __device__ void bn_stats_parts_impl(const T* x, long long n, long long channels,
                                                         long long spatial, long long parts, double* partials) {
    __shared__ double scratch[32];
    for (long long b = blockIdx.x; b < channels * parts; b += gridDim.x) {
        long long c, first, last;
        kiln_channel_part(b, parts, n * spatial, &c, &first, &last);
        double count = (double) (last - first);
        double sum = bn_sum<T>(x, c, first, last, channels, spatial, scratch);
        double mean = count > 0 ? sum / count : 0.0;
        double squares = bn_squares<T>(x, c, first, last, mean, channels, spatial, scratch);
        if (threadIdx.x == 0) {
            partials[3 * b] = count;
            partials[3 * b + 1] = mean;
            partials[3 * b + 2] = squares;
        }
    }
}

// Each channel's statistics from its parts (Chan et al.'s combination: the parts' squared deviations plus
// count * (part mean - mean)^2 each), stored as bn_stats stores them.
template <typename T> __device__ void bn_stats_finish_impl(const double* partials, long long channels,
                                                          long long parts, double eps, T* saveMean, T* saveInvStd,
                                                          double* stats, T* runningMean, T* runningVar,
                                                          double momentum) {
    KILN_FOR(c, channels) {
        const double* p = partials + 3 * c * parts;
        double m = 0;
        double weighted = 0;
        for (long long i = 0; i < parts; i++) {
            m += p[3 * i];
            weighted += p[3 * i] * p[3 * i + 1];
        }
        double mean = weighted / m;
        double squares = 0;
        for (long long i = 0; i < parts; i++) {
            double d = p[3 * i + 1] - mean;
            squares += p[3 * i + 2] + p[3 * i] * d * d;
        }
        bn_store_statistics<T>(c, channels, mean, squares / m, m, eps, saveMean, saveInvStd, stats, runningMean,
                               runningVar, momentum);
    }
}

// Inference: mean = runningMean, invStd = 1 / sqrt(runningVar + eps), in T and in double as bn_store_statistics.
template <typename T> __device__ void bn_inference_params_impl(const T* runningMean, const T* runningVar, double eps,
                                                              T* mean, T* invStd, double* stats, long long channels) {
    KILN_FOR(c, channels) {
        double is = 1.0 / sqrt((double) runningVar[c] + eps);
        mean[c] = runningMean[c];
        invStd[c] = (T) is;
        stats[c] = (double) runningMean[c];
        stats[channels + c] = is;
    }
}

// out = op(x * scale + shift), scale = invStd * weight and shift = bias - mean * scale in double from the double
// statistics (mean at stats[c], invStd at stats[channels + c]), as the CPU computes it; weight and bias may be
// null (1 and 0); op < 0: no activation.
template <typename T> __device__ void bn_apply_impl(const T* x, T* out, const double* stats, const T* weight,
                                                   const T* bias, long long n, long long channels,
                                                   long long spatial, int op, double param) {
    T p = (T) param;
    KILN_FOR(q, n * channels * spatial) {
        long long c = (q / spatial) % channels;
        double scale = stats[channels + c] * (weight != 0 ? (double) weight[c] : 1.0);
        double shift = (bias != 0 ? (double) bias[c] : 0.0) - stats[c] * scale;
        T v = (T) ((double) x[q] * scale + shift);
        out[q] = op < 0 ? v : unary_value<T>(op, p, v);
    }
}

// The gradient reaching batch norm's output at q: gradOut itself, or through an activation op (op >= 0) from the
// activation's output y.
template <typename T> __device__ inline T bn_output_gradient(const T* gradOut, const T* y, int op, T p, long long q) {
    return op < 0 ? gradOut[q] : activation_gradient<T>(op, p, y[q], y[q], gradOut[q]);
}

// The sums of g and of g * xhat over channel c's values [first, last) in double, g the gradient reaching batch
// norm's output and xhat = (x - mu) * is, each reduced over the block (every thread gets them).
template <typename T> __device__ void bn_backward_sums(const T* x, const T* gradOut, const T* y, int op, T p,
                                                      double mu, double is, long long c, long long first,
                                                      long long last, long long channels, long long spatial,
                                                      double* scratch, double* dy, double* dyx) {
    double sumG = 0;
    double sumGXhat = 0;
    KILN_RANGE_LOOP(k, first, last) {
        long long q = KILN_CHANNEL_INDEX(k, c, channels, spatial);
        double g = (double) bn_output_gradient<T>(gradOut, y, op, p, q);
        sumG += g;
        sumGXhat += g * ((double) x[q] - mu) * is;
    }
    *dy = kiln_block_sum<double>(sumG, scratch);
    *dyx = kiln_block_sum<double>(sumGXhat, scratch);
}

// sumDy[c] = sum(gradOut), sumDyXhat[c] = sum(gradOut * xhat) over channel c.
template <typename T> __device__ void bn_backward_reduce_impl(const T* x, const T* gradOut, const T* y, int op,
                                                             double param, const T* mean, const T* invStd,
                                                             T* sumDy, T* sumDyXhat, long long n, long long channels,
                                                             long long spatial) {
    __shared__ double scratch[32];
    T p = (T) param;
    for (long long c = blockIdx.x; c < channels; c += gridDim.x) {
        double dy;
        double dyx;
        bn_backward_sums<T>(x, gradOut, y, op, p, (double) mean[c], (double) invStd[c], c, 0, n * spatial, channels,
                            spatial, scratch, &dy, &dyx);
        if (threadIdx.x == 0) {
            sumDy[c] = (T) dy;
            sumDyXhat[c] = (T) dyx;
        }
    }
}

// bn_backward_reduce over one part of a channel (see kiln_channel_part): its two sums into partials[2 * b ...].
template <typename T> __device__ void bn_backward_reduce_parts_impl(const T* x, const T* gradOut, const T* y,
                                                                   int op, double param, const T* mean,
                                                                   const T* invStd, long long n, long long channels,
                                                                   long long spatial, long long parts,
                                                                   double* partials) {
    __shared__ double scratch[32];
    T p = (T) param;
    for (long long b = blockIdx.x; b < channels * parts; b += gridDim.x) {
        long long c, first, last;
        kiln_channel_part(b, parts, n * spatial, &c, &first, &last);
        double dy;
        double dyx;
        bn_backward_sums<T>(x, gradOut, y, op, p, (double) mean[c], (double) invStd[c], c, first, last, channels,
                            spatial, scratch, &dy, &dyx);
        if (threadIdx.x == 0) {
            partials[2 * b] = dy;
            partials[2 * b + 1] = dyx;
        }
    }
}

// sumDy[c] and sumDyXhat[c]: the sums of channel c's parts, in part order.
template <typename T> __device__ void bn_backward_finish_impl(const double* partials, long long channels,
                                                             long long parts, T* sumDy, T* sumDyXhat) {
    KILN_FOR(c, channels) {
        double dy = 0;
        double dyx = 0;
        for (long long i = 0; i < parts; i++) {
            dy += partials[2 * (c * parts + i)];
            dyx += partials[2 * (c * parts + i) + 1];
        }
        sumDy[c] = (T) dy;
        sumDyXhat[c] = (T) dyx;
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
        double sum = bn_sum<T>(x, c, 0, n * spatial, channels, spatial, scratch);
        if (threadIdx.x == 0) {
            out[c] = (T) sum;
        }
    }
}

// channel_sum over one part of a channel (see kiln_channel_part): block b's sum into partials[b].
template <typename T> __device__ void channel_sum_parts_impl(const T* x, long long n, long long channels,
                                                            long long spatial, long long parts, double* partials) {
    __shared__ double scratch[32];
    for (long long b = blockIdx.x; b < channels * parts; b += gridDim.x) {
        long long c, first, last;
        kiln_channel_part(b, parts, n * spatial, &c, &first, &last);
        double sum = bn_sum<T>(x, c, first, last, channels, spatial, scratch);
        if (threadIdx.x == 0) {
            partials[b] = sum;
        }
    }
}

// out[c] = the sum of channel c's parts partials[c * parts ...], in order.
template <typename T> __device__ void channel_sum_finish_impl(const double* partials, long long channels,
                                                             long long parts, T* out) {
    KILN_FOR(c, channels) {
        double sum = 0;
        for (long long i = 0; i < parts; i++) {
            sum += partials[c * parts + i];
        }
        out[c] = (T) sum;
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
                                            double eps, T* saveMean, T* saveInvStd, double* stats, \
                                            T* runningMean, T* runningVar, double momentum) { \
        bn_stats_impl<T>(x, n, channels, spatial, eps, saveMean, saveInvStd, stats, runningMean, runningVar, \
                         momentum); \
    } \
    extern "C" __global__ void bn_stats_parts_##S(const T* x, long long n, long long channels, long long spatial, \
                                                  long long parts, double* partials) { \
        bn_stats_parts_impl<T>(x, n, channels, spatial, parts, partials); \
    } \
    extern "C" __global__ void bn_stats_finish_##S(const double* partials, long long channels, long long parts, \
                                                   double eps, T* saveMean, T* saveInvStd, double* stats, \
                                                   T* runningMean, T* runningVar, double momentum) { \
        bn_stats_finish_impl<T>(partials, channels, parts, eps, saveMean, saveInvStd, stats, runningMean, \
                                runningVar, momentum); \
    } \
    extern "C" __global__ void bn_backward_reduce_parts_##S(const T* x, const T* gradOut, const T* y, int op, \
                                                            double param, const T* mean, const T* invStd, \
                                                            long long n, long long channels, long long spatial, \
                                                            long long parts, double* partials) { \
        bn_backward_reduce_parts_impl<T>(x, gradOut, y, op, param, mean, invStd, n, channels, spatial, parts, \
                                         partials); \
    } \
    extern "C" __global__ void bn_backward_finish_##S(const double* partials, long long channels, long long parts, \
                                                      T* sumDy, T* sumDyXhat) { \
        bn_backward_finish_impl<T>(partials, channels, parts, sumDy, sumDyXhat); \
    } \
    extern "C" __global__ void bn_inference_params_##S(const T* runningMean, const T* runningVar, double eps, \
                                                       T* mean, T* invStd, double* stats, long long channels) { \
        bn_inference_params_impl<T>(runningMean, runningVar, eps, mean, invStd, stats, channels); \
    } \
    extern "C" __global__ void bn_apply_##S(const T* x, T* out, const double* stats, const T* weight, \
                                            const T* bias, long long n, long long channels, long long spatial, \
                                            int op, double param) { \
        bn_apply_impl<T>(x, out, stats, weight, bias, n, channels, spatial, op, param); \
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
    extern "C" __global__ void channel_sum_parts_##S(const T* x, long long n, long long channels, \
                                                     long long spatial, long long parts, double* partials) { \
        channel_sum_parts_impl<T>(x, n, channels, spatial, parts, partials); \
    } \
    extern "C" __global__ void channel_sum_finish_##S(const double* partials, long long channels, long long parts, \
                                                      T* out) { \
        channel_sum_finish_impl<T>(partials, channels, parts, out); \
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
