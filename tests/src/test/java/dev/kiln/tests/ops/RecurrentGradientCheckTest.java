package dev.kiln.tests.ops;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the fused recurrent cells against central finite differences in F64 ({@link GradCheck}):
 * one step with every output used, one step with only h' used (c' then gets no gradient from outside),
 * and a three-step sequence unrolled by hand from {@link F#linear} and the cell, so that the gradient
 * flows through the recurrence into the weights, biases, inputs and initial states.
 */
class RecurrentGradientCheckTest {
    private static final int BATCH = 2;
    private static final int INPUT = 3;
    private static final int HIDDEN = 4;
    private static final int STEPS = 3;

    @BeforeEach
    void seed() {
        Engine.seed(20250302L);
    }

    private static Tensor randn(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }

    @Test
    void lstmCellOneStep() {
        GradCheck.check("lstmCell", in -> {
            F.LstmState s = F.lstmCell(in[0], in[1]);
            return Tensor.cat(List.of(s.h(), s.c()), 1);
        }, randn(BATCH, 4 * HIDDEN), randn(BATCH, HIDDEN));
    }

    @Test
    void lstmCellOneStepHiddenStateOnly() {
        GradCheck.check("lstmCell h'", in -> F.lstmCell(in[0], in[1]).h(), randn(BATCH, 4 * HIDDEN), randn(BATCH, HIDDEN));
    }

    @Test
    void gruCellOneStep() {
        GradCheck.check("gruCell", in -> F.gruCell(in[0], in[1], in[2]),
                randn(BATCH, 3 * HIDDEN), randn(BATCH, 3 * HIDDEN), randn(BATCH, HIDDEN));
    }

    /** Inputs: x [steps, batch, input], W_ih, W_hh, b_ih, b_hh, h0, c0; output: every h_t, then c_T. */
    @Test
    void lstmThreeStepSequence() {
        GradCheck.check("lstm 3 steps", in -> {
            Tensor h = in[5];
            Tensor c = in[6];
            List<Tensor> out = new ArrayList<>();
            for (int t = 0; t < STEPS; t++) {
                Tensor x = in[0].narrow(0, t, 1).reshape(BATCH, INPUT);
                Tensor gates = F.linear(x, in[1], in[3]).add(F.linear(h, in[2], in[4]));
                F.LstmState s = F.lstmCell(gates, c);
                h = s.h();
                c = s.c();
                out.add(h);
            }
            out.add(c);
            return Tensor.cat(out, 0);
        }, randn(STEPS, BATCH, INPUT), randn(4 * HIDDEN, INPUT), randn(4 * HIDDEN, HIDDEN), randn(4 * HIDDEN),
                randn(4 * HIDDEN), randn(BATCH, HIDDEN), randn(BATCH, HIDDEN));
    }

    /** Inputs: x [steps, batch, input], W_ih, W_hh, b_ih, b_hh, h0; output: every h_t. */
    @Test
    void gruThreeStepSequence() {
        GradCheck.check("gru 3 steps", in -> {
            Tensor h = in[5];
            List<Tensor> out = new ArrayList<>();
            for (int t = 0; t < STEPS; t++) {
                Tensor x = in[0].narrow(0, t, 1).reshape(BATCH, INPUT);
                h = F.gruCell(F.linear(x, in[1], in[3]), F.linear(h, in[2], in[4]), h);
                out.add(h);
            }
            return Tensor.cat(out, 0);
        }, randn(STEPS, BATCH, INPUT), randn(3 * HIDDEN, INPUT), randn(3 * HIDDEN, HIDDEN), randn(3 * HIDDEN),
                randn(3 * HIDDEN), randn(BATCH, HIDDEN));
    }
}
