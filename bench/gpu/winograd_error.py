"""FP32 error of Winograd convolution, emulated in numpy: the reason for CudaCudnnBenchmarkTest's tolerance.

With cuDNN's algorithms timed (KILN_CUDNN_BENCHMARK=1) a 3x3 convolution may run as Winograd, whose transforms
lose more precision in FP32 than a direct or GEMM-based sum does. This computes 3x3 convolutions with the
Toom-Cook matrices of F(4x4,3x3) and F(6x6,3x3) (points 0, +-1, +-2 and 0, +-1, +-1/2, +-2), all arithmetic in
float32, against a direct sum in float64, on inputs and weights uniform in [-1, 1) as in the parity tests, at the
test's sum lengths (64 channels x 9 = 576 for a forward pass, about 2,048 for a filter gradient over 8 x 16 x 16
positions). Prints each error's maximum as a multiple of the outputs' root mean square. cuDNN's own transforms
are not published; these are the textbook ones. Run: python3 bench/gpu/winograd_error.py
"""
import numpy as np
from numpy.polynomial import polynomial as P


def toom_cook(m, r, points):
    """A^T (m x n), G (n x r) and B^T (n x n) of F(m, r), n = m + r - 1, for n - 1 finite points and infinity."""
    n = m + r - 1
    a = np.array(points, dtype=np.float64)
    AT, G, BT = np.zeros((m, n)), np.zeros((n, r)), np.zeros((n, n))
    for j in range(n - 1):
        others = [a[l] for l in range(n - 1) if l != j]
        AT[:, j] = a[j] ** np.arange(m)
        G[j] = a[j] ** np.arange(r) / np.prod([a[j] - o for o in others])
        coefficients = P.polyfromroots(others)
        BT[j, :len(coefficients)] = coefficients
    AT[m - 1, n - 1] = 1
    G[n - 1, r - 1] = 1
    BT[n - 1, :] = P.polyfromroots(a)
    return AT, G, BT


def tile_errors(m, points, channels, tiles, dtype, rng):
    """|Winograd - direct| of `tiles` output tiles of m x m, and the direct (float64) outputs."""
    AT, G, BT = (x.astype(dtype) for x in toom_cook(m, 3, points))
    n = m + 2
    d = rng.uniform(-1, 1, (tiles, channels, n, n)).astype(np.float32)
    g = rng.uniform(-1, 1, (tiles, channels, 3, 3)).astype(np.float32)
    U = np.einsum('ij,tcjk,lk->tcil', G, g.astype(dtype), G)
    V = np.einsum('ij,tcjk,lk->tcil', BT, d.astype(dtype), BT)
    Y = np.einsum('ij,tjk,lk->til', AT, (U * V).sum(1), AT)
    direct = np.zeros((tiles, m, m))
    for y in range(m):
        for x in range(m):
            direct[:, y, x] = (d[:, :, y:y + 3, x:x + 3].astype(np.float64) * g).sum((1, 2, 3))
    return np.abs(Y - direct), direct


def main():
    rng = np.random.default_rng(1)
    for m, points in ((4, [0, 1, -1, 2, -2]), (6, [0, 1, -1, 0.5, -0.5, 2, -2])):
        exact, _ = tile_errors(m, points, 4, 50, np.float64, rng)
        print('F(%dx%d,3x3): float64 max error %.0e (the matrices are right)' % (m, m, exact.max()))
        for channels in (64, 228):
            error, direct = tile_errors(m, points, channels, 2000, np.float32, rng)
            rms = np.sqrt((direct ** 2).mean())
            print('  float32, %d-term sums: outputs rms %.1f, max error %.2e = %.1e x rms'
                  % (channels * 9, rms, error.max(), error.max() / rms))


if __name__ == '__main__':
    main()
