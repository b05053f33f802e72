#!/usr/bin/python3
"""bench/SparseMmBench.java in PyTorch eager: torch.sparse.mm of a coalesced [n, n] sparse COO matrix of nnz random
positions with a dense [n, k] float32, forward alone and forward with backward to the dense operand and the sparse
matrix (a leaf; the gradient of out.sum(), gradients cleared first), the same for the matrix in CSR
(to_sparse_csr(), a leaf), the sparse x sparse product of the COO matrix with itself (forward; this PyTorch has no CSR x
CSR on the CPU without MKL), and the dense product (torch.mm); milliseconds per call, median of 20 after 5 warm-ups. PyTorch is not a dependency of Kiln: install it only to compare.

Usage: python3 bench/pytorch_sparse_mm.py [--threads 2] [--n 10000] [--nnz 100000] [--k 64] [--no-dense]
"""
import argparse, statistics, time

import torch


def report(what, call):
    times = []
    for i in range(25):
        t0 = time.perf_counter()
        call()
        t1 = time.perf_counter()
        if i >= 5:
            times.append((t1 - t0) * 1e3)
    print("%-26s median %8.2f ms (min %.2f, max %.2f)" % (what, statistics.median(times), min(times), max(times)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--n', type=int, default=10000)
    p.add_argument('--nnz', type=int, default=100000)
    p.add_argument('--k', type=int, default=64)
    p.add_argument('--no-dense', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    indices = torch.randint(0, a.n, (2, a.nnz))
    s = torch.sparse_coo_tensor(indices, torch.rand(a.nnz), (a.n, a.n)).coalesce().requires_grad_(True)
    x = torch.rand(a.n, a.k, requires_grad=True)
    print("torch %s, %d threads, n %d, nnz %d (coalesced %d), k %d" % (torch.__version__, torch.get_num_threads(),
                                                                       a.n, a.nnz, s._nnz(), a.k))
    with torch.no_grad():
        report("sparse forward", lambda: torch.sparse.mm(s, x))

    def sparse_step():
        x.grad, s.grad = None, None
        torch.sparse.mm(s, x).sum().backward()
    report("sparse forward+backward", sparse_step)
    csr = s.detach().to_sparse_csr().requires_grad_(True)
    with torch.no_grad():
        report("csr forward", lambda: torch.sparse.mm(csr, x))

    def csr_step():
        x.grad, csr.grad = None, None
        torch.sparse.mm(csr, x).sum().backward()
    report("csr forward+backward", csr_step)
    constant = s.detach()
    if a.nnz * a.nnz // a.n <= 5000000:  # the square's pairs, as in SparseMmBench
        with torch.no_grad():
            report("coo x coo forward", lambda: torch.sparse.mm(constant, constant))
    if not a.no_dense:
        m = s.detach().to_dense().requires_grad_(True)
        with torch.no_grad():
            report("dense forward", lambda: torch.mm(m, x))

        def dense_step():
            x.grad, m.grad = None, None
            torch.mm(m, x).sum().backward()
        report("dense forward+backward", dense_step)


if __name__ == '__main__':
    main()
