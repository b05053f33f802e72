#!/usr/bin/python3
"""`kiln pretrain conv` in PyTorch eager, to run beside it on the same machine in the same sitting (docs/BENCHMARKS.md):
the same layers (3x3 stride-2 convolutions 1 -> 16 -> 32, a dense layer to 64 codes, a dense layer back and two
ConvTranspose2d with output padding 1, ReLU between, a sigmoid at the end), MNIST's 60,000 training images without
labels, batch 128, Adam lr 1e-3, the mean squared error; PyTorch's own initialisation. Prints each epoch's training
time, samples/s and test reconstruction MSE. PyTorch is not a dependency of Kiln (Debian: python3-torch).

Usage: python3 bench/pytorch_convae.py [--epochs 3] [--data-dir ../shared/data] [--threads 2] [--seed 1]
"""
import argparse, os, time

import torch
import torch.nn as nn

from pytorch_reference import mnist


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--data-dir', default=os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'data'))
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--seed', type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train = mnist(a.data_dir, 'train')[0].unsqueeze(1)
    test = mnist(a.data_dir, 'test')[0].unsqueeze(1)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(), nn.Flatten(),
        nn.Linear(1568, 64), nn.ReLU(),
        nn.Linear(64, 1568), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
        nn.ConvTranspose2d(32, 16, 3, 2, 1, 1), nn.ReLU(), nn.ConvTranspose2d(16, 1, 3, 2, 1, 1), nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    n = train.shape[0]
    for epoch in range(1, a.epochs + 1):
        order = torch.randperm(n)
        start = time.perf_counter()
        for i in range(0, n, 128):
            x = train[order[i:i + 128]]
            loss = ((model(x) - x) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            squared = sum(((model(test[i:i + 1000]) - test[i:i + 1000]) ** 2).sum().item()
                          for i in range(0, test.shape[0], 1000))
        print(f'epoch {epoch}: {seconds:.1f} s, {n / seconds:.0f} samples/s, test reconstruction MSE '
              f'{squared / test.numel():.5f}', flush=True)


if __name__ == '__main__':
    main()
