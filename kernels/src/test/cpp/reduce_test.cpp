// reduce.cu's cross-entropy gradient with the scale of a mean: (probs - onehot(target)) * (gradLoss * scale),
// the scaled gradient rounded to the element type as affine rounds it, like the CPU backend (CpuSoftmax).
#include "kiln_host.h"
#include "reduce.cu"

#include <vector>

int main() {
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
    printf("cross-entropy gradient: %d cases, %d failures\n", cases, kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
