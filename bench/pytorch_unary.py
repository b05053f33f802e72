#!/usr/bin/python3
"""`kiln bench unary` in PyTorch eager: element-wise functions of one float32 tensor of 2^20 elements, forward
alone and, for the activations, the inverse trigonometric and hyperbolic functions and the integer powers, forward
with backward (a gradient of ones through .sum()); milliseconds per call, median of 50 after 100 warm-ups, as
`kiln bench unary`. PyTorch is not a dependency of Kiln: install it only to compare.

Usage: python3 bench/pytorch_unary.py [--threads 2]
"""
import argparse, json, os, statistics, time

import torch
import torch.nn.functional as F

ELEMENTS = 1 << 20
CASES = [
    ('exp', 'normal', False, torch.exp),
    ('log', 'positive', False, torch.log),
    ('sin', 'normal', False, torch.sin),
    ('tan', 'normal', False, torch.tan),
    ('erf', 'normal', False, torch.erf),
    ('pow_2.5', 'positive', False, lambda x: x.pow(2.5)),
    ('sigmoid', 'normal', True, torch.sigmoid),
    ('tanh', 'normal', True, torch.tanh),
    ('gelu', 'normal', True, F.gelu),
    ('gelu_tanh', 'normal', True, lambda x: F.gelu(x, approximate='tanh')),
    ('elu', 'normal', True, F.elu),
    ('silu', 'normal', True, F.silu),
    ('asin', 'inside_unit', True, torch.asin),
    ('acos', 'inside_unit', True, torch.acos),
    ('atan', 'normal', True, torch.atan),
    ('asinh', 'normal', True, torch.asinh),
    ('acosh', 'above_one', True, torch.acosh),
    ('atanh', 'inside_unit', True, torch.atanh),
    ('pow_3', 'normal', True, lambda x: x.pow(3)),
    ('pow_4', 'normal', True, lambda x: x.pow(4)),
    ('pow_-2', 'normal', True, lambda x: x.pow(-2)),
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
    # The inputs as `kiln bench unary` draws them: U(-0.9, 0.9) and U(1.1, 4.1) keep asin, acos, atanh and acosh
    # inside their domains, away from the infinite slopes at their ends.
    inputs = {'normal': torch.randn(ELEMENTS), 'positive': torch.rand(ELEMENTS) * 3 + 0.1,
              'inside_unit': torch.rand(ELEMENTS) * 1.8 - 0.9, 'above_one': torch.rand(ELEMENTS) * 3 + 1.1}
    result = {'workload': 'unary', 'elements': ELEMENTS}
    for name, input_name, backward, f in CASES:
        x = inputs[input_name]
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
