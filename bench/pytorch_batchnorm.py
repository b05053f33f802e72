#!/usr/bin/python3
"""Batch norm in PyTorch eager, to compare with Kiln's CPU batch norm: F.batch_norm on float32 [N, 64, 32, 32]
(N = 32 and 256) with weight and bias, training forward with backward (upstream gradient given), the same followed by
a residual add and ReLU, training forward alone and inference forward; milliseconds, best of 40 (N = 32) or 8
(N = 256) calls, three rounds. PyTorch is not a dependency of Kiln: install it only to compare.

Usage: python3 bench/pytorch_batchnorm.py [--threads 2]
"""
import argparse, time

import torch
import torch.nn.functional as F


def best(reps, f):
    fastest = float('inf')
    for _ in range(reps):
        start = time.perf_counter()
        f()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=2)
    torch.set_num_threads(parser.parse_args().threads)
    torch.manual_seed(1)
    for batch in (32, 256):
        reps = 40 if batch == 32 else 8
        dims = (batch, 64, 32, 32)
        x = (torch.randn(dims) * 1.5 + 0.3).requires_grad_()
        res = torch.randn(dims).requires_grad_()
        up = torch.randn(dims)
        w = (torch.randn(64) * 0.5 + 1).requires_grad_()
        b = (torch.randn(64) * 0.5).requires_grad_()
        rm, rv = torch.zeros(64), torch.ones(64)

        def clear():
            for t in (x, w, b, res):
                t.grad = None

        def train():
            F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5).backward(up)
            clear()

        def fused():
            torch.relu(F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5) + res).backward(up)
            clear()

        def forward(training):
            with torch.no_grad():
                F.batch_norm(x, rm, rv, w, b, training, 0.1, 1e-5)

        for _ in range(3):
            print('%s train fwd+bwd %.3f ms, bn+res+relu fwd+bwd %.3f ms, train fwd %.3f ms, eval fwd %.3f ms' % (
                list(dims), best(reps, train), best(reps, fused), best(reps, lambda: forward(True)),
                best(reps, lambda: forward(False))))


if __name__ == '__main__':
    main()
