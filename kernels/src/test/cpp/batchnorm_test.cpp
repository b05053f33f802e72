// batchnorm.cu: the statistics and backward sums, one block per channel and cut into parts, and channel_sum, whole
// and in parts, against two-pass references in double (the CPU backend's CpuBatchNorm computes the same
// quantities); and the whole training step's gradients (reduce, then apply, with and without a fused tanh) against
// finite differences of the forward kernels.
#include "kiln_host.h"
#include "batchnorm.cu"

#include <vector>

static bool close(double actual, double expected) {
    return kiln_close(actual, expected, 1e-9);
}

// Training-mode batch norm, optionally followed by tanh, as the kernels run it: statistics, then apply.
static std::vector<double> forward(const std::vector<double>& x, const std::vector<double>& weight,
                                   const std::vector<double>& bias, long long n, long long channels, long long spatial,
                                   int op) {
    std::vector<double> mean(channels), invStd(channels), stats(2 * channels), out(x.size());
    bn_stats_f64(x.data(), n, channels, spatial, 1e-5, mean.data(), invStd.data(), stats.data(), nullptr, nullptr,
                 0.1);
    bn_apply_f64(x.data(), out.data(), stats.data(), weight.data(), bias.data(), n, channels, spatial, op, 0.0);
    return out;
}

// F32 values of mean 1000 and spread 1e-2 (BatchNormTest's large offset): rounded to F32, the mean is off by up to
// 3e-5, which would shift every output by 3e-3; normalised from the double statistics, the outputs are the
// reference's to F32 rounding.
static void check_large_offset_f32() {
    const long long n = 64, channels = 2, spatial = 1;
    std::vector<float> x(n * channels), mean(channels), invStd(channels), out(x.size());
    std::vector<double> stats(2 * channels);
    for (auto& v : x) {
        v = 1000.0f + (kiln_random(2001) - 1000) / 100000.0f;
    }
    bn_stats_f32(x.data(), n, channels, spatial, 1e-5, mean.data(), invStd.data(), stats.data(), nullptr, nullptr,
                 0.1);
    bn_apply_f32(x.data(), out.data(), stats.data(), nullptr, nullptr, n, channels, spatial, -1, 0.0);
    for (long long c = 0; c < channels; c++) {
        double sum = 0;
        for (long long i = 0; i < n; i++) {
            sum += x[i * channels + c];
        }
        double mu = sum / n;
        double squares = 0;
        for (long long i = 0; i < n; i++) {
            squares += (x[i * channels + c] - mu) * (x[i * channels + c] - mu);
        }
        double is = 1 / sqrt(squares / n + 1e-5);
        for (long long i = 0; i < n; i++) {
            double expected = (x[i * channels + c] - mu) * is;
            KILN_CHECK(fabs(out[i * channels + c] - expected) < 1e-5, "F32 batch norm at a large offset, value %lld"
                       " of channel %lld: %g, expected %g", i, c, (double) out[i * channels + c], expected);
        }
    }
}

// The backward kernels (bn_backward_reduce, then bn_backward_apply) against central finite differences of the
// forward kernels, for the input (through the batch statistics too), the weight and the bias; with and without a
// fused tanh.
static void check_gradients() {
    for (int trial = 0; trial < 40; trial++) {
        int op = trial % 2 == 0 ? -1 : TANH;
        long long n = 2 + kiln_random(3), channels = 1 + kiln_random(3), spatial = 1 + kiln_random(4);
        long long size = n * channels * spatial;
        std::vector<double> x(size), weight(channels), bias(channels), w(size);
        for (auto& v : x) {
            v = (kiln_random(2001) - 1000) / 300.0;
        }
        for (long long c = 0; c < channels; c++) {
            weight[c] = 0.5 + kiln_random(100) / 100.0;
            bias[c] = (kiln_random(200) - 100) / 100.0;
        }
        for (auto& v : w) {
            v = (kiln_random(2001) - 1000) / 1000.0;
        }
        auto loss = [&]() {
            std::vector<double> y = forward(x, weight, bias, n, channels, spatial, op);
            double sum = 0;
            for (long long i = 0; i < size; i++) {
                sum += w[i] * y[i];
            }
            return sum;
        };
        std::vector<double> mean(channels), invStd(channels), stats(2 * channels);
        std::vector<double> y = forward(x, weight, bias, n, channels, spatial, op);
        bn_stats_f64(x.data(), n, channels, spatial, 1e-5, mean.data(), invStd.data(), stats.data(), nullptr, nullptr,
                     0.1);
        std::vector<double> gradBias(channels), gradWeight(channels), gradInput(size);
        bn_backward_reduce_f64(x.data(), w.data(), y.data(), op, 0.0, mean.data(), invStd.data(), gradBias.data(),
                               gradWeight.data(), n, channels, spatial);
        bn_backward_apply_f64(x.data(), w.data(), y.data(), op, 0.0, mean.data(), invStd.data(), weight.data(),
                              gradBias.data(), gradWeight.data(), gradInput.data(), n, channels, spatial);
        for (long long i = 0; i < size; i++) {
            double expected = kiln_numeric_gradient(x, i, loss);
            KILN_CHECK(kiln_close(gradInput[i], expected, 1e-5), "batch norm input gradient %lld (op %d): %g, numeric"
                       " %g", i, op, gradInput[i], expected);
        }
        for (long long c = 0; c < channels; c++) {
            double expectedWeight = kiln_numeric_gradient(weight, c, loss);
            double expectedBias = kiln_numeric_gradient(bias, c, loss);
            KILN_CHECK(kiln_close(gradWeight[c], expectedWeight, 1e-5) && kiln_close(gradBias[c], expectedBias, 1e-5),
                       "batch norm weight and bias gradients of channel %lld (op %d)", c, op);
        }
    }
}

