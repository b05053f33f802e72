// index.cu's gathers and scatter-adds over [outer, n, inner] views (Backend.indexSelect, gather, indexAdd,
// scatterAdd: embeddings, their gradients, cross-entropy's composite), with repeated indices, in integers so that
// every sum is exact whatever the order of the additions.
#include "kiln_host.h"
#include "index.cu"

#include <vector>

int main() {
    int cases = 0;
    for (int trial = 0; trial < 300; trial++) {
        long long outer = 1 + kiln_random(3), n = 1 + kiln_random(6), inner = 1 + kiln_random(4), m = 1 + kiln_random(7);
        std::vector<long long> src(outer * n * inner), rows(m), elements(outer * m * inner), values(outer * m * inner);
        for (size_t i = 0; i < src.size(); i++) {
            src[i] = (long long) i * 5 - 7;
        }
        for (auto& r : rows) {
            r = kiln_random(n);  // repeats are likely: scatter-adds must add them all
        }
        for (size_t i = 0; i < elements.size(); i++) {
            elements[i] = kiln_random(n);
            values[i] = kiln_random(100) - 50;
        }
        std::vector<long long> selected(outer * m * inner), gathered(outer * m * inner);
        std::vector<long long> added(src), scattered(src);
        index_select_i64(src.data(), rows.data(), selected.data(), outer, n, inner, m);
        gather_i64(src.data(), elements.data(), gathered.data(), outer, n, inner, m);
        index_add_i64(added.data(), rows.data(), values.data(), outer, n, inner, m);
        scatter_add_i64(scattered.data(), elements.data(), values.data(), outer, n, inner, m);
        std::vector<long long> expectedAdded(src), expectedScattered(src);
        for (long long o = 0; o < outer; o++) {
            for (long long j = 0; j < m; j++) {
                for (long long i = 0; i < inner; i++) {
                    long long q = (o * m + j) * inner + i;
                    KILN_CHECK(selected[q] == src[(o * n + rows[j]) * inner + i], "index_select at %lld", q);
                    KILN_CHECK(gathered[q] == src[(o * n + elements[q]) * inner + i], "gather at %lld", q);
                    expectedAdded[(o * n + rows[j]) * inner + i] += values[q];
                    expectedScattered[(o * n + elements[q]) * inner + i] += values[q];
                }
            }
        }
        KILN_CHECK(added == expectedAdded, "index_add, outer %lld n %lld inner %lld m %lld", outer, n, inner, m);
        KILN_CHECK(scattered == expectedScattered, "scatter_add, outer %lld n %lld inner %lld m %lld", outer, n, inner,
                   m);
        cases++;
    }
    printf("index select, gather, index-add and scatter-add: %d cases, %d failures\n", cases, kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
