"""PyTorch 1.13's per-sample gradients of a [784-128-10] ReLU MLP over 64 samples, F32, by the loop PyTorch's tutorial
starts from (one torch.autograd.grad per sample of model(x[i:i+1])); functorch's vmap(grad) is not installed. Median of
15 runs after 10 warm-ups, several times; bench/PerSampleGradientsBench.java times Kiln's vmap(grad) and loop.

Usage: /usr/bin/python3 bench/pytorch_per_sample_grads.py [--threads 2] [--repeats 4]"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--repeats", type=int, default=4)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
x = torch.randn(64, 784)
y = torch.tensor([(i * 7) % 10 for i in range(64)])
params = list(model.parameters())


def loop():
    per_param = [[] for _ in params]
    for i in range(64):
        loss = F.cross_entropy(model(x[i:i + 1]), y[i:i + 1])
        for k, g in enumerate(torch.autograd.grad(loss, params)):
            per_param[k].append(g)
    return [torch.stack(gs) for gs in per_param]


def millis():
    for _ in range(10):
        loop()
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        loop()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


for r in range(args.repeats):
    print(f"repeat {r + 1}: loop {millis():.2f} ms")