int main() {
    check_gradients();
    check_large_offset_f32();
    int channelsChecked = 0;
    const double eps = 1e-5;
    const double momentum = 0.1;
    for (int trial = 0; trial < 300; trial++) {
        long long n = 1 + kiln_random(6);
        long long channels = 1 + kiln_random(5);
        long long spatial = 1 + kiln_random(50);
        long long m = n * spatial;
        long long parts = 1 + kiln_random(m < 9 ? m : 9);
        std::vector<double> x(n * channels * spatial);
        std::vector<double> g(x.size());
        for (size_t i = 0; i < x.size(); i++) {
            x[i] = 1000.0 + kiln_random(10000) / 37.0;  // far from zero, which the two-pass variance guards
            g[i] = (kiln_random(2001) - 1000) / 13.0;
        }
        std::vector<double> mean(channels), invStd(channels), runningMean(channels, 0.5), runningVar(channels, 2.0);
        std::vector<double> partMean(channels), partInvStd(channels), partRunningMean(channels, 0.5),
                partRunningVar(channels, 2.0);
        std::vector<double> statistics(3 * channels * parts), sums(2 * channels * parts), stats(2 * channels),
                partStats(2 * channels);
        std::vector<double> dy(channels), dyx(channels), partDy(channels), partDyx(channels), channelSum(channels);
        bn_stats_f64(x.data(), n, channels, spatial, eps, mean.data(), invStd.data(), stats.data(),
                     runningMean.data(), runningVar.data(), momentum);
        bn_stats_parts_f64(x.data(), n, channels, spatial, parts, statistics.data());
        bn_stats_finish_f64(statistics.data(), channels, parts, eps, partMean.data(), partInvStd.data(),
                            partStats.data(), partRunningMean.data(), partRunningVar.data(), momentum);
        bn_backward_reduce_f64(x.data(), g.data(), nullptr, -1, 0.0, mean.data(), invStd.data(), dy.data(),
                               dyx.data(), n, channels, spatial);
        bn_backward_reduce_parts_f64(x.data(), g.data(), nullptr, -1, 0.0, mean.data(), invStd.data(), n, channels,
                                     spatial, parts, sums.data());
        bn_backward_finish_f64(sums.data(), channels, parts, partDy.data(), partDyx.data());
        channel_sum_f64(g.data(), channelSum.data(), n, channels, spatial);
        std::vector<double> channelPartials(channels * parts), partChannelSum(channels);
        channel_sum_parts_f64(g.data(), n, channels, spatial, parts, channelPartials.data());
        channel_sum_finish_f64(channelPartials.data(), channels, parts, partChannelSum.data());
        for (long long c = 0; c < channels; c++) {
            double sum = 0;
            double gradSum = 0;
            for (long long i = 0; i < n; i++) {
                for (long long k = 0; k < spatial; k++) {
                    sum += x[(i * channels + c) * spatial + k];
                    gradSum += g[(i * channels + c) * spatial + k];
                }
            }
            double mu = sum / m;
            double squares = 0;
            double gradXhat = 0;
            for (long long i = 0; i < n; i++) {
                for (long long k = 0; k < spatial; k++) {
                    double d = x[(i * channels + c) * spatial + k] - mu;
                    squares += d * d;
                }
            }
            double var = squares / m;
            double is = 1 / sqrt(var + eps);
            for (long long i = 0; i < n; i++) {
                for (long long k = 0; k < spatial; k++) {
                    long long q = (i * channels + c) * spatial + k;
                    gradXhat += g[q] * (x[q] - mu) * is;
                }
            }
            double expectedRunningMean = (1 - momentum) * 0.5 + momentum * mu;
            double expectedRunningVar = m > 1 ? (1 - momentum) * 2.0 + momentum * var * m / (m - 1) : 0;
            channelsChecked++;
            KILN_CHECK(close(mean[c], mu) && close(invStd[c], is) && close(runningMean[c], expectedRunningMean),
                       "bn_stats channel %lld of n %lld, C %lld, S %lld", c, n, channels, spatial);
            KILN_CHECK(close(partMean[c], mu) && close(partInvStd[c], is)
                       && close(partRunningMean[c], expectedRunningMean),
                       "bn_stats_parts channel %lld of n %lld, C %lld, S %lld in %lld parts", c, n, channels,
                       spatial, parts);
            KILN_CHECK(stats[c] == mean[c] && stats[channels + c] == invStd[c] && partStats[c] == partMean[c]
                       && partStats[channels + c] == partInvStd[c],
                       "double statistics of channel %lld (%lld parts)", c, parts);
            KILN_CHECK(m == 1 || (close(runningVar[c], expectedRunningVar)
                                  && close(partRunningVar[c], expectedRunningVar)),
                       "running variance of channel %lld (%lld parts)", c, parts);
            KILN_CHECK(close(dy[c], gradSum) && close(dyx[c], gradXhat), "bn_backward_reduce channel %lld", c);
            KILN_CHECK(close(partDy[c], gradSum) && close(partDyx[c], gradXhat),
                       "bn_backward_reduce_parts channel %lld in %lld parts", c, parts);
            KILN_CHECK(close(channelSum[c], gradSum), "channel_sum channel %lld", c);
            KILN_CHECK(close(partChannelSum[c], gradSum), "channel_sum_parts channel %lld in %lld parts", c, parts);
        }
    }
    printf("batch norm: gradients against finite differences, %d channels' statistics and backward sums whole and in"
           " parts: %d failures\n", channelsChecked, kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
