# PyTorch 1.13's side of bench/SparseEmbeddingBench.java: one step of a [rows, dim] float32 nn.Embedding looked up by
# `batch` random indices (zero_grad, lookup, loss sum(y^2), backward, step), dense with Adam, SGD and Adagrad against
# sparse=True with SparseAdam, SGD and Adagrad; ms per step, medians of 20 after 5 warm-ups (dense) or
# --sparse-warmup (sparse, default 1000, as the Java side's, which needs them for its JIT).
# Usage: /usr/bin/python3 bench/pytorch_sparse_embedding.py [--rows N] [--dim D] [--batch B] [--threads T]
#        [--sparse-warmup W]
import argparse
import time
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=1_000_000)
parser.add_argument("--dim", type=int, default=64)
parser.add_argument("--batch", type=int, default=512)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--sparse-warmup", type=int, default=1000)
args = parser.parse_args()
torch.set_num_threads(args.threads)
print("table [%d, %d] float32, %d indices per step, %d threads" % (args.rows, args.dim, args.batch, args.threads))


def report(what, sparse, make):
    torch.manual_seed(0)
    table = torch.nn.Embedding(args.rows, args.dim, sparse=sparse)
    opt = make(table.parameters())
    times = []
    warmups = args.sparse_warmup if sparse else 5
    for i in range(warmups + 20):
        indices = torch.randint(0, args.rows, (args.batch,))
        t0 = time.perf_counter()
        opt.zero_grad()
        table(indices).square().sum().backward()
        opt.step()
        t1 = time.perf_counter()
        if i >= warmups:
            times.append((t1 - t0) * 1e3)
    times.sort()
    print("%-20s median %9.2f ms (min %.2f, max %.2f)" % (what, times[len(times) // 2], times[0], times[-1]))


report("dense Adam", False, lambda p: torch.optim.Adam(p, lr=1e-3))
report("sparse SparseAdam", True, lambda p: torch.optim.SparseAdam(p, lr=1e-3))
report("dense SGD", False, lambda p: torch.optim.SGD(p, lr=0.1))
report("sparse SGD", True, lambda p: torch.optim.SGD(p, lr=0.1))
report("dense Adagrad", False, lambda p: torch.optim.Adagrad(p, lr=0.1))
report("sparse Adagrad", True, lambda p: torch.optim.Adagrad(p, lr=0.1))
