// layernorm.cu: the forward and backward kernels against finite differences of the forward kernel (input, weight
// and bias; with and without the affine; the weight's and bias's gradients in parts of every size), F32 rows far
// from zero against a reference in double (CpuLayerNorm's accuracy: statistics in double, the saved F32 mean's
// rounding taken out again backward), rows of one feature (the bias; a zero input gradient) and rows holding NaN or
// an infinity (NaN, leaving the other rows alone), as the CPU backend and PyTorch give them.
#include "kiln_host.h"
#include "layernorm.cu"

#include <vector>

// The input's, weight's and bias's gradients of sum(w * y) as the kernels compute them, the parameters' sums in
// parts of rowsPerPart rows; weight and bias null: none.
template <typename T> static void backward(const std::vector<T>& x, const std::vector<T>& w, const T* weight,
                                           long long rows, long long features, long long rowsPerPart,
                                           std::vector<T>& gradX, std::vector<T>& gradWeight,
                                           std::vector<T>& gradBias) {
    std::vector<T> out(x.size()), mean(rows), rstd(rows);
    std::vector<T> zeros(features, T(0));
    ln_forward_impl<T>(x.data(), weight, weight != nullptr ? zeros.data() : nullptr, 1e-5, out.data(), mean.data(),
                       rstd.data(), rows, features);
    std::vector<double> exactMean(rows);
    long long parts = (rows + rowsPerPart - 1) / rowsPerPart;
    std::vector<double> partials(2 * parts * features);
    gradX.assign(x.size(), T(0));
    gradWeight.assign(features, T(0));
    gradBias.assign(features, T(0));
    ln_backward_input_impl<T>(w.data(), x.data(), mean.data(), rstd.data(), weight, gradX.data(), exactMean.data(),
                              rows, features);
    ln_backward_params_parts_impl<T>(w.data(), x.data(), exactMean.data(), rstd.data(), rows, features, rowsPerPart,
                                     partials.data());
    ln_backward_params_finish_impl<T>(partials.data(), parts, features, gradWeight.data(), gradBias.data());
}

static void check_gradients() {
    for (int trial = 0; trial < 60; trial++) {
        bool affine = trial % 3 != 0;
        long long rows = 1 + kiln_random(4), features = 2 + kiln_random(6);
        long long rowsPerPart = 1 + kiln_random(rows);
        long long size = rows * features;
        std::vector<double> x(size), weight(features), bias(features), w(size);
        for (auto& v : x) {
            v = (kiln_random(2001) - 1000) / 300.0;
        }
        for (long long j = 0; j < features; j++) {
            weight[j] = 0.5 + kiln_random(100) / 100.0;
            bias[j] = (kiln_random(200) - 100) / 100.0;
        }
        for (auto& v : w) {
            v = (kiln_random(2001) - 1000) / 1000.0;
        }
        auto loss = [&]() {
            std::vector<double> y(size), mean(rows), rstd(rows);
            ln_forward_f64(x.data(), affine ? weight.data() : nullptr, affine ? bias.data() : nullptr, 1e-5, y.data(),
                           mean.data(), rstd.data(), rows, features);
            double sum = 0;
            for (long long i = 0; i < size; i++) {
                sum += w[i] * y[i];
            }
            return sum;
        };
        std::vector<double> gradX, gradWeight, gradBias;
        backward<double>(x, w, affine ? weight.data() : nullptr, rows, features, rowsPerPart, gradX, gradWeight,
                         gradBias);
        for (long long i = 0; i < size; i++) {
            double expected = kiln_numeric_gradient(x, i, loss);
            KILN_CHECK(kiln_close(gradX[i], expected, 1e-5), "layer norm input gradient %lld of [%lld, %lld]%s: %g,"
                       " numeric %g", i, rows, features, affine ? "" : " without affine", gradX[i], expected);
        }
        if (!affine) {
            continue;
        }
        for (long long j = 0; j < features; j++) {
            double expectedWeight = kiln_numeric_gradient(weight, j, loss);
            double expectedBias = kiln_numeric_gradient(bias, j, loss);
            KILN_CHECK(kiln_close(gradWeight[j], expectedWeight, 1e-5) && kiln_close(gradBias[j], expectedBias, 1e-5),
                       "layer norm weight and bias gradients of feature %lld, [%lld, %lld] in parts of %lld rows: %g,"
                       " %g, numeric %g, %g", j, rows, features, rowsPerPart, gradWeight[j], gradBias[j],
                       expectedWeight, expectedBias);
        }
    }
}

