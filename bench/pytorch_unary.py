#!/usr/bin/python3
"""`kiln bench unary` in PyTorch eager: element-wise functions of one float32 tensor of 2^20 elements, forward
alone and, for the activations, forward with backward (a gradient of ones through .sum()); milliseconds per
call, median of 50 after 100 warm-ups, as `kiln bench unary`. PyTorch is not a dependency of Kiln: install it
only to compare.

Usage: python3 bench/pytorch_unary.py [--threads 2]
"""
import argparse, json, os, statistics, time

import torch
import torch.nn.functional as F

ELEMENTS = 1 << 20
CASES = [
    ('exp', False, False, torch.exp),
    ('log', True, False, torch.log),
    ('sin', False, False, torch.sin),
    ('tan', False, False, torch.tan),
    ('erf', False, False, torch.erf),
    ('pow_2.5', True, False, lambda x: x.pow(2.5)),
    ('sigmoid', False, True, torch.sigmoid),
    ('tanh', False, True, torch.tanh),
    ('gelu', False, True, F.gelu),
    ('gelu_tanh', False, True, lambda x: F.gelu(x, approximate='tanh')),
    ('elu', False, True, F.elu),
    ('silu', False, True, F.silu),
]


def median_ms(body):
    times = []
    for i in range(150):
        start = time.perf_counter()
        body()
        if i >= 100:
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    normal = torch.randn(ELEMENTS)
    positive = torch.rand(ELEMENTS) * 3 + 0.1
    result = {'workload': 'unary', 'elements': ELEMENTS}
    for name, positive_input, backward, f in CASES:
        x = positive if positive_input else normal
        with torch.no_grad():
            forward = median_ms(lambda: f(x))
        result[name + '_ms'] = round(forward, 3)
        if backward:
            leaf = x.detach().requires_grad_(True)

            def step():
                leaf.grad = None
                f(leaf).sum().backward()
            both = median_ms(step)
            result[name + '_forward_backward_ms'] = round(both, 3)
            print(f'{name:10s} forward {forward:.3f} ms, forward and backward {both:.3f} ms')
        else:
            print(f'{name:10s} forward {forward:.3f} ms')
    result.update({'torch': torch.__version__, 'threads': a.threads})
    print(json.dumps(result))


if __name__ == '__main__':
    main()
