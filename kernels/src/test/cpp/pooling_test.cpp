// pooling.cu's kernels. Forward: max pooling's value and index against the CPU backend's rules (the first maximum
// in row-major window order, the last NaN wins, +0 above -0 as Math.max, padding excluded) on values full of ties,
// signed zeros and NaNs, and average pooling (padding counted as zeros, each window divided by the taps of it that
// lie in the padded input, or with countIncludePad 0 in the input). Backward: the kernels gather, per input element,
// what the windows covering it send; the reference scatters each window's gradient in ascending window order, as
// the CPU backend does (CpuPooling, MaxPoolF32). Random geometries, in ceil mode (PyTorch's ceil_mode: the last
// windows may hang over the input) or not.
#include "kiln_host.h"
#include "pooling.cu"

#include <vector>

// PyTorch's pooling_output_shape: windows along an axis of this size, 0 when the kernel does not fit; in ceil mode
// rounded up, less a last window that would start in the far padding.
static long long windows(long long size, long long kernel, long long stride, long long pad, bool ceil) {
    long long span = size + 2 * pad - kernel;
    if (span < 0) {
        return 0;
    }
    long long n = (ceil ? span + stride - 1 : span) / stride + 1;
    return ceil && (n - 1) * stride >= size + pad ? n - 1 : n;
}

static Pool geometry() {
    Pool g;
    g.planes = 1 + kiln_random(3);
    g.height = 1 + kiln_random(9);
    g.width = 1 + kiln_random(9);
    g.kernelH = 1 + kiln_random(4);
    g.kernelW = 1 + kiln_random(4);
    g.strideH = 1 + kiln_random(4);
    g.strideW = 1 + kiln_random(4);
    g.padH = kiln_random(g.kernelH / 2 + 1);
    g.padW = kiln_random(g.kernelW / 2 + 1);
    bool ceil = kiln_random(2) == 0;
    g.outH = windows(g.height, g.kernelH, g.strideH, g.padH, ceil);
    g.outW = windows(g.width, g.kernelW, g.strideW, g.padW, ceil);
    g.countIncludePad = kiln_random(2);
    return g;
}

// Window o's rows [*begin, *end) along one axis, padding excluded.
static void span(long long o, long long stride, long long pad, long long kernel, long long size, long long* begin,
                 long long* end) {
    long long first = o * stride - pad;
    *begin = first < 0 ? 0 : first;
    *end = first + kernel < size ? first + kernel : size;
}

// Average pooling's divisor for window o along one axis: its taps in the padded input [-pad, size + pad), or
// with countIncludePad 0 in the input [0, size).
static long long taps(long long o, long long stride, long long pad, long long kernel, long long size,
                      long long countIncludePad) {
    long long low = countIncludePad ? -pad : 0;
    long long high = countIncludePad ? size + pad : size;
    long long n = 0;
    for (long long i = o * stride - pad; i < o * stride - pad + kernel; i++) {
        n += i >= low && i < high;
    }
    return n;
}

static double divisor(long long q, const Pool& g) {
    return (double) (taps((q / g.outW) % g.outH, g.strideH, g.padH, g.kernelH, g.height, g.countIncludePad)
                     * taps(q % g.outW, g.strideW, g.padW, g.kernelW, g.width, g.countIncludePad));
}

template <typename T> static void check(const Pool& g, void (*maxBackward)(const T*, const long long*, T*, Pool),
                                        void (*avgBackward)(const T*, T*, Pool)) {
    long long outPlane = g.outH * g.outW;
    long long inPlane = g.height * g.width;
    std::vector<T> gradOut(g.planes * outPlane);
    std::vector<long long> indices(gradOut.size());
    std::vector<T> maxExpected(g.planes * inPlane, T(0));
    std::vector<double> avgExpected(maxExpected.size(), 0.0);
    for (long long q = 0; q < (long long) gradOut.size(); q++) {
        gradOut[q] = (T) ((kiln_random(2001) - 1000) / 7.0);
        long long plane = q / outPlane;
        long long h0, h1, w0, w1;
        span((q / g.outW) % g.outH, g.strideH, g.padH, g.kernelH, g.height, &h0, &h1);
        span(q % g.outW, g.strideW, g.padW, g.kernelW, g.width, &w0, &w1);
        indices[q] = (h0 + kiln_random(h1 - h0)) * g.width + w0 + kiln_random(w1 - w0);
        maxExpected[plane * inPlane + indices[q]] += gradOut[q];
        for (long long h = h0; h < h1; h++) {
            for (long long w = w0; w < w1; w++) {
                avgExpected[plane * inPlane + h * g.width + w] += (double) gradOut[q] / divisor(q, g);
            }
        }
    }
    std::vector<T> maxActual(maxExpected.size(), T(-1));
    std::vector<T> avgActual(maxExpected.size(), T(-1));
    maxBackward(gradOut.data(), indices.data(), maxActual.data(), g);
    avgBackward(gradOut.data(), avgActual.data(), g);
    for (size_t i = 0; i < maxExpected.size(); i++) {
        KILN_CHECK(maxActual[i] == maxExpected[i], "max-pool gradient at %zu: %g, expected %g", i,
                   (double) maxActual[i], (double) maxExpected[i]);
        KILN_CHECK(avgActual[i] == (T) avgExpected[i], "avg-pool gradient at %zu: %g, expected %g", i,
                   (double) avgActual[i], (double) (T) avgExpected[i]);
    }
}

