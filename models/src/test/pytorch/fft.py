"""Prints the data of FftPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file from the line
"Printed by": PyTorch's values and input gradients of torch.fft's rfft, irfft, fft, ifft, rfft2, irfft2, fftshift,
ifftshift, abs and angle of complex tensors, stft and istft (with the window as a second input), all on
torch.view_as_real / view_as_complex forms, in F64 and F32, with odd and even n, n above and below the input's length
and each norm mode; then fftfreq, rfftfreq and hann_window. The gradient is that of (y * w).sum() with
w = 1 + 0.5 (k mod 4) over y's elements k. Inputs are multiples of 1/16, exact in F32. Run with /usr/bin/python3
(torch 1.13)."""
import math
import torch

from pointwise_math import array, grads

fft, real, cplx = torch.fft, torch.view_as_real, torch.view_as_complex


def values(n, seed):
    return [round(2 * math.sin(0.9 * k + 1.3 * seed + 0.1) * 16) / 16 for k in range(n)]


def hann(n):
    return torch.hann_window(n, dtype=torch.float64).tolist()


def c(f):
    """f of a complex tensor, given and returned in view_as_real form."""
    return lambda x, *rest: real(f(cplx(x), *rest)) if f(cplx(x), *rest).is_complex() else f(cplx(x), *rest)


# (name, Java lambda over Tensor[] in, torch function over the inputs, [(values, dims)])
CASES = [
    ("rfft even n", "in -> Fft.rfft(in[0])", lambda x: real(fft.rfft(x)), [(values(16, 1), [2, 8])]),
    ("rfft odd n ortho", "in -> Fft.rfft(in[0], -1, -1, \"ortho\")", lambda x: real(fft.rfft(x, norm="ortho")),
     [(values(14, 2), [2, 7])]),
    ("rfft zero-padded to n 8 forward", "in -> Fft.rfft(in[0], 8, 1, \"forward\")",
     lambda x: real(fft.rfft(x, 8, 1, "forward")), [(values(15, 3), [3, 5])]),
    ("rfft trimmed to n 4 along dim 0", "in -> Fft.rfft(in[0], 4, 0, \"backward\")",
     lambda x: real(fft.rfft(x, 4, 0)), [(values(12, 4), [6, 2])]),
    ("rfft of a 3-D tensor along dim 1 odd n 5", "in -> Fft.rfft(in[0], 5, 1, null)",
     lambda x: real(fft.rfft(x, 5, 1)), [(values(24, 5), [2, 4, 3])]),
    ("irfft default n", "in -> Fft.irfft(in[0])", c(fft.irfft), [(values(20, 6), [2, 5, 2])]),
    ("irfft odd n 7 ortho", "in -> Fft.irfft(in[0], 7, -1, \"ortho\")", c(lambda z: fft.irfft(z, 7, norm="ortho")),
     [(values(16, 7), [2, 4, 2])]),
    ("irfft bins zero-padded to n 10 forward", "in -> Fft.irfft(in[0], 10, 1, \"forward\")",
     c(lambda z: fft.irfft(z, 10, 1, "forward")), [(values(24, 8), [3, 4, 2])]),
    ("irfft bins trimmed to n 4 along dim 0", "in -> Fft.irfft(in[0], 4, 0, null)",
     c(lambda z: fft.irfft(z, 4, 0)), [(values(24, 9), [6, 2, 2])]),
    ("fft", "in -> Fft.fft(in[0])", c(fft.fft), [(values(24, 10), [2, 6, 2])]),
    ("fft trimmed to n 4 along dim 0 ortho", "in -> Fft.fft(in[0], 4, 0, \"ortho\")",
     c(lambda z: fft.fft(z, 4, 0, "ortho")), [(values(30, 11), [5, 3, 2])]),
    ("ifft", "in -> Fft.ifft(in[0])", c(fft.ifft), [(values(20, 12), [2, 5, 2])]),
    ("ifft zero-padded to n 7 forward", "in -> Fft.ifft(in[0], 7, -1, \"forward\")",
     c(lambda z: fft.ifft(z, 7, norm="forward")), [(values(20, 13), [2, 5, 2])]),
    ("rfft2", "in -> Fft.rfft2(in[0])", lambda x: real(fft.rfft2(x)), [(values(48, 14), [2, 4, 6])]),
    ("rfft2 s (3, 5) dims (0, 2) ortho", "in -> Fft.rfft2(in[0], new int[] {3, 5}, new int[] {0, 2}, \"ortho\")",
     lambda x: real(fft.rfft2(x, (3, 5), (0, 2), "ortho")), [(values(48, 15), [2, 4, 6])]),
    ("irfft2", "in -> Fft.irfft2(in[0])", c(fft.irfft2), [(values(48, 16), [2, 4, 3, 2])]),
    ("irfft2 s (5, 5) forward", "in -> Fft.irfft2(in[0], new int[] {5, 5}, new int[] {-2, -1}, \"forward\")",
     c(lambda z: fft.irfft2(z, (5, 5), norm="forward")), [(values(24, 17), [4, 3, 2])]),
    ("fftshift", "in -> Fft.fftshift(in[0])", fft.fftshift, [(values(15, 18), [3, 5])]),
    ("ifftshift dim 1", "in -> Fft.ifftshift(in[0], 1)", lambda x: fft.ifftshift(x, 1), [(values(15, 19), [3, 5])]),
    ("abs with a zero", "in -> Fft.abs(in[0])", c(torch.abs), [(values(10, 20) + [0.0, 0.0], [2, 3, 2])]),
    ("angle with a zero", "in -> Fft.angle(in[0])", c(torch.angle), [(values(10, 21) + [0.0, 0.0], [2, 3, 2])]),
    ("stft centred hann", "in -> Fft.stft(in[0], 8, 3, in[1])",
     lambda x, w: real(torch.stft(x, 8, 3, window=w, return_complex=True)), [(values(40, 22), [40]), (hann(8), [8])]),
    ("stft batch short window normalized two-sided not centred",
     "in -> Fft.stft(in[0], 8, 4, in[1], false, true, false)",
     lambda x, w: real(torch.stft(x, 8, 4, win_length=6, window=w, center=False, normalized=True, onesided=False,
                                  return_complex=True)), [(values(60, 23), [2, 30]), (hann(6), [6])]),
    ("istft centred hann", "in -> Fft.istft(in[0], 8, 2, in[1])",
     lambda z, w: torch.istft(cplx(z), 8, 2, window=w), [(values(90, 24), [5, 9, 2]), (hann(8), [8])]),
    ("istft batch length 20 normalized", "in -> Fft.istft(in[0], 8, 2, in[1], true, true, true, 20)",
     lambda z, w: torch.istft(cplx(z), 8, 2, window=w, normalized=True, length=20),
     [(values(160, 25), [2, 5, 8, 2]), (hann(8), [8])]),
]

