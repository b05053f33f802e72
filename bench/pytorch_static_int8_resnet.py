#!/usr/bin/python3
"""bench/StaticInt8ResNetBench.java in PyTorch 1.13: the ResNet-18 of models/src/test/pytorch/quantize_static_resnet.py
(torchvision's QuantizableResNet layout, 3 input channels, 10 classes) on randn [8, 3, 64, 64] under no_grad, in F32
and after eager-mode post-training static quantisation (onednn engine, calibrated on three randn batches): ms per
forward, medians of 20 after 25, for several rounds. With --profile it prints the int8 forward's operators, longest
first (torch.profiler). PyTorch is not a dependency of Kiln: install it only to compare.

Usage: python3 bench/pytorch_static_int8_resnet.py [--threads 2] [--rounds 3] [--profile]
"""
import argparse, copy, os, statistics, sys, time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "src", "test", "pytorch"))
from quantize_static_resnet import QuantizableResNet, quantise  # noqa: E402

torch.set_default_dtype(torch.float32)  # parity.py, which quantize_static_resnet imports, sets float64


def report(what, call):
    times = []
    with torch.no_grad():
        for i in range(45):
            t0 = time.perf_counter()
            call()
            t1 = time.perf_counter()
            if i >= 25:
                times.append((t1 - t0) * 1e3)
    times.sort()
    print("%s median %.2f ms (p10 %.2f, p90 %.2f)" % (what, statistics.median(times), times[2], times[18]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--profile', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = QuantizableResNet([2, 2, 2, 2], 3, 10).eval()
    q = quantise(copy.deepcopy(model), [torch.randn(8, 3, 64, 64) for _ in range(3)])
    x = torch.randn(8, 3, 64, 64)
    for r in range(a.rounds):
        report("round %d F32 " % r, lambda: model(x))
        report("round %d int8" % r, lambda: q(x))
    if a.profile:
        with torch.no_grad(), torch.profiler.profile() as prof:
            for _ in range(25):
                q(x)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))


if __name__ == "__main__":
    main()