// F32 rows of mean 1000 and spread 1e-2: against a reference in double, outputs and input gradients to a few of
// F32's ulps, which an F32 mean (off by up to 3e-5) would miss by 3e-3.
static void check_large_offset_f32() {
    const long long rows = 3, features = 40;
    std::vector<float> x(rows * features), w(x.size()), out(x.size()), mean(rows), rstd(rows);
    for (size_t i = 0; i < x.size(); i++) {
        x[i] = 1000.0f + (kiln_random(2001) - 1000) / 100000.0f;
        w[i] = (kiln_random(2001) - 1000) / 1000.0f;
    }
    ln_forward_f32(x.data(), nullptr, nullptr, 1e-5, out.data(), mean.data(), rstd.data(), rows, features);
    std::vector<float> gradX, gradWeight, gradBias;
    backward<float>(x, w, nullptr, rows, features, 2, gradX, gradWeight, gradBias);
    for (long long r = 0; r < rows; r++) {
        double sum = 0;
        for (long long j = 0; j < features; j++) {
            sum += x[r * features + j];
        }
        double mu = sum / features;
        double squares = 0;
        for (long long j = 0; j < features; j++) {
            squares += (x[r * features + j] - mu) * (x[r * features + j] - mu);
        }
        double rs = 1 / sqrt(squares / features + 1e-5);
        double meanG = 0;
        double meanGXhat = 0;
        for (long long j = 0; j < features; j++) {
            meanG += w[r * features + j] / (double) features;
            meanGXhat += w[r * features + j] * (x[r * features + j] - mu) * rs / features;
        }
        for (long long j = 0; j < features; j++) {
            long long q = r * features + j;
            double xhat = (x[q] - mu) * rs;
            double expectedGrad = rs * (w[q] - meanG - xhat * meanGXhat);
            KILN_CHECK(fabs(out[q] - xhat) < 1e-5, "F32 layer norm at a large offset, value %lld: %g, expected %g", q,
                       (double) out[q], xhat);
            KILN_CHECK(fabs(gradX[q] - expectedGrad) < 1e-5 * (1 + fabs(expectedGrad)), "F32 layer norm input gradient"
                       " at a large offset, value %lld: %g, expected %g", q, (double) gradX[q], expectedGrad);
        }
    }
}

// Rows of one feature give the bias and a zero input gradient; rows with NaN or an infinity give NaN, the others not.
static void check_one_feature_and_non_finite_rows() {
    std::vector<double> x = {1.5, -2.0}, w = {2.0, 3.0}, weight = {0.5}, bias = {0.25}, out(2), mean(2), rstd(2);
    ln_forward_f64(x.data(), weight.data(), bias.data(), 1e-5, out.data(), mean.data(), rstd.data(), 2, 1);
    std::vector<double> gradX, gradWeight, gradBias;
    backward<double>(x, w, weight.data(), 2, 1, 1, gradX, gradWeight, gradBias);
    KILN_CHECK(out[0] == 0.25 && out[1] == 0.25, "layer norm of one feature: %g, %g, expected the bias", out[0], out[1]);
    KILN_CHECK(gradX[0] == 0 && gradX[1] == 0 && gradWeight[0] == 0 && gradBias[0] == 5,
               "layer norm of one feature: input gradients %g, %g, weight %g, bias %g", gradX[0], gradX[1],
               gradWeight[0], gradBias[0]);
    std::vector<double> rowsX = {1, NAN, 2, 1, INFINITY, 2, 1, 2, 4}, rowsOut(9), rowsMean(3), rowsRstd(3);
    ln_forward_f64(rowsX.data(), nullptr, nullptr, 1e-5, rowsOut.data(), rowsMean.data(), rowsRstd.data(), 3, 3);
    for (int i = 0; i < 6; i++) {
        KILN_CHECK(isnan(rowsOut[i]), "layer norm of a row with NaN or an infinity, value %d: %g", i, rowsOut[i]);
    }
    KILN_CHECK(kiln_close(rowsOut[6], -1.069041531450298, 1e-12) && kiln_close(rowsOut[8], 1.3363019143128718, 1e-12),
               "layer norm of a finite row beside non-finite ones: %g, %g", rowsOut[6], rowsOut[8]);
}

int main() {
    check_gradients();
    check_large_offset_f32();
    check_one_feature_and_non_finite_rows();
    printf("layer norm: gradients against finite differences, F32 at a large offset, one feature and non-finite rows:"
           " %d failures\n", kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
