package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link DistributedDataParallel} sees of a module that changes after wrapping, as PyTorch 1.13 on two gloo ranks
 * ({@code ddp_sync_decision.py}, its {@code late:} line): the parameters are fixed when the wrapper is made, so one
 * registered later keeps each rank's own gradient; the buffers are collected afresh at each broadcast, so one
 * registered or replaced later is sent from rank 0.
 */
class DistributedDataParallelLateRegistrationTest {
    /** A linear layer and a buffer; {@link #grow} adds a layer and a buffer and replaces the first buffer. */
    private static final class Growing extends Module {
        final List<Double> seen = new ArrayList<>();
        private boolean grown;

        Growing() {
            registerModule("lin", new Linear(2, 1).to(DType.F64));
            registerBuffer("buf", Tensor.zeros(DType.F64, 1));
        }

        void grow(int rank) {
            registerModule("late", new Linear(2, 1).to(DType.F64));
            registerBuffer("late_buf", Tensor.full(100.0 + rank, DType.F64, 1));
            replaceBuffer("buf", Tensor.full(200.0 + rank, DType.F64, 1));
            grown = true;
        }

        /** The weight gradient's first element of sub-module {@code name}. */
        double firstWeightGradient(String name) {
            return ((Linear) module(name)).weight().grad().toDoubleArray()[0];
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = module("lin").call(x);
            if (grown) {
                y = y.add(module("late").call(x));
            }
            seen.clear();
            namedBuffers().values().forEach(b -> seen.add(b.item()));
            return y;
        }
    }

    @Test
    void aLaterParameterStaysLocalAndLaterBuffersComeFromRankZeroAsInPyTorch() {
        List<String> ranks = LocalRanks.run(2, group -> {
            Growing m = new Growing();
            try (DistributedDataParallel ddp = new DistributedDataParallel(m, group); Scope scope = Scope.open()) {
                m.grow(group.rank());
                ddp.call(Tensor.full(group.rank() + 1.0, DType.F64, 1, 2)).sum().backward();
                return "lin grad=" + m.firstWeightGradient("lin") + " late grad=" + m.firstWeightGradient("late")
                        + " buffers seen=" + m.seen;
            }
        });
        assertEquals("lin grad=1.5 late grad=2.0 buffers seen=[200.0, 100.0]", ranks.get(1));
    }
}
