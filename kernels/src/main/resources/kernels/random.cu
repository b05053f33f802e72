// Random fills (Backend SPI section 8) from the engine's counter-based stream, the same function as
// dev.kiln.engine.CounterRandom: element i draws counter + i, so every backend gives the same numbers.
#include "kiln_common.cuh"

#define KILN_GOLDEN 0x9E3779B97F4A7C15ULL
#define KILN_SECOND_STREAM 0xD1B54A32D192ED03ULL

__device__ inline unsigned long long counter_bits(unsigned long long seed, unsigned long long counter) {
    unsigned long long z = seed + (counter + 1ULL) * KILN_GOLDEN;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Uniform in [0, 1) with 53 random bits.
__device__ inline double counter_uniform(unsigned long long seed, unsigned long long counter) {
    return (double) (counter_bits(seed, counter) >> 11) * 0x1.0p-53;
}

// Standard normal by Box-Muller from two independent uniforms of the same counter.
__device__ inline double counter_normal(unsigned long long seed, unsigned long long counter) {
    double u1 = 1.0 - counter_uniform(seed, counter);
    double u2 = counter_uniform(seed ^ KILN_SECOND_STREAM, counter);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

__device__ inline float k_nextafter(float x, float toward) { return nextafterf(x, toward); }
__device__ inline double k_nextafter(double x, double toward) { return nextafter(x, toward); }

// Rounding (to T, or in low + width * u) must not reach the excluded upper bound.
template <typename T> __device__ void random_uniform_impl(T* out, long long n, double low, double high,
                                                         unsigned long long seed, unsigned long long counter) {
    double width = high - low;
    KILN_FOR(i, n) {
        T v = (T) (low + width * counter_uniform(seed, counter + (unsigned long long) i));
        // Compared in double, as the CPU does: (T) high may round below high and clamp a valid draw.
        if (width > 0 && (double) v >= high) {
            v = k_nextafter((T) high, (T) low);
        }
        out[i] = v;
    }
}

template <typename T> __device__ void random_normal_impl(T* out, long long n, double mean, double std,
                                                        unsigned long long seed, unsigned long long counter) {
    KILN_FOR(i, n) {
        out[i] = (T) (mean + std * counter_normal(seed, counter + (unsigned long long) i));
    }
}

template <typename T> __device__ void bernoulli_impl(T* out, long long n, double p, unsigned long long seed,
                                                    unsigned long long counter) {
    KILN_FOR(i, n) {
        out[i] = counter_uniform(seed, counter + (unsigned long long) i) < p ? T(1) : T(0);
    }
}

#define KILN_RANDOM(T, S) \
    extern "C" __global__ void random_uniform_##S(T* out, long long n, double low, double high, \
                                                  unsigned long long seed, unsigned long long counter) { \
        random_uniform_impl<T>(out, n, low, high, seed, counter); \
    } \
    extern "C" __global__ void random_normal_##S(T* out, long long n, double mean, double std, \
                                                 unsigned long long seed, unsigned long long counter) { \
        random_normal_impl<T>(out, n, mean, std, seed, counter); \
    } \
    extern "C" __global__ void bernoulli_##S(T* out, long long n, double p, unsigned long long seed, \
                                             unsigned long long counter) { \
        bernoulli_impl<T>(out, n, p, seed, counter); \
    }
KILN_FLOAT_TYPES(KILN_RANDOM)
