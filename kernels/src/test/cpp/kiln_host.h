// Compiles Kiln's kernel sources as host C++ (g++ -DKILN_HOST_TEST), each launch run as one block of one
// thread: enough for kernels that walk their elements with grid-stride loops and reduce with kiln_block_sum
// (whose host form in kiln_common.cuh returns the thread's own value), not for kernels that split a block into
// warps. Each *_test.cpp here includes one kernel source and checks its kernels against references written
// from the CPU backend's semantics; HostKernelTest compiles and runs them, so that kernels are run, not only
// compiled, on machines without a GPU.
#pragma once
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define __global__
#define __device__
#define __shared__ static

struct KilnHostDim {
    unsigned x;
};
static const KilnHostDim threadIdx = {0};
static const KilnHostDim blockIdx = {0};
static const KilnHostDim blockDim = {1};
static const KilnHostDim gridDim = {1};

inline void __syncthreads() {}

inline unsigned __float_as_uint(float f) {
    unsigned u;
    memcpy(&u, &f, sizeof u);
    return u;
}

inline float __uint_as_float(unsigned u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

template <typename T> inline T atomicAdd(T* address, T value) {
    T old = *address;
    *address = old + value;
    return old;
}

static int kiln_failures = 0;

// Counts a failure and prints what failed; a test's main returns the count.
#define KILN_CHECK(condition, ...) \
    do { \
        if (!(condition)) { \
            kiln_failures++; \
            if (kiln_failures <= 10) { \
                printf("FAILED %s:%d: ", __FILE__, __LINE__); \
                printf(__VA_ARGS__); \
                printf("\n"); \
            } \
        } \
    } while (0)

inline bool kiln_close(double actual, double expected, double tolerance) {
    return fabs(actual - expected) <= tolerance * (1 + fabs(expected));
}

// d loss / d values[i] by central differences (step 1e-6), for checking gradients in double.
template <typename Values, typename Loss> inline double kiln_numeric_gradient(Values& values, size_t i, Loss loss) {
    const double step = 1e-6;
    double saved = values[i];
    values[i] = saved + step;
    double up = loss();
    values[i] = saved - step;
    double down = loss();
    values[i] = saved;
    return (up - down) / (2 * step);
}

// A small deterministic generator, so that every run checks the same cases.
static unsigned long long kiln_state = 88172645463325252ull;
inline long long kiln_random(long long bound) {
    kiln_state ^= kiln_state << 13;
    kiln_state ^= kiln_state >> 7;
    kiln_state ^= kiln_state << 17;
    return (long long) (kiln_state % (unsigned long long) bound);
}
