// reduce.cu's sums, maxima and argmax (rows, columns, in parts), hit counting (argmax's rule), softmax, log-softmax
// (forward and backward) and softmax cross-entropy against a log-sum-exp reference in double (CpuSoftmax
// computes the same), edge rows included, and the cross-entropy gradient with the scale of a mean:
// (probs - onehot(target)) * (gradLoss * scale), the scaled gradient rounded to the element type as affine rounds it.
#include "kiln_host.h"
#include "reduce.cu"

#include <vector>

// One row's softmax, log-softmax and loss at target in double, stable as the kernels are.
static void reference_row(const std::vector<double>& x, long long target, std::vector<double>* softmax,
                          std::vector<double>* logSoftmax, double* loss) {
    double m = x[0];
    for (double v : x) {
        m = v > m || v != v ? v : m;
    }
    double sum = 0;
    for (double v : x) {
        sum += exp(v - m);
    }
    if (m - m != 0) {
        // a maximum of -inf or NaN: exp(x - m) gives NaN itself; one of +inf: the row is NaN, as on the CPU
        sum = m > 0 ? NAN : 1;
    }
    softmax->clear();
    logSoftmax->clear();
    for (double v : x) {
        softmax->push_back(exp(v - m) / sum);
        logSoftmax->push_back((v - m) - log(sum));
    }
    *loss = (m - x[target]) + log(sum);
}

static bool same(double actual, double expected, double tolerance) {
    if (expected != expected) {
        return actual != actual;
    }
    if (isinf(expected)) {
        return actual == expected;
    }
    return kiln_close(actual, expected, tolerance);
}

template <typename T> static void check_softmax(double tolerance,
                                                void (*softmax)(const T*, T*, long long, long long, int),
                                                void (*crossEntropy)(const T*, const long long*, T*, T*, long long,
                                                                     long long)) {
    const double special[][3] = {{1000, 1000, 999}, {-1000, -1000, -999}, {1, NAN, 2}, {1, INFINITY, 2}, {0, 0, 0}};
    for (int trial = 0; trial < 105; trial++) {
        long long rows = 1 + kiln_random(6);
        long long cols = trial < 100 ? 1 + kiln_random(30) : 3;
        std::vector<T> x(rows * cols), out(rows * cols), logOut(rows * cols), probs(rows * cols), losses(rows);
        std::vector<long long> targets(rows);
        for (long long i = 0; i < rows * cols; i++) {
            x[i] = trial < 100 ? (T) ((kiln_random(20001) - 10000) / 997.0) : (T) special[trial - 100][i % 3];
        }
        for (auto& t : targets) {
            t = kiln_random(cols);
        }
        softmax(x.data(), out.data(), rows, cols, 0);
        softmax(x.data(), logOut.data(), rows, cols, 1);
        crossEntropy(x.data(), targets.data(), losses.data(), probs.data(), rows, cols);
        for (long long r = 0; r < rows; r++) {
            std::vector<double> row(x.begin() + r * cols, x.begin() + (r + 1) * cols), expected, expectedLog;
            double loss;
            reference_row(row, targets[r], &expected, &expectedLog, &loss);
            for (long long c = 0; c < cols; c++) {
                KILN_CHECK(same(out[r * cols + c], expected[c], tolerance), "softmax row %lld col %lld: %g, expected %g",
                           r, c, (double) out[r * cols + c], expected[c]);
                KILN_CHECK(same(logOut[r * cols + c], expectedLog[c], tolerance),
                           "log-softmax row %lld col %lld: %g, expected %g", r, c, (double) logOut[r * cols + c],
                           expectedLog[c]);
                KILN_CHECK(same(probs[r * cols + c], expected[c], tolerance),
                           "cross-entropy probabilities row %lld col %lld", r, c);
            }
            KILN_CHECK(same(losses[r], loss, tolerance), "cross-entropy loss row %lld: %g, expected %g", r,
                       (double) losses[r], loss);
        }
    }
}

