// recurrent.cu's LSTM and GRU cells: forward against the SPI's formulas (Backend.lstmCellForward,
// gruCellForward) in double, backward against central finite differences of the forward kernels themselves in
// F64, with L = sum(weights * outputs) so that every output's gradient is a random weight.
#include "kiln_host.h"
#include "recurrent.cu"

#include <vector>

static double sigmoid(double x) {
    return 1 / (1 + exp(-x));
}

static std::vector<double> random_values(long long n, double scale) {
    std::vector<double> v(n);
    for (auto& x : v) {
        x = (kiln_random(2001) - 1000) / 1000.0 * scale;
    }
    return v;
}

static double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double sum = 0;
    for (size_t i = 0; i < a.size(); i++) {
        sum += a[i] * b[i];
    }
    return sum;
}

static void check_lstm(long long batch, long long hidden) {
    long long n = batch * hidden;
    std::vector<double> gates = random_values(4 * n, 3), c = random_values(n, 2);
    std::vector<double> wH = random_values(n, 1), wC = random_values(n, 1);
    std::vector<double> h(n), cOut(n), act(4 * n);
    lstm_cell_forward_f64(gates.data(), c.data(), h.data(), cOut.data(), act.data(), batch, hidden);
    for (long long b = 0; b < batch; b++) {
        for (long long j = 0; j < hidden; j++) {
            const double* g = gates.data() + b * 4 * hidden;
            double i = sigmoid(g[j]), f = sigmoid(g[hidden + j]), gg = tanh(g[2 * hidden + j]);
            double o = sigmoid(g[3 * hidden + j]);
            double cn = f * c[b * hidden + j] + i * gg;
            KILN_CHECK(kiln_close(cOut[b * hidden + j], cn, 1e-14) && kiln_close(h[b * hidden + j], o * tanh(cn), 1e-14),
                       "lstm forward row %lld unit %lld", b, j);
        }
    }
    auto loss = [&]() {
        std::vector<double> hh(n), cc(n), aa(4 * n);
        lstm_cell_forward_f64(gates.data(), c.data(), hh.data(), cc.data(), aa.data(), batch, hidden);
        return dot(wH, hh) + dot(wC, cc);
    };
    std::vector<double> gradGates(4 * n), gradC(n);
    lstm_cell_backward_f64(act.data(), c.data(), cOut.data(), wH.data(), wC.data(), gradGates.data(), gradC.data(),
                           batch, hidden);
    for (size_t k = 0; k < gates.size(); k++) {
        double expected = kiln_numeric_gradient(gates, k, loss);
        KILN_CHECK(kiln_close(gradGates[k], expected, 1e-6), "lstm gate gradient %zu: %g, numeric %g", k,
                   gradGates[k], expected);
    }
    for (size_t k = 0; k < c.size(); k++) {
        double expected = kiln_numeric_gradient(c, k, loss);
        KILN_CHECK(kiln_close(gradC[k], expected, 1e-6), "lstm cell-state gradient %zu: %g, numeric %g", k, gradC[k],
                   expected);
    }
}

static void check_gru(long long batch, long long hidden) {
    long long n = batch * hidden;
    std::vector<double> x = random_values(3 * n, 3), y = random_values(3 * n, 3), h = random_values(n, 1);
    std::vector<double> w = random_values(n, 1);
    std::vector<double> out(n), act(3 * n);
    gru_cell_forward_f64(x.data(), y.data(), h.data(), out.data(), act.data(), batch, hidden);
    for (long long b = 0; b < batch; b++) {
        for (long long j = 0; j < hidden; j++) {
            const double* xi = x.data() + b * 3 * hidden;
            const double* yi = y.data() + b * 3 * hidden;
            double r = sigmoid(xi[j] + yi[j]), z = sigmoid(xi[hidden + j] + yi[hidden + j]);
            double nn = tanh(xi[2 * hidden + j] + r * yi[2 * hidden + j]);
            KILN_CHECK(kiln_close(out[b * hidden + j], (1 - z) * nn + z * h[b * hidden + j], 1e-14),
                       "gru forward row %lld unit %lld", b, j);
        }
    }
    auto loss = [&]() {
        std::vector<double> o(n), a(3 * n);
        gru_cell_forward_f64(x.data(), y.data(), h.data(), o.data(), a.data(), batch, hidden);
        return dot(w, o);
    };
    std::vector<double> gradX(3 * n), gradY(3 * n), gradH(n);
    gru_cell_backward_f64(act.data(), y.data(), h.data(), w.data(), gradX.data(), gradY.data(), gradH.data(), batch,
                          hidden);
    for (size_t k = 0; k < x.size(); k++) {
        double ex = kiln_numeric_gradient(x, k, loss);
        double ey = kiln_numeric_gradient(y, k, loss);
        KILN_CHECK(kiln_close(gradX[k], ex, 1e-6) && kiln_close(gradY[k], ey, 1e-6),
                   "gru gate gradients %zu: input %g (numeric %g), hidden %g (numeric %g)", k, gradX[k], ex, gradY[k],
                   ey);
    }
    for (size_t k = 0; k < h.size(); k++) {
        // The state's direct path only: the recurrent GEMM adds the path through hiddenGates.
        double expected = kiln_numeric_gradient(h, k, loss);
        KILN_CHECK(kiln_close(gradH[k], expected, 1e-6), "gru state gradient %zu: %g, numeric %g", k, gradH[k],
                   expected);
    }
}

int main() {
    int cells = 0;
    for (int trial = 0; trial < 30; trial++) {
        long long batch = 1 + kiln_random(4);
        long long hidden = 1 + kiln_random(6);
        check_lstm(batch, hidden);
        check_gru(batch, hidden);
        cells += 2;
    }
    printf("LSTM and GRU cells, forward against the formulas, backward against finite differences: %d cells, %d"
           " failures\n", cells, kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
