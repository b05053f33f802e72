"""PyTorch 1.13's DistributedDataParallel on two gloo ranks (CPU, fork): which backward passes average the gradients.
Rank r's input is r + 1, so the weight's gradient of sum(lin(x)) is 1 on rank 0, 2 on rank 1 and 1.5 averaged; rank 1
prints its gradient after each case (grads set to None first). Two forwards in a row are no error; the forward, not
the backward, decides whether the next backward pass averages (no_sync() around the backward alone changes nothing);
a second backward over the same graph adds the rank's own gradient. With a parameter left without a gradient, every
later forward with gradients on fails, inside no_sync() too, and a no_grad one does not. A parameter registered after
wrapping is not averaged (the parameters are fixed at construction), while the buffers are collected afresh at each
broadcast, a buffer registered or replaced after wrapping included.
DistributedDataParallelSyncDecisionTest and DistributedDataParallelLateRegistrationTest hold what this prints."""
import os

import torch
import torch.distributed as dist
from torch.multiprocessing import get_context
from torch.nn.parallel import DistributedDataParallel as DDP



class M(torch.nn.Module):
    def __init__(self, unused=False):
        super().__init__()
        self.lin = torch.nn.Linear(2, 1)
        if unused:
            self.unused = torch.nn.Linear(2, 1)

    def forward(self, x):
        return self.lin(x)


def grads(m): return [float(m.lin.weight.grad[0,0])] if m.lin.weight.grad is not None else None

def case(name, ddp, m, rank, fn):
    m.zero_grad(set_to_none=True)
    try:
        fn(); out = "ok grad=%s" % grads(m)
    except RuntimeError as e:
        out = "RuntimeError: " + str(e)[:110].replace("\n"," ")
    if rank == 1: print(f"{name}: {out}", flush=True)

def run(rank, port):
    os.environ["MASTER_ADDR"]="127.0.0.1"; os.environ["MASTER_PORT"]=str(port)
    dist.init_process_group("gloo", rank=rank, world_size=2)
    torch.manual_seed(0); m = M(); ddp = DDP(m)
    x = torch.ones(1, 2) * (rank + 1)
    def two_fwd():
        ddp(x); ddp(x).sum().backward()
    case("fwd-grad, fwd-grad+bwd", ddp, m, rank, two_fwd)
    def two_fwd_bwd_first():
        a = ddp(x); ddp(x); a.sum().backward()
    case("fwd-grad(a), fwd-grad, a.bwd", ddp, m, rank, two_fwd_bwd_first)
    def two_fwd_bwd_both():
        a = ddp(x); b = ddp(x); (a.sum()+b.sum()).backward()
    case("a,b fwd-grad, (a+b).bwd", ddp, m, rank, two_fwd_bwd_both)
    def nograd_then():
        with torch.no_grad(): ddp(x)
        ddp(x).sum().backward()
    case("fwd-nograd, fwd-grad+bwd", ddp, m, rank, nograd_then)
    def eval_then():
        ddp.eval(); ddp(x); ddp.train(); ddp(x).sum().backward()
    case("fwd-eval(grad on), fwd+bwd", ddp, m, rank, eval_then)
    def eval_bwd():
        ddp.eval(); ddp(x).sum().backward(); ddp.train()
    case("eval fwd+bwd (syncs?)", ddp, m, rank, eval_bwd)
    def fwd_sync_bwd_nosync():
        out = ddp(x)
        with ddp.no_sync(): out.sum().backward()
    case("fwd synced, bwd in no_sync (syncs?)", ddp, m, rank, fwd_sync_bwd_nosync)
    def fwd_nosync_bwd_sync():
        with ddp.no_sync(): out = ddp(x)
        out.sum().backward()
    case("fwd in no_sync, bwd outside (syncs?)", ddp, m, rank, fwd_nosync_bwd_sync)
    def fwd_sync_then_nosync_fwdbwd():
        ddp(x)
        with ddp.no_sync(): ddp(x).sum().backward()
    case("fwd synced (no bwd), then no_sync fwd+bwd (syncs?)", ddp, m, rank, fwd_sync_then_nosync_fwdbwd)
    def second_bwd():
        out = ddp(x); out.sum().backward(retain_graph=True); out.sum().backward()
    case("fwd, bwd, bwd again retain_graph", ddp, m, rank, second_bwd)
    def after():
        ddp(x).sum().backward()
    case("plain fwd+bwd afterwards", ddp, m, rank, after)
    def eval_nograd_then_nosync():
        ddp.eval()
        with torch.no_grad(): ddp(x)
        ddp.train()
        with ddp.no_sync(): ddp(x).sum().backward()
    case("eval fwd-nograd, then no_sync fwd+bwd (syncs?)", ddp, m, rank, eval_nograd_then_nosync)
    def failed_fwd_then_nosync():
        try:
            ddp(torch.ones(1, 3))
        except RuntimeError:
            pass
        with ddp.no_sync(): ddp(x).sum().backward()
    case("failed fwd, then no_sync fwd+bwd (syncs?)", ddp, m, rank, failed_fwd_then_nosync)
    dist.destroy_process_group()

def run_unused(rank, port):
    os.environ["MASTER_ADDR"]="127.0.0.1"; os.environ["MASTER_PORT"]=str(port)
    dist.init_process_group("gloo", rank=rank, world_size=2)
    torch.manual_seed(0); m = M(True); ddp = DDP(m)
    x = torch.ones(1, 2)
    case("unused: fwd+bwd", ddp, m, rank, lambda: ddp(x).sum().backward())
    case("unused: next fwd+bwd", ddp, m, rank, lambda: ddp(x).sum().backward())
    case("unused: third fwd+bwd", ddp, m, rank, lambda: ddp(x).sum().backward())
    def ng():
        with torch.no_grad(): ddp(x)
    case("unused: no_grad fwd", ddp, m, rank, ng)
    def ns():
        with ddp.no_sync(): ddp(x).sum().backward()
    case("unused: no_sync fwd+bwd", ddp, m, rank, ns)
    dist.destroy_process_group()

class Growing(torch.nn.Module):
    """Gets a parameter, a buffer and a new value for its buffer after wrapping."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 1)
        self.register_buffer("buf", torch.zeros(1))
        self.seen = []

    def forward(self, x):
        y = self.lin(x)
        if hasattr(self, "late"):
            y = y + self.late(x)
        self.seen = [float(b) for b in self.buffers()]
        return y


def run_late(rank, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=2)
    m = Growing()
    ddp = DDP(m)
    m.late = torch.nn.Linear(2, 1)
    m.register_buffer("late_buf", torch.full((1,), 100.0 + rank))
    m.buf = torch.full((1,), 200.0 + rank)
    ddp(torch.ones(1, 2) * (rank + 1)).sum().backward()
    if rank == 1:
        print(f"late: lin grad={m.lin.weight.grad[0, 0].item()} late grad={m.late.weight.grad[0, 0].item()}"
              f" buffers seen={m.seen}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    for target, port in ((run, 29631), (run_unused, 29632), (run_late, 29633)):
        ps = [get_context("fork").Process(target=target, args=(r, port)) for r in range(2)]
        [p.start() for p in ps]; [p.join() for p in ps]
