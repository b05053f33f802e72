// Sorting the rows of the last axis (Backend.sortLastAxis): each row of x [rows, n] in ascending or descending
// order, stable (equal elements keep the order of their positions, so (value, position) orders every element
// strictly), NaN above every number, -0.0 equal to 0.0; the first k of each sorted row are written out, values and
// I64 positions within the row.
//
// sort_tiles cuts each row into chunks of up to KILN_SORT_TILE elements, pads each chunk to p, the power of two at
// or above its length, and sorts KILN_SORT_TILE / p chunks per block in shared memory with one bitonic network whose
// stages stay within aligned runs of p: a block sorts many short rows at once. A row longer than a tile is then
// merged pairwise, log2(chunks) passes of sort_merge in global memory, each element finding its place in the merged
// run by a binary search in the other run. Every loop strides over the block's threads and the grid, and the
// network's stages are separated by __syncthreads, so one block of one thread (the host tests) runs it too.
#include "kiln_common.cuh"

#define KILN_SORT_TILE 2048

// a below b in ascending order: NaN above every number; -0.0 and 0.0 are neither below the other.
template <typename T> __device__ inline bool sort_less(T a, T b) {
    return a < b || (b != b && a == a);
}

// (a, position pa) comes before (b, pb) in the row's order; positions break ties.
template <typename T> __device__ inline bool sort_before(T a, long long pa, T b, long long pb, int descending) {
    if (descending ? sort_less(b, a) : sort_less(a, b)) {
        return true;
    }
    if (descending ? sort_less(a, b) : sort_less(b, a)) {
        return false;
    }
    return pa < pb;
}

// Slot i before slot j of a tile; padding (a negative position) after every element.
template <typename T> __device__ inline bool tile_before(const T* keys, const int* pos, int i, int j, int descending) {
    if (pos[j] < 0) {
        return pos[i] >= 0;
    }
    return pos[i] >= 0 && sort_before(keys[i], (long long) pos[i], keys[j], (long long) pos[j], descending);
}

// Sorts every chunk of KILN_SORT_TILE (fewer at a row's end) of x [rows, n]; writes position at < k of each sorted
// chunk, at counted from the chunk's start in the row, to row r of values and indices [rows, k]. With one chunk a
// row this is the whole sort, k <= n; with more, k = n and sort_merge takes the sorted chunks on.
template <typename T> __device__ void sort_tiles_impl(const T* x, T* values, long long* indices, long long rows,
                                                     long long n, long long k, int descending) {
    __shared__ T keys[KILN_SORT_TILE];
    __shared__ int pos[KILN_SORT_TILE];
    long long chunks = (n + KILN_SORT_TILE - 1) / KILN_SORT_TILE;
    int p = 1;
    while (p < n && p < KILN_SORT_TILE) {
        p <<= 1;
    }
    int perBlock = KILN_SORT_TILE / p;
    long long segments = rows * chunks;
    for (long long first = (long long) blockIdx.x * perBlock; first < segments;
         first += (long long) gridDim.x * perBlock) {
        for (int i = threadIdx.x; i < KILN_SORT_TILE; i += blockDim.x) {
            long long g = first + i / p;
            long long at = (g % chunks) * KILN_SORT_TILE + i % p;
            bool real = g < segments && at < n;
            keys[i] = real ? x[(g / chunks) * n + at] : T(0);
            pos[i] = real ? (int) at : -1;
        }
        __syncthreads();
        for (int size = 2; size <= p; size <<= 1) {
            for (int stride = size >> 1; stride > 0; stride >>= 1) {
                for (int i = threadIdx.x; i < KILN_SORT_TILE; i += blockDim.x) {
                    int j = i ^ stride;
                    // Runs of `size` alternate direction within a chunk; the last stage sorts each chunk ascending.
                    bool up = size == p || (i & size) == 0;
                    if (j > i && (up ? tile_before(keys, pos, j, i, descending)
                                     : tile_before(keys, pos, i, j, descending))) {
                        T key = keys[i];
                        keys[i] = keys[j];
                        keys[j] = key;
                        int at = pos[i];
                        pos[i] = pos[j];
                        pos[j] = at;
                    }
                }
                __syncthreads();
            }
        }
        for (int i = threadIdx.x; i < KILN_SORT_TILE; i += blockDim.x) {
            long long g = first + i / p;
            long long at = (g % chunks) * KILN_SORT_TILE + i % p;
            if (g < segments && at < k && pos[i] >= 0) {
                values[(g / chunks) * k + at] = keys[i];
                indices[(g / chunks) * k + at] = pos[i];
            }
        }
        __syncthreads();
    }
}

// One merge pass: the sorted runs of `width` elements of each row of (srcValues, srcIndices) [rows, n] merged in
// pairs into runs of 2 width; an element's merged place is its place in its own run plus the number of the other
// run's elements before it. Places below k are written to (values, indices) [rows, k] (k = n but on the last pass).
template <typename T> __device__ void sort_merge_impl(const T* srcValues, const long long* srcIndices, T* values,
                                                     long long* indices, long long rows, long long n, long long k,
                                                     long long width, int descending) {
    KILN_FOR(q, rows * n) {
        long long row = q / n;
        long long i = q % n;
        long long run = i / width;
        long long start = (run - (run & 1)) * width;
        bool left = (run & 1) == 0;
        long long other = left ? start + width : start;
        long long otherEnd = left ? (start + 2 * width < n ? start + 2 * width : n) : start + width;
        const T* v = srcValues + row * n;
        const long long* at = srcIndices + row * n;
        long long lo = other;
        long long hi = otherEnd;  // an empty other run (the last run of a row, unpaired) leaves lo at other
        while (lo < hi) {
            long long mid = lo + (hi - lo) / 2;
            if (sort_before(v[mid], at[mid], v[i], at[i], descending)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        long long place = start + (i - (left ? start : start + width)) + (lo - other);
        if (place < k) {
            values[row * k + place] = v[i];
            indices[row * k + place] = at[i];
        }
    }
}

#define KILN_SORT(T, S) \
    extern "C" __global__ void sort_tiles_##S(const T* x, T* values, long long* indices, long long rows, long long n, \
                                              long long k, int descending) { \
        sort_tiles_impl<T>(x, values, indices, rows, n, k, descending); \
    } \
    extern "C" __global__ void sort_merge_##S(const T* srcValues, const long long* srcIndices, T* values, \
                                              long long* indices, long long rows, long long n, long long k, \
                                              long long width, int descending) { \
        sort_merge_impl<T>(srcValues, srcIndices, values, indices, rows, n, k, width, descending); \
    }
KILN_ALL_TYPES(KILN_SORT)
