"""PyTorch 1.13's DistributedDataParallel on two gloo ranks (CPU, fork): which forwards broadcast rank 0's buffers
(broadcast_buffers=True, the default), inside and outside no_sync(), in training and evaluation mode, with and
without gradients; and that a parameter left without a gradient fails the next grad-enabled forward
(find_unused_parameters=False, the default) but not a no_grad one, and fails every grad-enabled forward after it,
no_sync() ones too, before the module's forward runs. Rank 1 sets its buffer to 101 before each forward
(rank 0 to 100); the module records the value its forward sees. DistributedDataParallelTest and
DistributedTrainingTest hold what this prints."""
import os

import torch
import torch.distributed as dist
from torch.multiprocessing import get_context
from torch.nn.parallel import DistributedDataParallel


class Recording(torch.nn.Module):
    def __init__(self, unused):
        super().__init__()
        self.lin = torch.nn.Linear(2, 1)
        if unused:
            self.unused = torch.nn.Linear(2, 1)
        self.register_buffer("buf", torch.zeros(1))
        self.seen = []

    def forward(self, x):
        self.seen.append(float(self.buf))
        return self.lin(x)


STEPS = [  # (label, inside no_sync, gradients on, training mode)
    ("synced", False, True, True),
    ("no_sync", True, True, True),
    ("no_sync", True, True, True),
    ("synced after no_sync", False, True, True),
    ("synced", False, True, True),
    ("eval no_grad", False, False, False),
    ("eval no_grad", False, False, False),
    ("synced", False, True, True),
    ("synced in eval mode", False, True, False),
    ("synced", False, True, True),
]


def run(rank, unused, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=2)
    m = Recording(unused)
    ddp = DistributedDataParallel(m)
    x = torch.ones(1, 2)
    for label, no_sync, grad, training in STEPS:
        m.buf.fill_(100 + rank)
        ddp.train(training)
        try:
            if no_sync:
                with ddp.no_sync():
                    ddp(x).sum().backward()
            elif grad:
                ddp(x).sum().backward()
            else:
                with torch.no_grad():
                    ddp(x)
            outcome = "broadcast" if m.seen[-1] == 100 else "own"
        except RuntimeError as e:
            outcome = "RuntimeError: " + str(e).split(".")[0]
        if rank == 1:
            print(f"unused={unused} {label}: {outcome}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    for unused, port in ((False, 29611), (True, 29612)):
        ps = [get_context("fork").Process(target=run, args=(r, unused, port)) for r in range(2)]
        [p.start() for p in ps]
        [p.join() for p in ps]
