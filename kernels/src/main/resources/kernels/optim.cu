// Fused optimizer steps (Backend SPI section 9): one pass over parameter, gradient and state, with
// the exact formulas of dev.kiln.engine.Backend#sgdUpdate and #adamUpdate (PyTorch's).
#include "kiln_common.cuh"

template <typename T> __device__ void sgd_update_impl(T* param, const T* grad, T* momentumBuffer, long long n,
                                                     double lr, double momentum, double weightDecay,
                                                     int nesterov, int firstStep) {
    T l = (T) lr;
    T mu = (T) momentum;
    T wd = (T) weightDecay;
    KILN_FOR(i, n) {
        T d = grad[i];
        if (weightDecay != 0) {
            d += wd * param[i];
        }
        if (momentum != 0) {
            T buf = firstStep ? d : mu * momentumBuffer[i] + d;
            momentumBuffer[i] = buf;
            d = nesterov ? d + mu * buf : buf;
        }
        param[i] -= l * d;
    }
}

// stepSize = lr / (1 - beta1^step) and invSqrtCorrection2 = 1 / sqrt(1 - beta2^step), from the host.
template <typename T> __device__ void adam_update_impl(T* param, const T* grad, T* expAvg, T* expAvgSq, long long n,
                                                      double lr, double beta1, double beta2, double eps,
                                                      double weightDecay, int decoupled, double stepSize,
                                                      double invSqrtCorrection2) {
    T b1 = (T) beta1;
    T b2 = (T) beta2;
    T wd = (T) weightDecay;
    T decay = (T) (1 - lr * weightDecay);
    // 1 - beta in double, then rounded, as the composite's affine and the CPU do: 1 - (float) 0.999 is
    // 1.3e-5 (relative) away from (float) 0.001.
    T oneMinusB1 = (T) (1 - beta1);
    T oneMinusB2 = (T) (1 - beta2);
    KILN_FOR(i, n) {
        T p = param[i];
        T g = grad[i];
        if (weightDecay != 0) {
            if (decoupled) {
                p *= decay;
            } else {
                g += wd * p;
            }
        }
        T m = b1 * expAvg[i] + oneMinusB1 * g;
        T v = b2 * expAvgSq[i] + oneMinusB2 * (g * g);
        expAvg[i] = m;
        expAvgSq[i] = v;
        T denom = k_sqrt(v) * (T) invSqrtCorrection2 + (T) eps;
        param[i] = p - (T) stepSize * m / denom;
    }
}

#define KILN_OPTIM(T, S) \
    extern "C" __global__ void sgd_update_##S(T* param, const T* grad, T* momentumBuffer, long long n, double lr, \
                                              double momentum, double weightDecay, int nesterov, int firstStep) { \
        sgd_update_impl<T>(param, grad, momentumBuffer, n, lr, momentum, weightDecay, nesterov, firstStep); \
    } \
    extern "C" __global__ void adam_update_##S(T* param, const T* grad, T* expAvg, T* expAvgSq, long long n, \
                                               double lr, double beta1, double beta2, double eps, \
                                               double weightDecay, int decoupled, double stepSize, \
                                               double invSqrtCorrection2) { \
        adam_update_impl<T>(param, grad, expAvg, expAvgSq, n, lr, beta1, beta2, eps, weightDecay, decoupled, \
                            stepSize, invSqrtCorrection2); \
    }
KILN_FLOAT_TYPES(KILN_OPTIM)
