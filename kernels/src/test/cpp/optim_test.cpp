// optim.cu's SGD against Backend.sgdUpdate's formula, and Adam, one tensor (adam_update) and a list of them in one
// launch (adam_updates), against the SPI's
// composite (Backend.adamUpdate) written out in double: bias corrections folded into the step size and the
// second moment's square root, weight decay coupled (added to the gradient) or decoupled (AdamW).
#include "kiln_host.h"
#include "optim.cu"

#include <vector>

struct State {
    std::vector<double> param, grad, expAvg, expAvgSq;
};

static State random_state(long long n) {
    State s;
    for (long long i = 0; i < n; i++) {
        s.param.push_back((kiln_random(2001) - 1000) / 500.0);
        s.grad.push_back((kiln_random(2001) - 1000) / 700.0);
        s.expAvg.push_back((kiln_random(2001) - 1000) / 3000.0);
        s.expAvgSq.push_back(kiln_random(1000) / 50000.0);
    }
    return s;
}

// The composite's arithmetic, in double.
static void reference(State& s, double lr, double beta1, double beta2, double eps, double weightDecay,
                      bool decoupled, long long step) {
    double stepSize = lr / (1 - pow(beta1, (double) step));
    double invSqrtCorrection2 = 1 / sqrt(1 - pow(beta2, (double) step));
    for (size_t i = 0; i < s.param.size(); i++) {
        double g = s.grad[i];
        if (weightDecay != 0) {
            if (decoupled) {
                s.param[i] *= 1 - lr * weightDecay;
            } else {
                g += weightDecay * s.param[i];
            }
        }
        s.expAvg[i] = beta1 * s.expAvg[i] + (1 - beta1) * g;
        s.expAvgSq[i] = beta2 * s.expAvgSq[i] + (1 - beta2) * g * g;
        double denom = sqrt(s.expAvgSq[i]) * invSqrtCorrection2 + eps;
        s.param[i] -= stepSize * s.expAvg[i] / denom;
    }
}

template <typename T> static std::vector<T> as(const std::vector<double>& values) {
    return std::vector<T>(values.begin(), values.end());
}

template <typename T> static void check_adam(double tolerance,
                                             void (*update)(T*, const T*, T*, T*, long long, double, double, double,
                                                            double, double, int, double, double)) {
    for (int trial = 0; trial < 60; trial++) {
        long long n = 1 + kiln_random(40);
        long long step = 1 + kiln_random(10);
        double weightDecay = kiln_random(3) == 0 ? 0.0 : 0.01;
        bool decoupled = kiln_random(2) == 0;
        double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        State s = random_state(n);
        std::vector<T> param = as<T>(s.param), grad = as<T>(s.grad), expAvg = as<T>(s.expAvg),
                       expAvgSq = as<T>(s.expAvgSq);
        State expected = s;
        reference(expected, lr, beta1, beta2, eps, weightDecay, decoupled, step);
        update(param.data(), grad.data(), expAvg.data(), expAvgSq.data(), n, lr, beta1, beta2, eps, weightDecay,
               decoupled ? 1 : 0, lr / (1 - pow(beta1, (double) step)), 1 / sqrt(1 - pow(beta2, (double) step)));
        for (long long i = 0; i < n; i++) {
            KILN_CHECK(kiln_close(param[i], expected.param[i], tolerance)
                       && kiln_close(expAvg[i], expected.expAvg[i], tolerance)
                       && kiln_close(expAvgSq[i], expected.expAvgSq[i], tolerance),
                       "adam element %lld (step %lld, decay %g, decoupled %d): param %.10g, expected %.10g", i, step,
                       weightDecay, decoupled, (double) param[i], expected.param[i]);
        }
    }
}

// adam_updates over three tensors of a list equals adam_update of each, to the bit.
static void check_list() {
    long long sizes[3] = {5, 1, 17};
    std::vector<std::vector<float>> param(3), grad(3), expAvg(3), expAvgSq(3);
    std::vector<std::vector<float>> single(3), singleAvg(3), singleSq(3);
    AdamTensorList list;
    long long end = 0;
    for (int t = 0; t < 3; t++) {
        State s = random_state(sizes[t]);
        param[t] = as<float>(s.param);
        grad[t] = as<float>(s.grad);
        expAvg[t] = as<float>(s.expAvg);
        expAvgSq[t] = as<float>(s.expAvgSq);
        single[t] = param[t];
        singleAvg[t] = expAvg[t];
        singleSq[t] = expAvgSq[t];
        end += sizes[t];
        list.param[t] = (long long) param[t].data();
        list.grad[t] = (long long) grad[t].data();
        list.expAvg[t] = (long long) expAvg[t].data();
        list.expAvgSq[t] = (long long) expAvgSq[t].data();
        list.end[t] = end;
    }
    double stepSize = 1e-3 / (1 - pow(0.9, 3.0)), invSqrt = 1 / sqrt(1 - pow(0.999, 3.0));
    adam_updates_f32(list, 3, 1e-3, 0.9, 0.999, 1e-8, 0.01, 1, stepSize, invSqrt);
    for (int t = 0; t < 3; t++) {
        adam_update_f32(single[t].data(), grad[t].data(), singleAvg[t].data(), singleSq[t].data(), sizes[t], 1e-3,
                        0.9, 0.999, 1e-8, 0.01, 1, stepSize, invSqrt);
        for (long long i = 0; i < sizes[t]; i++) {
            KILN_CHECK(param[t][i] == single[t][i] && expAvg[t][i] == singleAvg[t][i]
                       && expAvgSq[t][i] == singleSq[t][i], "adam_updates tensor %d element %lld", t, i);
        }
    }
}

// sgd_update against Backend.sgdUpdate's formula in double, with and without momentum, Nesterov, decay, dampening
// (not with Nesterov), the first step (the buffer starts as the gradient, undampened).
static void check_sgd() {
    for (int trial = 0; trial < 80; trial++) {
        long long n = 1 + kiln_random(30);
        double momentum = trial % 4 == 0 ? 0.0 : 0.9;
        double weightDecay = trial % 3 == 0 ? 0.0 : 1e-3;
        int nesterov = trial % 2;
        double dampening = !nesterov && trial % 6 != 0 ? 0.3 : 0.0;
        int firstStep = trial % 5 == 0;
        State s = random_state(n);
        std::vector<double> param = s.param, buffer = s.expAvg;
        sgd_update_f64(param.data(), s.grad.data(), momentum != 0 ? buffer.data() : nullptr, n, 0.05, momentum,
                       dampening, weightDecay, nesterov, firstStep);
        for (long long i = 0; i < n; i++) {
            double d = s.grad[i] + weightDecay * s.param[i];
            double buf = s.expAvg[i];
            if (momentum != 0) {
                buf = firstStep ? d : momentum * buf + (1 - dampening) * d;
                d = nesterov ? d + momentum * buf : buf;
            }
            double expected = s.param[i] - 0.05 * d;
            KILN_CHECK(kiln_close(param[i], expected, 1e-13) && (momentum == 0 || kiln_close(buffer[i], buf, 1e-13)),
                       "sgd element %lld (momentum %g, nesterov %d, dampening %g, decay %g, first %d): %.12g,"
                       " expected %.12g", i, momentum, nesterov, dampening, weightDecay, firstStep, param[i], expected);
        }
    }
}

int main() {
    check_sgd();
    check_adam<double>(1e-12, adam_update_f64);
    check_adam<float>(1e-5, adam_update_f32);
    check_list();
    printf("sgd (momentum, nesterov, dampening, decay), adam (one tensor in F32 and F64, a list of three in one"
           " launch): %d failures\n", kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
