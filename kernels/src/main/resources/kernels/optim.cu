// Fused optimizer steps (Backend SPI section 9): one pass over parameter, gradient and state, with
// the exact formulas of dev.kiln.engine.Backend#sgdUpdate and #adamUpdate (PyTorch's).
#include "kiln_common.cuh"

template <typename T> __device__ void sgd_update_impl(T* param, const T* grad, T* momentumBuffer, long long n,
                                                     double lr, double momentum, double dampening,
                                                     double weightDecay, int nesterov, int firstStep) {
    T l = (T) lr;
    T mu = (T) momentum;
    // 1 - dampening in double, then rounded, as the composite's affine does.
    T undamped = (T) (1 - dampening);
    T wd = (T) weightDecay;
    KILN_FOR(i, n) {
        T d = grad[i];
        if (weightDecay != 0) {
            d += wd * param[i];
        }
        if (momentum != 0) {
            T buf = firstStep ? d : mu * momentumBuffer[i] + (dampening != 0 ? undamped * d : d);
            momentumBuffer[i] = buf;
            d = nesterov ? d + mu * buf : buf;
        }
        param[i] -= l * d;
    }
}

// Adam's per-step constants in the element type. stepSize = lr / (1 - beta1^step) and invSqrtCorrection2 =
// 1 / sqrt(1 - beta2^step) come from the host, in double.
template <typename T> struct AdamConstants {
    T b1, b2, wd, decay, oneMinusB1, oneMinusB2, stepSize, invSqrtCorrection2, eps;
    bool decays, decoupled;
};

template <typename T> __device__ AdamConstants<T> adam_constants(double lr, double beta1, double beta2, double eps,
                                                                 double weightDecay, int decoupled, double stepSize,
                                                                 double invSqrtCorrection2) {
    AdamConstants<T> c;
    c.b1 = (T) beta1;
    c.b2 = (T) beta2;
    c.wd = (T) weightDecay;
    c.decay = (T) (1 - lr * weightDecay);
    // 1 - beta in double, then rounded, as the composite's affine and the CPU do: 1 - (float) 0.999 is
    // 1.3e-5 (relative) away from (float) 0.001.
    c.oneMinusB1 = (T) (1 - beta1);
    c.oneMinusB2 = (T) (1 - beta2);
    c.stepSize = (T) stepSize;
    c.invSqrtCorrection2 = (T) invSqrtCorrection2;
    c.eps = (T) eps;
    c.decays = weightDecay != 0;
    c.decoupled = decoupled != 0;
    return c;
}

// One Adam step of element i.
template <typename T> __device__ inline void adam_step(T* param, const T* grad, T* expAvg, T* expAvgSq, long long i,
                                                       const AdamConstants<T>& c) {
    T p = param[i];
    T g = grad[i];
    if (c.decays) {
        if (c.decoupled) {
            p *= c.decay;
        } else {
            g += c.wd * p;
        }
    }
    T m = c.b1 * expAvg[i] + c.oneMinusB1 * g;
    T v = c.b2 * expAvgSq[i] + c.oneMinusB2 * (g * g);
    expAvg[i] = m;
    expAvgSq[i] = v;
    T denom = k_sqrt(v) * c.invSqrtCorrection2 + c.eps;
    param[i] = p - c.stepSize * m / denom;
}

template <typename T> __device__ void adam_update_impl(T* param, const T* grad, T* expAvg, T* expAvgSq, long long n,
                                                      double lr, double beta1, double beta2, double eps,
                                                      double weightDecay, int decoupled, double stepSize,
                                                      double invSqrtCorrection2) {
    AdamConstants<T> c = adam_constants<T>(lr, beta1, beta2, eps, weightDecay, decoupled, stepSize,
                                           invSqrtCorrection2);
    KILN_FOR(i, n) {
        adam_step<T>(param, grad, expAvg, expAvgSq, i, c);
    }
}

// Up to KILN_TENSOR_LIST parameters with their gradients and Adam state, passed by value (1,280 bytes of the
// 4 KiB of kernel arguments): tensor t holds elements [end[t - 1], end[t]) of the list's concatenation.
#define KILN_TENSOR_LIST 32
struct AdamTensorList {
    long long param[KILN_TENSOR_LIST];
    long long grad[KILN_TENSOR_LIST];
    long long expAvg[KILN_TENSOR_LIST];
    long long expAvgSq[KILN_TENSOR_LIST];
    long long end[KILN_TENSOR_LIST];
};

// adam_update for every tensor of the list in one launch: a grid-stride loop over the concatenation, each
// thread moving on to the next tensor as its index passes the current one's end.
template <typename T> __device__ void adam_updates_impl(AdamTensorList list, int count, double lr, double beta1,
                                                       double beta2, double eps, double weightDecay, int decoupled,
                                                       double stepSize, double invSqrtCorrection2) {
    AdamConstants<T> c = adam_constants<T>(lr, beta1, beta2, eps, weightDecay, decoupled, stepSize,
                                           invSqrtCorrection2);
    int t = 0;
    KILN_FOR(i, list.end[count - 1]) {
        while (i >= list.end[t]) {
            t++;
        }
        long long start = t == 0 ? 0 : list.end[t - 1];
        adam_step<T>((T*) list.param[t], (const T*) list.grad[t], (T*) list.expAvg[t], (T*) list.expAvgSq[t],
                     i - start, c);
    }
}

#define KILN_OPTIM(T, S) \
    extern "C" __global__ void sgd_update_##S(T* param, const T* grad, T* momentumBuffer, long long n, double lr, \
                                              double momentum, double dampening, double weightDecay, int nesterov, \
                                              int firstStep) { \
        sgd_update_impl<T>(param, grad, momentumBuffer, n, lr, momentum, dampening, weightDecay, nesterov, \
                           firstStep); \
    } \
    extern "C" __global__ void adam_update_##S(T* param, const T* grad, T* expAvg, T* expAvgSq, long long n, \
                                               double lr, double beta1, double beta2, double eps, \
                                               double weightDecay, int decoupled, double stepSize, \
                                               double invSqrtCorrection2) { \
        adam_update_impl<T>(param, grad, expAvg, expAvgSq, n, lr, beta1, beta2, eps, weightDecay, decoupled, \
                            stepSize, invSqrtCorrection2); \
    } \
    extern "C" __global__ void adam_updates_##S(AdamTensorList list, int count, double lr, double beta1, \
                                                double beta2, double eps, double weightDecay, int decoupled, \
                                                double stepSize, double invSqrtCorrection2) { \
        adam_updates_impl<T>(list, count, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, \
                             invSqrtCorrection2); \
    }
KILN_FLOAT_TYPES(KILN_OPTIM)
