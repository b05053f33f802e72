"""Prints torch.utils.data.DistributedSampler's indices without shuffling, for DistributedSamplerPyTorchTest.

Run with /usr/bin/python3 (PyTorch 1.13) and redirect into
models/src/test/resources/distributed/distributed_sampler.txt. Each line: size world_size rank drop_last len: indices.
"""
import torch
from torch.utils.data import DistributedSampler

for size in [1, 2, 5, 10, 11, 17, 32]:
    for world in [1, 2, 3, 4, 8]:
        for drop_last in [False, True]:
            for rank in range(world):
                s = DistributedSampler(range(size), num_replicas=world, rank=rank, shuffle=False,
                                       drop_last=drop_last)
                indices = list(iter(s))
                assert len(indices) == len(s)
                print(size, world, rank, int(drop_last), len(s), ":", " ".join(map(str, indices)))
