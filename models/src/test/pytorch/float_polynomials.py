"""Prints the minimax polynomials of the CPU backend's F32 erf and erfc (FloatErf.smallErf and tailFactor) as Java
float literals: Remez exchange for the least maximum relative error, in mpmath (no torch needed).

    cd models/src/test/pytorch && /usr/bin/python3 float_polynomials.py
"""
import mpmath as mp
import numpy as np

mp.mp.prec = 120


def remez(f, basis, a, b, iters=25, grid=3000):
    """Coefficients c minimising max |sum c_k basis_k(x) / f(x) - 1| on [a, b], and that maximum."""
    n = len(basis)
    xs = [a + (b - a) * (1 - mp.cos(mp.pi * i / n)) / 2 for i in range(n + 1)]
    dense = [a + (b - a) * (1 - mp.cos(mp.pi * i / grid)) / 2 for i in range(grid + 1)]
    fd = [f(x) for x in dense]
    bd = [[phi(x) for phi in basis] for x in dense]
    best = None
    for _ in range(iters):
        # sum c_k phi_k(x_i) - f(x_i) = (-1)^i E f(x_i) at the reference points
        A = mp.matrix(n + 1, n + 1)
        rhs = mp.matrix(n + 1, 1)
        for i, x in enumerate(xs):
            fx = f(x)
            for k in range(n):
                A[i, k] = basis[k](x)
            A[i, n] = -((-1) ** i) * fx
            rhs[i] = fx
        sol = mp.lu_solve(A, rhs)
        c = [sol[k] for k in range(n)]
        err = [sum(c[k] * bd[j][k] for k in range(n)) / fd[j] - 1 for j in range(len(dense))]
        # the local extrema of the error, one per run of equal sign
        ext = []
        for j, e in enumerate(err):
            left = err[j - 1] if j > 0 else None
            right = err[j + 1] if j + 1 < len(err) else None
            if (left is None or abs(e) >= abs(left)) and (right is None or abs(e) >= abs(right)):
                if ext and mp.sign(ext[-1][1]) == mp.sign(e):
                    if abs(e) > abs(ext[-1][1]):
                        ext[-1] = (dense[j], e)
                else:
                    ext.append((dense[j], e))
        while len(ext) > n + 1:
            ext.pop(0 if abs(ext[0][1]) < abs(ext[-1][1]) else -1)
        worst = max(abs(e) for e in err)
        if best is None or worst < best[1]:
            best = (c, worst)
        if len(ext) == n + 1:
            xs = [e[0] for e in ext]
    return best


def floats(coefficients):
    return ', '.join(repr(np.float32(float(c))) + 'f' for c in coefficients)


# erf(z) = z P(z^2) on [0, 1/2] (from 1e-6: the relative error is 0/0 at 0)
c, worst = remez(lambda z: mp.erf(z), [(lambda k: lambda z: z ** (2 * k + 1))(k) for k in range(5)],
                 mp.mpf('1e-6'), mp.mpf('0.5'))
print('// smallErf: P(s), s = z^2, constant term first; max relative error', mp.nstr(worst, 3))
print(floats(c))

# R(a) = erfc(a) exp(a^2) = t S(t), t = 1 / (1 + a), a in [1/2, 10.1]
R = lambda a: mp.erfc(a) * mp.exp(a * a)
c, worst = remez(lambda t: R(1 / t - 1), [(lambda j: lambda t: t ** (j + 1))(j) for j in range(11)],
                 1 / (1 + mp.mpf('10.1')), 1 / (1 + mp.mpf('0.5')))
print('// tailFactor: S(t), constant term first; max relative error', mp.nstr(worst, 3))
print(floats(c))
