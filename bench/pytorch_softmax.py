#!/usr/bin/python3
"""bench/SoftmaxBench.java in PyTorch eager: float32 softmax and log-softmax over the last axis, forward
(torch._softmax, torch._log_softmax) and backward (torch._softmax_backward_data, torch._log_softmax_backward_data)
without autograd; milliseconds per call, medians of 31 runs of 200 calls after 2,000 warm-ups, as SoftmaxBench.
PyTorch is not a dependency of Kiln: install it only to compare.

Usage: python3 bench/pytorch_softmax.py [--threads 2]
"""
import argparse, time

import torch

SHAPES = [(3584, 64), (64, 1024), (128, 10), (512 * 28, 28)]


def millis(call):
    for _ in range(2000):
        call()
    runs = []
    for _ in range(31):
        start = time.perf_counter()
        for _ in range(200):
            call()
        runs.append((time.perf_counter() - start) / 200 * 1e3)
    return sorted(runs)[len(runs) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=2)
    torch.set_num_threads(parser.parse_args().threads)
    torch.manual_seed(1)
    for rows, c in SHAPES:
        x = torch.randn(rows, c)
        gy = torch.randn(rows, c)
        for log in (False, True):
            if log:
                y = torch.log_softmax(x, 1)
                forward = millis(lambda: torch._log_softmax(x, 1, False))
                backward = millis(lambda: torch._log_softmax_backward_data(gy, y, 1, torch.float32))
            else:
                y = torch.softmax(x, 1)
                forward = millis(lambda: torch._softmax(x, 1, False))
                backward = millis(lambda: torch._softmax_backward_data(gy, y, 1, torch.float32))
            name = 'log-softmax' if log else 'softmax'
            print(f'{str([rows, c]):12s} {name:11s} forward {forward:.4f} ms  backward {backward:.4f} ms')


if __name__ == '__main__':
    main()