VALUES = [
    ("fftfreq 5 spacing 0.5", "Fft.fftfreq(5, 0.5, dtype)", lambda dt: fft.fftfreq(5, 0.5, dtype=dt)),
    ("fftfreq 8", "Fft.fftfreq(8, 1, dtype)", lambda dt: fft.fftfreq(8, dtype=dt)),
    ("rfftfreq 7 spacing 0.1", "Fft.rfftfreq(7, 0.1, dtype)", lambda dt: fft.rfftfreq(7, 0.1, dtype=dt)),
    ("rfftfreq 8", "Fft.rfftfreq(8, 1, dtype)", lambda dt: fft.rfftfreq(8, dtype=dt)),
    ("hann periodic 6", "Fft.hannWindow(6, true, dtype)", lambda dt: torch.hann_window(6, dtype=dt)),
    ("hann symmetric 5", "Fft.hannWindow(5, false, dtype)", lambda dt: torch.hann_window(5, False, dtype=dt)),
]


def results(fn, inputs, dtype):
    xs = [torch.tensor(v, dtype=dtype).reshape(d).requires_grad_(True) for v, d in inputs]
    y = fn(*xs)
    w = (1 + 0.5 * (torch.arange(y.numel()) % 4)).to(dtype).reshape(y.shape)
    (y * w).sum().backward()
    return y.detach().reshape(-1).tolist(), list(y.shape), [x.grad.reshape(-1).tolist() for x in xs]


def print_cases():
    print_cases_of(CASES)


def print_cases_of(all_cases):
    """Java's cases() stream of all_cases (name, Java lambda, torch function, [(values, dims)])."""
    print("    static Stream<Arguments> cases() {")
    print("        return Stream.of(")
    cases = []
    for name, java, fn, inputs in all_cases:
        y64, shape, g64 = results(fn, inputs, torch.float64)
        y32, _, g32 = results(fn, inputs, torch.float32)
        ins = "new double[][] {" + ",\n                    ".join(array(v) for v, _ in inputs) + "}"
        dims = "new int[][] {" + ", ".join("{" + ", ".join(map(str, d)) + "}" for _, d in inputs) + "}"
        out = "new int[] {" + ", ".join(map(str, shape)) + "}"
        cases.append('                cases("%s", %s,\n                    %s,\n                    %s, %s,\n'
                     '                    new double[] %s,\n                    %s,\n'
                     '                    new double[] %s,\n                    %s)'
                     % (name, java, ins, dims, out, array(y64), grads(g64), array(y32), grads(g32)))
    print(",\n".join(cases) + ").flatMap(s -> s);")
    print("    }")


def print_values():
    print("\n    static Stream<Arguments> values() {")
    print("        return Stream.of(")
    rows = []
    for name, java, fn in VALUES:
        for dt, jdt in ((torch.float64, "F64"), (torch.float32, "F32")):
            rows.append('                Arguments.of("%s", DType.%s, (Function<DType, Tensor>) dtype -> %s,\n'
                        '                    new double[] %s)' % (name, jdt, java, array(fn(dt).tolist())))
    print(",\n".join(rows) + ");")
    print("    }")


if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/fft.py (PyTorch %s).\n" % torch.__version__)
    print_cases()
    print_values()
