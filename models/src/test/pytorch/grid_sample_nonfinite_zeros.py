"""grid_sample at grid coordinates NaN and +-Inf under zeros padding (PyTorch 1.13's CPU), for CpuGridSampleTest:
prints, per mode and align_corners, the outputs, the input's gradient and the grid's gradient of a backward pass of
ones as Java array literals (F64; F32 asserted equal). Border and reflection padding are grid_sample_nonfinite.py's;
their backward pass at a NaN coordinate crashes 1.13 (SIGSEGV), so it is not run here."""
import torch


def literal(t):
    return '{' + ', '.join('Double.NaN' if v != v else repr(v) for v in t.flatten().tolist()) + '}'


inp = (torch.arange(12, dtype=torch.float64) + 1).reshape(1, 1, 3, 4) / 7
nan, inf = float('nan'), float('inf')
grid = torch.tensor([[[[nan, 0.2], [0.3, nan], [inf, -0.4], [-inf, 0.5], [inf, -inf], [0.25, -0.3]]]],
                    dtype=torch.float64)
print('    // mode, alignCorners: {outputs}, {input gradient}, {grid gradient} at (NaN, 0.2), (0.3, NaN),'
      ' (Inf, -0.4), (-Inf, 0.5), (Inf, -Inf), (0.25, -0.3)')
for mode in ['bilinear', 'nearest']:
    for ac in [False, True]:
        results = []
        for dtype in [torch.float64, torch.float32]:
            x = inp.to(dtype).detach().requires_grad_()
            g = grid.to(dtype).detach().requires_grad_()
            out = torch.nn.functional.grid_sample(x, g, mode=mode, padding_mode='zeros', align_corners=ac)
            out.backward(torch.ones_like(out))
            results.append([out.detach().double(), x.grad.double(), g.grad.double()])
        for wide, narrow in zip(*results):
            assert torch.allclose(wide, narrow, atol=1e-6, equal_nan=True), (mode, ac, wide, narrow)
        print('    {' + ', '.join(literal(t) for t in results[0]) + '},  // ' + f'{mode} {ac}')