// accumulate_hits adds the rows whose first maximum (the first NaN wins, as argmax) is at the label.
template <typename T> static void check_hits(void (*accumulate)(const T*, const long long*, unsigned long long*,
                                                                long long, long long)) {
    const double values[] = {-1.0, 0.0, 1.0, 1.0, NAN};
    for (int trial = 0; trial < 200; trial++) {
        long long rows = 1 + kiln_random(30);
        long long classes = 1 + kiln_random(6);
        std::vector<T> scores(rows * classes);
        std::vector<long long> labels(rows);
        for (auto& v : scores) {
            v = (T) values[kiln_random(kiln_random(6) == 0 ? 5 : 4)];
        }
        unsigned long long expected = 7;  // hits already counted earlier in the epoch
        for (long long r = 0; r < rows; r++) {
            labels[r] = kiln_random(classes);
            long long at = 0;
            for (long long j = 1; j < classes; j++) {
                T v = scores[r * classes + j];
                T best = scores[r * classes + at];
                if (v > best || (v != v && best == best)) {
                    at = j;
                }
            }
            expected += at == labels[r] ? 1 : 0;
        }
        unsigned long long hits = 7;
        accumulate(scores.data(), labels.data(), &hits, rows, classes);
        KILN_CHECK(hits == expected, "accumulate_hits over %lld rows: %llu, expected %llu", rows, hits, expected);
    }
}

static double reference_reduce(const std::vector<double>& x, long long o, long long n, long long inner, long long i,
                               bool max) {
    double acc = max ? -INFINITY : 0.0;
    for (long long j = 0; j < n; j++) {
        double v = x[(o * n + j) * inner + i];
        acc = max ? (v > acc || v != v ? v : acc) : acc + v;
    }
    return acc;
}

static bool same_value(double actual, double expected) {
    return expected != expected ? actual != actual : kiln_close(actual, expected, 1e-12);
}

// Sums and maxima over the middle axis of [outer, n, inner]: rows (inner 1) and columns, whole and in parts (the
// parts reduced again by the whole kernels in F64, as CudaReductions does), and argmax, with NaNs in a few tensors.
static void check_reductions() {
    for (int trial = 0; trial < 200; trial++) {
        long long outer = 1 + kiln_random(4), n = 1 + kiln_random(40), inner = trial % 2 == 0 ? 1 : 1 + kiln_random(5);
        long long parts = 1 + kiln_random(n < 6 ? n : 6);
        std::vector<double> x(outer * n * inner);
        for (auto& v : x) {
            v = (kiln_random(2001) - 1000) / 9.0;
        }
        if (trial % 7 == 0) {
            x[kiln_random((long long) x.size())] = NAN;
        }
        for (int max = 0; max < 2; max++) {
            std::vector<double> whole(outer * inner), partials(outer * parts * inner), fromParts(outer * inner);
            std::vector<long long> at(outer * inner);
            if (inner == 1) {
                reduce_rows_f64(x.data(), whole.data(), outer, n, max);
                reduce_row_parts_f64(x.data(), partials.data(), outer, n, parts, max);
                reduce_rows_f64(partials.data(), fromParts.data(), outer, parts, max);
            } else {
                reduce_columns_f64(x.data(), whole.data(), outer, n, inner, max);
                reduce_column_parts_f64(x.data(), partials.data(), outer, n, inner, parts, max);
                reduce_columns_f64(partials.data(), fromParts.data(), outer, parts, inner, max);
            }
            argmax_f64(x.data(), at.data(), outer, n, inner);
            for (long long o = 0; o < outer; o++) {
                for (long long i = 0; i < inner; i++) {
                    double expected = reference_reduce(x, o, n, inner, i, max == 1);
                    long long q = o * inner + i;
                    KILN_CHECK(same_value(whole[q], expected), "%s of [%lld, %lld, %lld] at %lld: %g, expected %g",
                               max ? "max" : "sum", outer, n, inner, q, whole[q], expected);
                    KILN_CHECK(same_value(fromParts[q], expected), "%s in %lld parts of [%lld, %lld, %lld] at %lld",
                               max ? "max" : "sum", parts, outer, n, inner, q);
                    long long first = 0;
                    for (long long j = 1; j < n; j++) {
                        double v = x[(o * n + j) * inner + i], best = x[(o * n + first) * inner + i];
                        if (v > best || (v != v && best == best)) {
                            first = j;
                        }
                    }
                    KILN_CHECK(at[q] == first, "argmax at %lld: %lld, expected %lld", q, at[q], first);
                }
            }
        }
    }
}