// Java's Math.max: NaN if either is, +0 above -0.
static double java_max(double a, double b) {
    if (a != a || b != b) {
        return NAN;
    }
    if (a == 0 && b == 0) {
        return signbit(a) ? b : a;
    }
    return a > b ? a : b;
}

template <typename T> static void check_forward(const Pool& g, void (*maxForward)(const T*, T*, long long*, Pool),
                                                void (*avgForward)(const T*, T*, Pool)) {
    const double values[] = {-1.0, -0.0, 0.0, 1.0, 2.0, NAN};
    long long outPlane = g.outH * g.outW;
    std::vector<T> in(g.planes * g.height * g.width);
    for (auto& v : in) {
        v = (T) values[kiln_random(kiln_random(8) == 0 ? 6 : 5)];
    }
    std::vector<T> out(g.planes * outPlane), avg(out.size());
    std::vector<long long> indices(out.size());
    maxForward(in.data(), out.data(), indices.data(), g);
    avgForward(in.data(), avg.data(), g);
    for (long long q = 0; q < (long long) out.size(); q++) {
        const T* plane = in.data() + (q / outPlane) * g.height * g.width;
        long long h0, h1, w0, w1;
        span((q / g.outW) % g.outH, g.strideH, g.padH, g.kernelH, g.height, &h0, &h1);
        span(q % g.outW, g.strideW, g.padW, g.kernelW, g.width, &w0, &w1);
        long long best = -1;
        double value = 0;
        double sum = 0;
        for (long long h = h0; h < h1; h++) {
            for (long long w = w0; w < w1; w++) {
                double v = plane[h * g.width + w];
                sum += v;
                double bestValue = best < 0 ? 0 : plane[best];
                if (best < 0 || v > bestValue || v != v) {
                    best = h * g.width + w;
                }
                value = best == h * g.width + w && h == h0 && w == w0 ? v : java_max(value, v);
            }
        }
        bool nan = plane[best] != plane[best];
        KILN_CHECK(indices[q] == best, "max-pool index of window %lld: %lld, expected %lld", q, indices[q], best);
        KILN_CHECK(nan ? out[q] != out[q] : (out[q] == value && signbit(out[q]) == signbit(value)),
                   "max-pool value of window %lld: %g, expected %g", q, (double) out[q], nan ? NAN : value);
        double mean = sum / divisor(q, g);
        KILN_CHECK(mean != mean ? avg[q] != avg[q] : avg[q] == (T) mean, "avg-pool value of window %lld: %g, expected %g",
                   q, (double) avg[q], mean);
    }
}

int main() {
    int geometries = 0;
    int overhanging = 0;
    for (int trial = 0; trial < 2000; trial++) {
        Pool g = geometry();
        if (g.outH == 0 || g.outW == 0) {
            continue;
        }
        geometries++;
        overhanging += (g.outH - 1) * g.strideH - g.padH + g.kernelH > g.height + g.padH
                || (g.outW - 1) * g.strideW - g.padW + g.kernelW > g.width + g.padW;
        check<float>(g, max_pool_backward_f32, avg_pool_backward_f32);
        check<double>(g, max_pool_backward_f64, avg_pool_backward_f64);
        check_forward<float>(g, max_pool_forward_f32, avg_pool_forward_f32);
        check_forward<double>(g, max_pool_forward_f64, avg_pool_forward_f64);
    }
    KILN_CHECK(overhanging > 100, "only %d geometries have a window hanging over the padded input", overhanging);
    printf("pooling forward and backward: %d geometries (%d with a window hanging over) in F32 and F64, %d failures\n",
           geometries, overhanging, kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
