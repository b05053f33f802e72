"""grid_sample at grid coordinates NaN and +-Inf under border and reflection padding (PyTorch 1.13), for
CpuGridSampleTest: prints the outputs as a Java array literal, one row per mode, padding and align_corners."""
import torch

inp = (torch.arange(12, dtype=torch.float64) + 1).reshape(1, 1, 3, 4) / 7
nan, inf = float('nan'), float('inf')
grid = torch.tensor([[[[nan, 0.2], [0.3, nan], [inf, -0.4], [-inf, 0.5], [inf, -inf]]]], dtype=torch.float64)
print('    // mode, padding, alignCorners: outputs at (NaN, 0.2), (0.3, NaN), (Inf, -0.4), (-Inf, 0.5), (Inf, -Inf)')
for mode in ['bilinear', 'nearest']:
    for pad in ['border', 'reflection']:
        for ac in [False, True]:
            out = torch.nn.functional.grid_sample(inp, grid, mode=mode, padding_mode=pad, align_corners=ac)
            out32 = torch.nn.functional.grid_sample(inp.float(), grid.float(), mode=mode, padding_mode=pad,
                                                    align_corners=ac)
            assert torch.allclose(out, out32.double(), atol=1e-6), (mode, pad, ac, out, out32)
            print('    {' + ', '.join(repr(v) for v in out.flatten().tolist()) + '},  // ' + f'{mode} {pad} {ac}')
