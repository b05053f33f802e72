"""PyTorch 1.13's profiler schedule, on_trace_ready and tensorboard_trace_handler, for ProfilerTest.

Prints the action of schedule(wait=1, warmup=1, active=2, repeat=2, skip_first=1) and of the same schedule with
repeat=0 (cycling forever) for steps 0..13, and of schedule(wait=1, warmup=1, active=2) with its default repeat
and skip_first, then profiles 12 steps of an add under the repeating schedule with an
on_trace_ready that prints the ProfilerStep rows key_averages() holds when it is called, and the name of a file that
tensorboard_trace_handler("DIR", "worker") writes, and key_averages().table() of a profile_memory=True run, whose
"CPU Mem" and "Self CPU Mem" columns ProfilerTest's memory table follows; then the rows of a profile stepped without
a schedule (no ProfilerStep*), of a scheduled one closed before its first step (ProfilerStep*), and of one freeing a
tensor outside every op (a "[memory]" row). Debian's 1.13 build has no Kineto: run it with
PYTHONPATH=/usr/lib/python3/dist-packages where plain /usr/bin/python3 does not find torch.

    cd models/src/test/pytorch && /usr/bin/python3 profiler_schedule.py
"""
import os
import tempfile

import torch
from torch.profiler import ProfilerActivity, profile, record_function, schedule, tensorboard_trace_handler

for repeat in (2, 0):
    s = schedule(wait=1, warmup=1, active=2, repeat=repeat, skip_first=1)
    print("repeat", repeat, [s(step).name for step in range(14)])
# ProfilerTest.aScheduleWithoutRepeatOrSkipCyclesUntilClosedAsPyTorchsDefaults: repeat=0 and skip_first=0 by default.
s = schedule(wait=1, warmup=1, active=2)
print("defaults", [s(step).name for step in range(14)])

x = torch.ones(2, 2)


def ready(p):
    steps = sorted(e.key for e in p.profiler.function_events if e.key.startswith("ProfilerStep"))
    print("on_trace_ready at step", p.step_num, steps)


with profile(activities=[ProfilerActivity.CPU], schedule=schedule(wait=1, warmup=1, active=2, repeat=2, skip_first=1),
             on_trace_ready=ready) as p:
    for step in range(12):
        x.add(x)
        p.step()

with tempfile.TemporaryDirectory() as d:
    with profile(activities=[ProfilerActivity.CPU], on_trace_ready=tensorboard_trace_handler(d, "worker")) as p:
        x.add(x)
    print("tensorboard_trace_handler writes", os.listdir(d))

w = torch.ones(8, 8)
with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as p:
    with record_function("forward"):
        y = x.new_ones(4, 8) @ w
        z = torch.ones(512, 512) + 1
        del z
print(p.key_averages().table(sort_by="cpu_time_total", row_limit=10))

# ProfilerTest.withoutAScheduleStepsAreCountedButNotMarkedAsPyTorchs: ['aten::add'], no ProfilerStep* row.
with profile(activities=[ProfilerActivity.CPU]) as p:
    for step in range(3):
        x.add(x)
        p.step()
print("no schedule, three steps:", [e.key for e in p.key_averages()])

# ProfilerTest.aScheduledProfilerClosedBeforeItsFirstStepMarksStepZeroAsPyTorchs: a ProfilerStep* row.
with profile(activities=[ProfilerActivity.CPU], schedule=schedule(wait=0, warmup=1, active=2),
             on_trace_ready=lambda q: print("closed before a step:", [e.key for e in q.key_averages()])) as p:
    pass
with profile(activities=[ProfilerActivity.CPU], schedule=schedule(wait=0, warmup=0, active=2),
             on_trace_ready=lambda q: print("closed before a step:", [e.key for e in q.key_averages()])) as p:
    x.add(x)

# ProfilerTest.memoryFreedOutsideEverySpanIsPyTorchsMemoryRow: aten::add 128 b, [memory] -128 b in 1 call.
with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as p:
    y = x.new_ones(4, 8)
    z = y + y
    del z
print([(e.key, e.count, e.cpu_memory_usage, e.self_cpu_memory_usage) for e in p.key_averages()])
