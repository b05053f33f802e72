"""Prints each scalar tag of a TensorBoard run directory with the steps TensorBoard's EventAccumulator keeps for it
(after the purges that a SessionLog START, PyTorch's SummaryWriter(purge_step=...), asks for), one tag a line:
TAG<tab>STEP,STEP,...  TensorBoardCommandTest runs it on a resumed `kiln train --tensorboard` run:
  /opt/tbvenv/bin/python tensorboard_scalar_steps.py RUNDIR"""
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

if __name__ == "__main__":
    accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
    accumulator.Reload()
    for tag in sorted(accumulator.Tags()["scalars"]):
        print("%s\t%s" % (tag, ",".join(str(e.step) for e in accumulator.Scalars(tag))))
