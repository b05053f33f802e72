#!/usr/bin/python3
"""Loads a state dict written by `kiln export` into the same model built in PyTorch (pytorch_reference.py's
mlp, lenet or resnet, Kiln's zoo models layer for layer) with load_state_dict(strict=True), and prints its
test accuracy on MNIST or Fashion-MNIST, to compare with what `kiln train`/`kiln eval` printed for it.
Reads the file with safetensors.torch when installed, else with the few lines of the format below.

Usage: python3 bench/pytorch_load_kiln.py mlp|lenet|resnet FILE [--data mnist|fashion-mnist] [--data-dir ../shared/data]
"""
import argparse, json, struct

import torch

from pytorch_reference import WORKLOADS, mnist

DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64}


def load_file(path):
    try:
        from safetensors.torch import load_file as library_load
        return library_load(path)
    except ImportError:
        pass
    with open(path, 'rb') as f:
        data = f.read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop('__metadata__', None)
    start = 8 + n
    return {name: torch.frombuffer(bytearray(data[start + e['data_offsets'][0]:start + e['data_offsets'][1]]),
                                   dtype=DTYPES[e['dtype']]).reshape(e['shape'])
            for name, e in header.items()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('model', choices=['mlp', 'lenet', 'resnet'])
    p.add_argument('file')
    p.add_argument('--data', default='mnist')
    p.add_argument('--data-dir', default='../shared/data')
    a = p.parse_args()
    build, _, _, shape, _ = WORKLOADS[a.model]
    model = build()
    model.load_state_dict(load_file(a.file), strict=True)
    model.eval()
    x, y = mnist(a.data_dir, 'test', a.data)
    with torch.no_grad():
        predicted = torch.cat([model(x[i:i + 1000].reshape(-1, *shape)).argmax(1) for i in range(0, len(x), 1000)])
    accuracy = (predicted == y).double().mean().item()
    print(json.dumps({'model': a.model, 'state_dict': a.file, 'data': a.data, 'test_accuracy': round(accuracy, 4),
                      'torch': torch.__version__}))


if __name__ == '__main__':
    main()
