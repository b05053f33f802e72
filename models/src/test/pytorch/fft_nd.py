"""Prints the data of FftNdPyTorchParityTest (tests/src/test/java/dev/kiln/tests/ops/), the end of its file from the
line "Printed by": PyTorch's values and input gradients of torch.fft's fft2, ifft2, fftn and ifftn of complex tensors,
fft and ifft of real tensors, fft and ifft of lengths with a prime factor above 13 (17, 34, 97: the CPU's Bluestein
path), and stft with pad modes constant, replicate and circular (the window as a second input), on view_as_real forms,
in F64 and F32, with the gradient of (y * w).sum(), w = 1 + 0.5 (k mod 4), as fft.py prints its cases. Run with
/usr/bin/python3 (torch 1.13)."""
import torch

from fft import c, hann, print_cases_of, values

fft, real = torch.fft, torch.view_as_real

CASES = [
    ("fft2", "in -> Fft.fft2(in[0])", c(fft.fft2), [(values(48, 31), [2, 3, 4, 2])]),
    ("fft2 s (4, 3) dims (0, 2) ortho", "in -> Fft.fft2(in[0], new int[] {4, 3}, new int[] {0, 2}, \"ortho\")",
     c(lambda z: fft.fft2(z, (4, 3), (0, 2), "ortho")), [(values(48, 32), [2, 3, 4, 2])]),
    ("ifft2", "in -> Fft.ifft2(in[0])", c(fft.ifft2), [(values(40, 33), [4, 5, 2])]),
    ("ifft2 s (3, 6) forward", "in -> Fft.ifft2(in[0], new int[] {3, 6}, null, \"forward\")",
     c(lambda z: fft.ifft2(z, (3, 6), norm="forward")), [(values(40, 34), [4, 5, 2])]),
    ("fftn of every axis", "in -> Fft.fftn(in[0])", c(fft.fftn), [(values(48, 35), [2, 3, 4, 2])]),
    ("fftn s (5, 2) on the last two axes", "in -> Fft.fftn(in[0], new int[] {5, 2}, null, null)",
     c(lambda z: fft.fftn(z, (5, 2))), [(values(48, 36), [2, 3, 4, 2])]),
    ("ifftn dims (2, 0) ortho", "in -> Fft.ifftn(in[0], null, new int[] {2, 0}, \"ortho\")",
     c(lambda z: fft.ifftn(z, dim=(2, 0), norm="ortho")), [(values(48, 37), [2, 3, 4, 2])]),
    ("ifftn of every axis", "in -> Fft.ifftn(in[0])", c(fft.ifftn), [(values(30, 38), [3, 5, 2])]),
    ("fft of a real tensor", "in -> Fft.fftOfReal(in[0])", lambda x: real(fft.fft(x)), [(values(14, 39), [2, 7])]),
    ("fft of a real tensor n 6 dim 0 ortho", "in -> Fft.fftOfReal(in[0], 6, 0, \"ortho\")",
     lambda x: real(fft.fft(x, 6, 0, "ortho")), [(values(12, 40), [4, 3])]),
    ("ifft of a real tensor", "in -> Fft.ifftOfReal(in[0])", lambda x: real(fft.ifft(x).resolve_conj()), [(values(16, 41), [2, 8])]),
    ("ifft of a real tensor n 5 forward", "in -> Fft.ifftOfReal(in[0], 5, -1, \"forward\")",
     lambda x: real(fft.ifft(x, 5, norm="forward").resolve_conj()), [(values(12, 42), [3, 4])]),
    ("fft of prime length 17", "in -> Fft.fft(in[0])", c(fft.fft), [(values(68, 43), [2, 17, 2])]),
    ("ifft of length 34 ortho", "in -> Fft.ifft(in[0], -1, -1, \"ortho\")", c(lambda z: fft.ifft(z, norm="ortho")),
     [(values(68, 44), [34, 2])]),
    ("rfft of prime length 97", "in -> Fft.rfft(in[0])", lambda x: real(fft.rfft(x)), [(values(97, 45), [97])]),
    ("irfft to prime length 17", "in -> Fft.irfft(in[0], 17, -1, null)", c(lambda z: fft.irfft(z, 17)),
     [(values(36, 46), [2, 9, 2])]),
    ("stft pad mode constant", "in -> Fft.stft(in[0], 8, 3, in[1], true, PaddingMode.ZEROS, false, true)",
     lambda x, w: real(torch.stft(x, 8, 3, window=w, pad_mode="constant", return_complex=True)),
     [(values(30, 47), [30]), (hann(8), [8])]),
    ("stft batch pad mode replicate normalized",
     "in -> Fft.stft(in[0], 8, 4, in[1], true, PaddingMode.REPLICATE, true, true)",
     lambda x, w: real(torch.stft(x, 8, 4, window=w, pad_mode="replicate", normalized=True, return_complex=True)),
     [(values(40, 48), [2, 20]), (hann(8), [8])]),
    ("stft pad mode circular two-sided", "in -> Fft.stft(in[0], 8, 3, in[1], true, PaddingMode.CIRCULAR, false, false)",
     lambda x, w: real(torch.stft(x, 8, 3, window=w, pad_mode="circular", onesided=False, return_complex=True)),
     [(values(25, 49), [25]), (hann(8), [8])]),
]

if __name__ == "__main__":
    print("    // Printed by models/src/test/pytorch/fft_nd.py (PyTorch %s).\n" % torch.__version__)
    print_cases_of(CASES)
