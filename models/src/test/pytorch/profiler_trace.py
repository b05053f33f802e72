"""PyTorch 1.13's profiler on a tiny known op sequence, for ProfilerTest.

Profiles three matmuls and two adds of a [4, 8] input and an [8, 8] weight inside record_function("forward"),
writes torch.profiler's Chrome trace to ../resources/profiler/pytorch_chrome_trace.json (the test compares the
structure and the types of its events' fields with Kiln's, not their times) and prints key_averages()' table,
whose aten::matmul and aten::add rows count 3 and 2 calls.

    cd models/src/test/pytorch && /usr/bin/python3 profiler_trace.py
"""
import os

import torch
from torch.profiler import ProfilerActivity, profile, record_function

torch.manual_seed(0)
x = torch.randn(4, 8)
w = torch.randn(8, 8)
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as p:
    with record_function("forward"):
        y = x @ w
        y = y @ w
        y = y + x
        y = y @ w
        y = y + y
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "profiler",
                   "pytorch_chrome_trace.json")
p.export_chrome_trace(out)
print(p.key_averages().table(sort_by="cpu_time_total", row_limit=10))
