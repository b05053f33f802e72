// Layer normalisation over the last axis of x viewed as [rows, features], as the CPU backend's CpuLayerNorm: one
// block per row, its sums in double over the block, the variance in two passes (mean first) so that large offsets
// do not cancel. The weight's and bias's gradients by a column reduction: the rows cut into parts of rowsPerPart
// (the host's choice), one thread per (part, feature) summing its part's rows in double, then one thread per
// feature adding the parts in order, so that the result does not depend on the launch.
#include "kiln_common.cuh"

// Row r's mean and reciprocal standard deviation into mean[r] and rstd[r] (in T), and
// out = (x - mean) * rstd * weight + bias in double; weight and bias may each be null (1 and 0).
template <typename T> __device__ void ln_forward_impl(const T* x, const T* weight, const T* bias, double eps, T* out,
                                                     T* mean, T* rstd, long long rows, long long features) {
    __shared__ double scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* row = x + r * features;
        double sum = 0;
        KILN_RANGE_LOOP(j, 0, features) {
            sum += (double) row[j];
        }
        double mu = kiln_block_sum<double>(sum, scratch) / features;
        double squares = 0;
        KILN_RANGE_LOOP(j, 0, features) {
            double d = (double) row[j] - mu;
            squares += d * d;
        }
        double rs = 1.0 / sqrt(kiln_block_sum<double>(squares, scratch) / features + eps);
        KILN_RANGE_LOOP(j, 0, features) {
            double v = ((double) row[j] - mu) * rs;
            v = v * (weight != 0 ? (double) weight[j] : 1.0) + (bias != 0 ? (double) bias[j] : 0.0);
            out[r * features + j] = (T) v;
        }
        if (threadIdx.x == 0) {
            mean[r] = (T) mu;
            rstd[r] = (T) rs;
        }
    }
}

// Row r's mean again in double into exactMean[r], from the saved one (rounded to T: an F32 mean of 1000 is off by up
// to 3e-5, which against a spread of 0.01 would move every xhat) and the row's deviations from it; then, unless
// gradX is null, gradX = rstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat)) with gxhat = gradOut * weight
// (weight null: 1), the difference from the mean first so that a row of one feature gives exactly 0.
template <typename T> __device__ void ln_backward_input_impl(const T* gradOut, const T* x, const T* mean,
                                                            const T* rstd, const T* weight, T* gradX,
                                                            double* exactMean, long long rows, long long features) {
    __shared__ double scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* row = x + r * features;
        const T* g = gradOut + r * features;
        double saved = (double) mean[r];
        double deviations = 0;
        KILN_RANGE_LOOP(j, 0, features) {
            deviations += (double) row[j] - saved;
        }
        double mu = saved + kiln_block_sum<double>(deviations, scratch) / features;
        if (threadIdx.x == 0) {
            exactMean[r] = mu;
        }
        if (gradX == 0) {
            continue;
        }
        double rs = (double) rstd[r];
        double sumG = 0;
        double sumGXhat = 0;
        KILN_RANGE_LOOP(j, 0, features) {
            double gxhat = (double) g[j] * (weight != 0 ? (double) weight[j] : 1.0);
            sumG += gxhat;
            sumGXhat += gxhat * ((double) row[j] - mu) * rs;
        }
        double meanG = kiln_block_sum<double>(sumG, scratch) / features;
        double meanGXhat = kiln_block_sum<double>(sumGXhat, scratch) / features;
        KILN_RANGE_LOOP(j, 0, features) {
            double gxhat = (double) g[j] * (weight != 0 ? (double) weight[j] : 1.0);
            double xhat = ((double) row[j] - mu) * rs;
            gradX[r * features + j] = (T) (rs * ((gxhat - meanG) - xhat * meanGXhat));
        }
    }
}

// Thread (part, j) of parts * features: the sums of gradOut * xhat and of gradOut over feature j of the rows
// [part * rowsPerPart, ...), in row order, into partials[2 * (part * features + j) ...].
template <typename T> __device__ void ln_backward_params_parts_impl(const T* gradOut, const T* x,
                                                                   const double* exactMean, const T* rstd,
                                                                   long long rows, long long features,
                                                                   long long rowsPerPart, double* partials) {
    long long parts = (rows + rowsPerPart - 1) / rowsPerPart;
    KILN_FOR(i, parts * features) {
        long long part = i / features;
        long long j = i % features;
        long long last = (part + 1) * rowsPerPart < rows ? (part + 1) * rowsPerPart : rows;
        double sumGXhat = 0;
        double sumG = 0;
        for (long long r = part * rowsPerPart; r < last; r++) {
            double g = (double) gradOut[r * features + j];
            sumGXhat += g * ((double) x[r * features + j] - exactMean[r]) * (double) rstd[r];
            sumG += g;
        }
        partials[2 * i] = sumGXhat;
        partials[2 * i + 1] = sumG;
    }
}

// gradWeight[j] and gradBias[j] (each may be null): feature j's partial sums added in part order.
template <typename T> __device__ void ln_backward_params_finish_impl(const double* partials, long long parts,
                                                                    long long features, T* gradWeight,
                                                                    T* gradBias) {
    KILN_FOR(j, features) {
        double sumGXhat = 0;
        double sumG = 0;
        for (long long part = 0; part < parts; part++) {
            sumGXhat += partials[2 * (part * features + j)];
            sumG += partials[2 * (part * features + j) + 1];
        }
        if (gradWeight != 0) {
            gradWeight[j] = (T) sumGXhat;
        }
        if (gradBias != 0) {
            gradBias[j] = (T) sumG;
        }
    }
}

#define KILN_LAYERNORM(T, S) \
    extern "C" __global__ void ln_forward_##S(const T* x, const T* weight, const T* bias, double eps, T* out, \
                                              T* mean, T* rstd, long long rows, long long features) { \
        ln_forward_impl<T>(x, weight, bias, eps, out, mean, rstd, rows, features); \
    } \
    extern "C" __global__ void ln_backward_input_##S(const T* gradOut, const T* x, const T* mean, const T* rstd, \
                                                     const T* weight, T* gradX, double* exactMean, long long rows, \
                                                     long long features) { \
        ln_backward_input_impl<T>(gradOut, x, mean, rstd, weight, gradX, exactMean, rows, features); \
    } \
    extern "C" __global__ void ln_backward_params_parts_##S(const T* gradOut, const T* x, const double* exactMean, \
                                                            const T* rstd, long long rows, long long features, \
                                                            long long rowsPerPart, double* partials) { \
        ln_backward_params_parts_impl<T>(gradOut, x, exactMean, rstd, rows, features, rowsPerPart, partials); \
    } \
    extern "C" __global__ void ln_backward_params_finish_##S(const double* partials, long long parts, \
                                                             long long features, T* gradWeight, T* gradBias) { \
        ln_backward_params_finish_impl<T>(partials, parts, features, gradWeight, gradBias); \
    }
KILN_FLOAT_TYPES(KILN_LAYERNORM)