// softmax_backward: gx = y * (gy - sum(gy * y)) and, for log-softmax, gx = gy - exp(y) * sum(gy), per row.
static void check_softmax_backward() {
    for (int trial = 0; trial < 100; trial++) {
        long long rows = 1 + kiln_random(5), cols = 1 + kiln_random(12);
        std::vector<double> x(rows * cols), gy(rows * cols), y(rows * cols), logY(rows * cols), gx(rows * cols),
                logGx(rows * cols);
        for (size_t i = 0; i < x.size(); i++) {
            x[i] = (kiln_random(2001) - 1000) / 300.0;
            gy[i] = (kiln_random(2001) - 1000) / 400.0;
        }
        softmax_f64(x.data(), y.data(), rows, cols, 0);
        softmax_f64(x.data(), logY.data(), rows, cols, 1);
        softmax_backward_f64(y.data(), gy.data(), gx.data(), rows, cols, 0);
        softmax_backward_f64(logY.data(), gy.data(), logGx.data(), rows, cols, 1);
        for (long long r = 0; r < rows; r++) {
            double dot = 0, sum = 0;
            for (long long c = 0; c < cols; c++) {
                dot += gy[r * cols + c] * y[r * cols + c];
                sum += gy[r * cols + c];
            }
            for (long long c = 0; c < cols; c++) {
                long long q = r * cols + c;
                KILN_CHECK(kiln_close(gx[q], y[q] * (gy[q] - dot), 1e-12), "softmax backward at %lld", q);
                KILN_CHECK(kiln_close(logGx[q], gy[q] - exp(logY[q]) * sum, 1e-12), "log-softmax backward at %lld", q);
            }
        }
    }
}

int main() {
    check_reductions();
    check_softmax_backward();
    check_hits<float>(accumulate_hits_f32);
    check_hits<double>(accumulate_hits_f64);
    check_softmax<double>(1e-12, softmax_f64, cross_entropy_f64);
    check_softmax<float>(2e-6, softmax_f32, cross_entropy_f32);
    int cases = 0;
    for (int trial = 0; trial < 200; trial++) {
        long long rows = 1 + kiln_random(20);
        long long cols = 1 + kiln_random(12);
        bool shared = kiln_random(2) == 0;
        double scale = shared ? 1.0 / (double) rows : 1.0;
        std::vector<float> probs(rows * cols), gradLosses(shared ? 1 : rows), out(rows * cols);
        std::vector<long long> targets(rows);
        for (auto& p : probs) {
            p = (float) kiln_random(1000) / 999.0f;
        }
        for (auto& g : gradLosses) {
            g = (float) (kiln_random(2001) - 1000) / 11.0f;
        }
        for (auto& t : targets) {
            t = kiln_random(cols);
        }
        cross_entropy_backward_f32(probs.data(), targets.data(), gradLosses.data(), scale, out.data(), rows, cols,
                                   shared ? 0 : 1);
        for (long long r = 0; r < rows; r++) {
            float g = gradLosses[shared ? 0 : r] * (float) scale;
            for (long long c = 0; c < cols; c++) {
                float expected = (probs[r * cols + c] - (c == targets[r] ? 1.0f : 0.0f)) * g;
                KILN_CHECK(out[r * cols + c] == expected, "row %lld column %lld: %g, expected %g", r, c,
                           (double) out[r * cols + c], (double) expected);
            }
        }
        cases++;
    }
    printf("sums, maxima and argmax over rows and columns, whole and in parts; softmax and log-softmax forward and"
           " backward; hit counting; cross-entropy forward and gradient (%d cases): %d failures\n", cases,
           kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
