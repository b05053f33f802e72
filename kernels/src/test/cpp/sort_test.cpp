// sort.cu's row sort (Backend.sortLastAxis) against std::stable_sort with the CPU backend's order: ascending or
// descending, NaN above every number, -0.0 equal to 0.0, ties in the order of their positions. Rows of one element
// to three tiles (the tile sort alone, then one and two merge passes, as CudaSort drives them), many short rows to a
// block, ties, NaN and signed zeros, every k from 1 to n in turn, in each element type; values compared bit for bit.
#include "kiln_host.h"
#include "sort.cu"

#include <algorithm>
#include <vector>

// What CudaSort does: one tile pass, then merge passes between two scratch buffers, the last into the outputs.
template <typename T> static void sort_rows(const std::vector<T>& x, long long rows, long long n, long long k,
                                            int descending, std::vector<T>& values, std::vector<long long>& indices) {
    long long chunks = (n + KILN_SORT_TILE - 1) / KILN_SORT_TILE;
    if (chunks == 1) {
        sort_tiles_impl<T>(x.data(), values.data(), indices.data(), rows, n, k, descending);
        return;
    }
    std::vector<T> v[2] = {std::vector<T>(rows * n), std::vector<T>(rows * n)};
    std::vector<long long> at[2] = {std::vector<long long>(rows * n), std::vector<long long>(rows * n)};
    sort_tiles_impl<T>(x.data(), v[0].data(), at[0].data(), rows, n, n, descending);
    int from = 0;
    for (long long width = KILN_SORT_TILE; width < n; width *= 2) {
        bool last = width * 2 >= n;
        sort_merge_impl<T>(v[from].data(), at[from].data(), last ? values.data() : v[1 - from].data(),
                           last ? indices.data() : at[1 - from].data(), rows, n, last ? k : n, width, descending);
        from = 1 - from;
    }
}

// The CPU backend's order: NaN above every number, -0.0 equal to 0.0, std::stable_sort keeping positions for ties.
template <typename T> static bool below(T a, T b) {
    return a < b || (b != b && a == a);
}

template <typename T> static bool same_bits(T a, T b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

// Values drawn from a few choices, so that ties are common, with NaN and both zeros among them for floating types.
template <typename T> static T draw(bool floating) {
    static const double choices[] = {0.0, -0.0, 1.5, -2.0, 3.0, NAN, -INFINITY, INFINITY, 7.0, -7.0};
    long long c = kiln_random(floating ? 10 : 5);
    return kiln_random(4) == 0 ? (T) (kiln_random(2001) - 1000) : (T) (floating ? choices[c] : choices[c + 2]);
}

template <typename T> static int check(const char* type, bool floating, long long rows, long long n, long long k,
                                       int descending) {
    std::vector<T> x(rows * n), values(rows * k);
    std::vector<long long> indices(rows * k, -1);
    for (auto& v : x) {
        v = draw<T>(floating);
    }
    sort_rows<T>(x, rows, n, k, descending, values, indices);
    int before = kiln_failures;
    for (long long r = 0; r < rows && kiln_failures == before; r++) {
        std::vector<long long> order(n);
        for (long long j = 0; j < n; j++) {
            order[j] = j;
        }
        const T* row = x.data() + r * n;
        std::stable_sort(order.begin(), order.end(), [&](long long a, long long b) {
            return descending ? below(row[b], row[a]) : below(row[a], row[b]);
        });
        for (long long j = 0; j < k; j++) {
            KILN_CHECK(indices[r * k + j] == order[j] && same_bits(values[r * k + j], row[order[j]]),
                       "%s rows %lld n %lld k %lld descending %d: row %lld place %lld holds position %lld, expected %lld",
                       type, rows, n, k, descending, r, j, indices[r * k + j], order[j]);
        }
    }
    return 1;
}

template <typename T> static int check_type(const char* type, bool floating) {
    int cases = 0;
    const long long lengths[] = {1, 2, 3, 5, 8, 31, 100, 2047, 2048, 2049, 4096, 5000, 6145};
    for (long long n : lengths) {
        for (int descending = 0; descending < 2; descending++) {
            long long rows = n < 64 ? 1 + kiln_random(300) : 1 + kiln_random(3);
            cases += check<T>(type, floating, rows, n, n, descending);
            cases += check<T>(type, floating, rows, n, 1 + kiln_random(n), descending);
        }
    }
    for (long long k = 1; k <= 9; k++) {
        cases += check<T>(type, floating, 4, 9, k, (int) (k & 1));
    }
    return cases;
}

int main() {
    int cases = check_type<float>("f32", true) + check_type<double>("f64", true) + check_type<int>("i32", false)
                + check_type<long long>("i64", false);
    printf("row sort (tiles and merges, ascending and descending, first k): %d cases, %d failures\n", cases,
           kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
