// Fused LSTM and GRU cell math for one step after the GEMMs (Backend SPI section 10), the formulas of
// dev.kiln.engine.Backend#lstmCellForward and friends (PyTorch's gate orders). One thread per
// (row, hidden unit); gates are [batch, 4H] or [batch, 3H] row-major.
#include "kiln_common.cuh"

template <typename T> __device__ void lstm_forward_impl(const T* gates, const T* c, T* hOut, T* cOut, T* act,
                                                       long long batch, long long hidden) {
    KILN_FOR(q, batch * hidden) {
        long long b = q / hidden;
        long long j = q % hidden;
        const T* g = gates + b * 4 * hidden;
        T* a = act + b * 4 * hidden;
        T i = k_sigmoid(g[j]);
        T f = k_sigmoid(g[hidden + j]);
        T gg = k_tanh(g[2 * hidden + j]);
        T o = k_sigmoid(g[3 * hidden + j]);
        T cNew = f * c[q] + i * gg;
        cOut[q] = cNew;
        hOut[q] = o * k_tanh(cNew);
        a[j] = i;
        a[hidden + j] = f;
        a[2 * hidden + j] = gg;
        a[3 * hidden + j] = o;
    }
}

template <typename T> __device__ void lstm_backward_impl(const T* act, const T* c, const T* cOut, const T* gradH,
                                                        const T* gradC, T* gradGates, T* gradCPrev,
                                                        long long batch, long long hidden) {
    KILN_FOR(q, batch * hidden) {
        long long b = q / hidden;
        long long j = q % hidden;
        const T* a = act + b * 4 * hidden;
        T* gg = gradGates + b * 4 * hidden;
        T i = a[j];
        T f = a[hidden + j];
        T g = a[2 * hidden + j];
        T o = a[3 * hidden + j];
        T tc = k_tanh(cOut[q]);
        T dc = gradC[q] + gradH[q] * o * (T(1) - tc * tc);
        gg[j] = dc * g * i * (T(1) - i);
        gg[hidden + j] = dc * c[q] * f * (T(1) - f);
        gg[2 * hidden + j] = dc * i * (T(1) - g * g);
        gg[3 * hidden + j] = gradH[q] * tc * o * (T(1) - o);
        gradCPrev[q] = dc * f;
    }
}

template <typename T> __device__ void gru_forward_impl(const T* inputGates, const T* hiddenGates, const T* h,
                                                      T* hOut, T* act, long long batch, long long hidden) {
    KILN_FOR(q, batch * hidden) {
        long long b = q / hidden;
        long long j = q % hidden;
        const T* x = inputGates + b * 3 * hidden;
        const T* y = hiddenGates + b * 3 * hidden;
        T* a = act + b * 3 * hidden;
        T r = k_sigmoid(x[j] + y[j]);
        T z = k_sigmoid(x[hidden + j] + y[hidden + j]);
        T n = k_tanh(x[2 * hidden + j] + r * y[2 * hidden + j]);
        hOut[q] = (T(1) - z) * n + z * h[q];
        a[j] = r;
        a[hidden + j] = z;
        a[2 * hidden + j] = n;
    }
}

template <typename T> __device__ void gru_backward_impl(const T* act, const T* hiddenGates, const T* h,
                                                       const T* gradHOut, T* gradInputGates, T* gradHiddenGates,
                                                       T* gradH, long long batch, long long hidden) {
    KILN_FOR(q, batch * hidden) {
        long long b = q / hidden;
        long long j = q % hidden;
        const T* a = act + b * 3 * hidden;
        T r = a[j];
        T z = a[hidden + j];
        T n = a[2 * hidden + j];
        T hn = hiddenGates[b * 3 * hidden + 2 * hidden + j];
        T go = gradHOut[q];
        T dn = go * (T(1) - z) * (T(1) - n * n);
        T dr = dn * hn * r * (T(1) - r);
        T dz = go * (h[q] - n) * z * (T(1) - z);
        T* gi = gradInputGates + b * 3 * hidden;
        T* gh = gradHiddenGates + b * 3 * hidden;
        gi[j] = dr;
        gi[hidden + j] = dz;
        gi[2 * hidden + j] = dn;
        gh[j] = dr;
        gh[hidden + j] = dz;
        gh[2 * hidden + j] = dn * r;
        gradH[q] = go * z;
    }
}

#define KILN_RECURRENT(T, S) \
    extern "C" __global__ void lstm_cell_forward_##S(const T* gates, const T* c, T* hOut, T* cOut, T* act, \
                                                     long long batch, long long hidden) { \
        lstm_forward_impl<T>(gates, c, hOut, cOut, act, batch, hidden); \
    } \
    extern "C" __global__ void lstm_cell_backward_##S(const T* act, const T* c, const T* cOut, const T* gradH, \
                                                      const T* gradC, T* gradGates, T* gradCPrev, long long batch, \
                                                      long long hidden) { \
        lstm_backward_impl<T>(act, c, cOut, gradH, gradC, gradGates, gradCPrev, batch, hidden); \
    } \
    extern "C" __global__ void gru_cell_forward_##S(const T* inputGates, const T* hiddenGates, const T* h, T* hOut, \
                                                    T* act, long long batch, long long hidden) { \
        gru_forward_impl<T>(inputGates, hiddenGates, h, hOut, act, batch, hidden); \
    } \
    extern "C" __global__ void gru_cell_backward_##S(const T* act, const T* hiddenGates, const T* h, \
                                                     const T* gradHOut, T* gradInputGates, T* gradHiddenGates, \
                                                     T* gradH, long long batch, long long hidden) { \
        gru_backward_impl<T>(act, hiddenGates, h, gradHOut, gradInputGates, gradHiddenGates, gradH, batch, hidden); \
    }
KILN_FLOAT_TYPES(KILN_RECURRENT)
