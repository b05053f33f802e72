// memory.cu's slice copies (copy_slices: a recurrent sequence's states and outputs move with it), strided copies
// (permute) and fills,
// against loops over the [outer, n, inner] views the SPI describes (Backend.copySlices).
#include "kiln_host.h"
#include "memory.cu"

#include <vector>

int main() {
    int copies = 0;
    for (int trial = 0; trial < 300; trial++) {
        long long outer = 1 + kiln_random(4), inner = 1 + kiln_random(5);
        long long srcN = 1 + kiln_random(8), dstN = 1 + kiln_random(8);
        long long length = 1 + kiln_random(srcN < dstN ? srcN : dstN);
        long long srcStart = kiln_random(srcN - length + 1), dstStart = kiln_random(dstN - length + 1);
        std::vector<long long> src(outer * srcN * inner), dst(outer * dstN * inner, -1), expected;
        for (size_t i = 0; i < src.size(); i++) {
            src[i] = (long long) i * 3 + 1;
        }
        expected = dst;
        for (long long o = 0; o < outer; o++) {
            for (long long j = 0; j < length; j++) {
                for (long long i = 0; i < inner; i++) {
                    expected[(o * dstN + dstStart + j) * inner + i] = src[(o * srcN + srcStart + j) * inner + i];
                }
            }
        }
        copy_slices_i64(src.data(), dst.data(), outer, srcN, dstN, inner, srcStart, dstStart, length);
        KILN_CHECK(dst == expected, "copy_slices outer %lld, n %lld -> %lld, inner %lld, [%lld, +%lld) -> %lld", outer,
                   srcN, dstN, inner, srcStart, length, dstStart);
        copies++;
    }
    // A transpose of [3, 5] into [5, 3] by strides, as Backend.permute runs it.
    std::vector<int> matrix(15), transposed(15);
    for (int i = 0; i < 15; i++) {
        matrix[i] = i * 7;
    }
    Dims8 dims = {{5, 3}};
    Dims8 strides = {{1, 5}};
    strided_copy_i32(matrix.data(), transposed.data(), 15, 2, dims, strides);
    for (int r = 0; r < 5; r++) {
        for (int c = 0; c < 3; c++) {
            KILN_CHECK(transposed[r * 3 + c] == matrix[c * 5 + r], "transpose at [%d, %d]", r, c);
        }
    }
    std::vector<float> filled(37, 1.0f);
    fill_f32(filled.data(), 30, -2.5);
    for (size_t i = 0; i < filled.size(); i++) {
        KILN_CHECK(filled[i] == (i < 30 ? -2.5f : 1.0f), "fill at %zu", i);
    }
    printf("slice copies: %d, a transpose by strides, fill: %d failures\n", copies, kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
