// memory.cu's slice copies (copy_slices: a recurrent sequence's states and outputs move with it), strided copies
// (permute), bfloat16 rounding, conversions and fills,
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
    // bfloat16 rounding, nearest even, as Precision.roundToBfloat16: a tie rounding down to even, one rounding up,
    // a carry into the exponent, the largest float rounding to infinity, a negative NaN staying a quiet negative NaN;
    // and the 16-bit copies cuBLAS multiplies are the upper halves of the rounded floats.
    const unsigned in[] = {0x3F808000u, 0x3F818000u, 0x3F80C000u, 0x3FFFFFFFu, 0x7F7FFFFFu, 0xFF800001u, 0x80000000u};
    const unsigned rounded[] = {0x3F800000u, 0x3F820000u, 0x3F810000u, 0x40000000u, 0x7F800000u, 0xFFC00000u,
                                0x80000000u};
    float values[7], out[7];
    unsigned short halves[7];
    for (int i = 0; i < 7; i++) {
        values[i] = __uint_as_float(in[i]);
    }
    round_bf16_f32(values, out, 7);
    to_bf16_f32(values, halves, 7);
    for (int i = 0; i < 7; i++) {
        KILN_CHECK(__float_as_uint(out[i]) == rounded[i], "bfloat16 of 0x%08X: 0x%08X, expected 0x%08X", in[i],
                   __float_as_uint(out[i]), rounded[i]);
        KILN_CHECK(halves[i] == rounded[i] >> 16, "bfloat16 bits of 0x%08X: 0x%04X", in[i], (unsigned) halves[i]);
    }
    // Conversions of values every type holds (out-of-range floats saturate on a GPU as in Java, but are undefined
    // in host C++, so they are not tried here): floats truncate toward zero.
    const double doubles[] = {-2.75, -0.5, 0.0, 0.5, 3.99, 1e6};
    int ints[6];
    long long longs[6];
    float floats[6];
    convert_f64_i32(doubles, ints, 6);
    convert_f64_i64(doubles, longs, 6);
    convert_f64_f32(doubles, floats, 6);
    const int truncated[] = {-2, 0, 0, 0, 3, 1000000};
    for (int i = 0; i < 6; i++) {
        KILN_CHECK(ints[i] == truncated[i] && longs[i] == truncated[i] && floats[i] == (float) doubles[i],
                   "conversion of %g", doubles[i]);
    }
    std::vector<float> filled(37, 1.0f);
    fill_f32(filled.data(), 30, -2.5);
    for (size_t i = 0; i < filled.size(); i++) {
        KILN_CHECK(filled[i] == (i < 30 ? -2.5f : 1.0f), "fill at %zu", i);
    }
    // IEEE half rounding as Precision.roundToHalf and PyTorch's half(): 65504 kept, just below the overflow
    // midpoint down to 65504, the midpoint 65520 up to infinity, 6e-8 to the smallest subnormal 2^-24, 2^-25 (a tie)
    // down to zero, 1.5 * 2^-24 (a tie) up to the even 2^-23, -1e-9 to -0, a tie at 1 + 2^-11 down to 1, the largest
    // subnormal-range value up to 2^-14, a NaN with a payload to the quiet NaN of its sign.
    const unsigned halfIn[] = {0x477FE000u, 0x477FEFFFu, 0x477FF000u, 0x3380D959u, 0x33000000u, 0x33C00000u,
                               0xB08970E0u, 0x3F801000u, 0x387FFFFFu, 0xFF800001u, 0x7F800000u};
    const unsigned halfRounded[] = {0x477FE000u, 0x477FE000u, 0x7F800000u, 0x33800000u, 0x00000000u, 0x34000000u,
                                    0x80000000u, 0x3F800000u, 0x38800000u, 0xFFC00000u, 0x7F800000u};
    const unsigned short halfBits[] = {0x7BFFu, 0x7BFFu, 0x7C00u, 0x0001u, 0x0000u, 0x0002u, 0x8000u, 0x3C00u, 0x0400u,
                                       0xFE00u, 0x7C00u};
    float halfValues[11], halfOut[11];
    unsigned short halfCopies[11];
    for (int i = 0; i < 11; i++) {
        halfValues[i] = __uint_as_float(halfIn[i]);
    }
    round_half_f32(halfValues, halfOut, 11);
    to_half_f32(halfValues, halfCopies, 11);
    for (int i = 0; i < 11; i++) {
        KILN_CHECK(__float_as_uint(halfOut[i]) == halfRounded[i], "half of 0x%08X: 0x%08X, expected 0x%08X",
                   halfIn[i], __float_as_uint(halfOut[i]), halfRounded[i]);
        KILN_CHECK(halfCopies[i] == halfBits[i], "half bits of 0x%08X: 0x%04X, expected 0x%04X", halfIn[i],
                   (unsigned) halfCopies[i], (unsigned) halfBits[i]);
    }
    printf("slice copies: %d, a transpose by strides, bfloat16 and half rounding, conversions, fill: %d failures\n",
           copies, kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
