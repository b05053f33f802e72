package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fused LSTM and GRU cells of the Backend SPI (item 10), and whole sequences run on them, with their
 * gradients.
 */
final class RecurrentOps {
    private RecurrentOps() {
    }

    /**
     * The backend writes h' and c' into one [2 * batch, H] tensor, h' in the first batch rows: one graph
     * node owns both outputs, and the two are free views of it (narrowing the first axis).
     */
    static F.LstmState lstmCell(Tensor gates, Tensor c) {
        String op = "lstmCell";
        Checks.compatible(op, gates, c);
        Checks.floating(op, gates);
        if (gates.rank() != 2 || c.rank() != 2 || gates.dim(0) != c.dim(0) || gates.dim(1) != 4 * c.dim(1)) {
            throw new IllegalArgumentException(op + ": gates " + gates.shape() + " and cell state " + c.shape()
                    + ": expected [batch, 4 * hidden] and [batch, hidden]");
        }
        int batch = c.dim(0);
        Shape state = c.shape();
        Tensor out = gates.emptyLike(Shape.of(2 * batch, c.dim(1)), gates.dtype());
        Tensor activations = gates.emptyLike(gates.shape(), gates.dtype());
        Tensor cOut = out.view(c.size(), state);
        try (Tensor hOut = out.view(0, state)) {
            gates.backend().lstmCellForward(gates, c, hOut, cOut, activations);
        }
        out.recordWithSaved(op, new Tensor[] {gates, c}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return lstmCellGradients(gates, c, g);
            }
            Tensor gradGates = g.emptyLike(gates.shape(), gates.dtype());
            Tensor gradC = g.emptyLike(state, c.dtype());
            try (Tensor gradHOut = g.view(0, state); Tensor gradCOut = g.view(c.size(), state)) {
                g.backend().lstmCellBackward(activations, c, cOut, gradHOut, gradCOut, gradGates, gradC);
            }
            return new Tensor[] {gradGates, c.requiresGrad() ? gradC : null};
        }), activations);
        return new F.LstmState(out.narrow(0, 0, batch), out.narrow(0, batch, batch));
    }

    /**
     * The LSTM cell's gradients {gates, c} in recorded ops, from g [2 * batch, hidden] (h' rows, then c' rows), the
     * cell recomputed from gates and c: the gradient reaching c' is {@code gc' + gh' o (1 - tanh(c')^2)}, and each
     * gate's pre-activation gets its share times its activation's derivative.
     */
    private static Tensor[] lstmCellGradients(Tensor gates, Tensor c, Tensor g) {
        int batch = c.dim(0);
        int hidden = c.dim(1);
        Tensor i = block(gates, 0, hidden).sigmoid();
        Tensor f = block(gates, 1, hidden).sigmoid();
        Tensor cell = block(gates, 2, hidden).tanh();
        Tensor o = block(gates, 3, hidden).sigmoid();
        Tensor tanhC = f.mul(c).add(i.mul(cell)).tanh();
        Tensor gradH = g.narrow(0, 0, batch);
        Tensor gradC = g.narrow(0, batch, batch).add(gradH.mul(o).mul(tanhDerivative(tanhC)));
        Tensor gradGates = Tensor.cat(List.of(
                gradC.mul(cell).mul(sigmoidDerivative(i)),
                gradC.mul(c).mul(sigmoidDerivative(f)),
                gradC.mul(i).mul(tanhDerivative(cell)),
                gradH.mul(tanhC).mul(sigmoidDerivative(o))), 1);
        return new Tensor[] {gradGates, c.requiresGrad() ? gradC.mul(f) : null};
    }

    /** Block k of width {@code hidden} of [batch, blocks * hidden] along axis 1. */
    private static Tensor block(Tensor t, int k, int hidden) {
        return t.narrow(1, k * hidden, hidden);
    }

    /** {@code s (1 - s)}: the sigmoid's derivative from its output s. */
    private static Tensor sigmoidDerivative(Tensor s) {
        return s.mul(s.neg().add(1));
    }

    /** {@code 1 - t^2}: tanh's derivative from its output t. */
    private static Tensor tanhDerivative(Tensor t) {
        return t.square().neg().add(1);
    }

    static Tensor gruCell(Tensor inputGates, Tensor hiddenGates, Tensor h) {
        String op = "gruCell";
        Checks.compatible(op, inputGates, hiddenGates);
        Checks.compatible(op, inputGates, h);
        Checks.floating(op, inputGates);
        if (inputGates.rank() != 2 || h.rank() != 2 || !inputGates.shape().equals(hiddenGates.shape())
                || inputGates.dim(0) != h.dim(0) || inputGates.dim(1) != 3 * h.dim(1)) {
            throw new IllegalArgumentException(op + ": input gates " + inputGates.shape() + ", hidden gates "
                    + hiddenGates.shape() + " and hidden state " + h.shape()
                    + ": expected [batch, 3 * hidden], [batch, 3 * hidden] and [batch, hidden]");
        }
        Tensor out = h.emptyLike(h.shape(), h.dtype());
        Tensor activations = h.emptyLike(inputGates.shape(), h.dtype());
        h.backend().gruCellForward(inputGates, hiddenGates, h, out, activations);
        out.recordWithSaved(op, new Tensor[] {inputGates, hiddenGates, h}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return gruCellGradients(inputGates, hiddenGates, h, g);
            }
            Tensor gradInput = g.emptyLike(inputGates.shape(), g.dtype());
            Tensor gradHidden = g.emptyLike(hiddenGates.shape(), g.dtype());
            Tensor gradH = g.emptyLike(h.shape(), g.dtype());
            g.backend().gruCellBackward(activations, hiddenGates, h, g, gradInput, gradHidden, gradH);
            return new Tensor[] {
                    inputGates.requiresGrad() ? gradInput : null,
                    hiddenGates.requiresGrad() ? gradHidden : null,
                    h.requiresGrad() ? gradH : null};
        }), activations);
        return out;
    }

    /**
     * The GRU cell's gradients {inputGates, hiddenGates, h} in recorded ops, from g [batch, hidden], the cell
     * recomputed from its inputs: n's pre-activation gets {@code g (1 - z) (1 - n^2)}, of which h_n takes r's share,
     * r's pre-activation {@code that h_n r (1 - r)}, z's {@code g (h - n) z (1 - z)}, and h directly {@code g z}.
     */
    private static Tensor[] gruCellGradients(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor g) {
        int hidden = h.dim(1);
        Tensor hiddenN = block(hiddenGates, 2, hidden);
        Tensor r = block(inputGates, 0, hidden).add(block(hiddenGates, 0, hidden)).sigmoid();
        Tensor z = block(inputGates, 1, hidden).add(block(hiddenGates, 1, hidden)).sigmoid();
        Tensor n = block(inputGates, 2, hidden).add(r.mul(hiddenN)).tanh();
        Tensor gradN = g.mul(z.neg().add(1)).mul(tanhDerivative(n));
        Tensor gradR = gradN.mul(hiddenN).mul(sigmoidDerivative(r));
        Tensor gradZ = g.mul(h.sub(n)).mul(sigmoidDerivative(z));
        return new Tensor[] {
                inputGates.requiresGrad() ? Tensor.cat(List.of(gradR, gradZ, gradN), 1) : null,
                hiddenGates.requiresGrad() ? Tensor.cat(List.of(gradR, gradZ, gradN.mul(r)), 1) : null,
                h.requiresGrad() ? g.mul(z) : null};
    }

    // ---- whole sequences ------------------------------------------------------------------------

    /** The recurrences {@link #sequence} runs; {@code gates} blocks of width hidden per step. */
    enum Kind {
        LSTM("lstmSequence", 4), GRU("gruSequence", 3), RNN_TANH("rnnSequence", 1), RNN_RELU("rnnSequence", 1);

        final String op;
        final int gates;

        Kind(String op, int gates) {
            this.op = op;
            this.gates = gates;
        }
    }

    /**
     * Runs a recurrence over every step of {@code inputGates} [steps, batch, gates * hidden] as ONE graph
     * node, with back-propagation through time written out: per step one GEMM of the hidden state with
     * {@code weightHh} and one cell (fused LSTM or GRU, or tanh/ReLU), and in the backward pass one cell
     * gradient and one GEMM per step, then a single GEMM over all steps for the gradient of weightHh. Per-step
     * graph nodes would cost a full-size gradient for every slice of inputGates.
     *
     * <p>States are kept in a [(steps + 1) * batch, hidden] buffer {@code S}, indexed by time so that the
     * states entering the steps form one contiguous block: running forward, step t reads S[t] and writes
     * S[t + 1]; running in reverse it reads S[t + 1] and writes S[t].
     *
     * <p>With {@code lengths} (non-increasing, so that the sequences still running at any step are the
     * first rows), rows past their length are skipped: their state is carried unchanged, their output row
     * is zero, and their gradients pass through untouched.
     *
     * <p>A backward pass that records its graph recomputes the sequence step by step in recorded ops instead
     * ({@link SequenceRecomputation}), so that its gradients can be differentiated again.
     */
    static F.SequenceOutput sequence(Kind kind, Tensor inputGates, Tensor h0, Tensor c0, Tensor weightHh,
                                     Tensor biasHh, int[] lengths, boolean reverse) {
        String op = kind.op;
        checkSequence(kind, inputGates, h0, c0, weightHh, biasHh);
        int steps = inputGates.dim(0);
        int batch = inputGates.dim(1);
        int hidden = weightHh.dim(1);
        int width = kind.gates * hidden;
        int[] active = activeRows(op, lengths, steps, batch);
        boolean zeroStart = h0 == null;
        boolean padded = active[active.length - 1] < batch;
        boolean lstm = kind == Kind.LSTM;
        Backend be = inputGates.backend();
        DType dtype = inputGates.dtype();
        Precision precision = Autocast.forOperand(inputGates);
        Shape stateRows = Shape.of((steps + 1) * batch, hidden);
        Shape gateRows = Shape.of(steps * batch, width);

        Tensor[] inputs = switch (kind) {
            case LSTM -> new Tensor[] {inputGates, h0, c0, weightHh};
            case GRU -> new Tensor[] {inputGates, h0, weightHh, biasHh};
            default -> new Tensor[] {inputGates, h0, weightHh};
        };
        // LSTM and GRU keep every step's activated gates for the backward pass, a plain RNN its pre-activations.
        // With nothing to record, the LSTM and GRU cells write theirs into one step's rows, used again each step.
        boolean keepEveryStep = Tensor.recordsFrom(inputs) || !(lstm || kind == Kind.GRU);
        Tensor hs = inputGates.emptyLike(stateRows, dtype);
        Tensor cs = lstm ? inputGates.emptyLike(stateRows, dtype) : null;
        Tensor saved = inputGates.emptyLike(keepEveryStep ? gateRows : Shape.of(batch, width), dtype);
        int savedRow = keepEveryStep ? batch : 0;
        Tensor hiddenGates = kind == Kind.GRU ? inputGates.emptyLike(gateRows, dtype) : null;
        Tensor gates = lstm ? inputGates.emptyLike(gateRows, dtype) : null;
        int extra = lstm ? 2 : 1;
        Tensor out = inputGates.emptyLike(Shape.of((steps + extra) * batch, hidden), dtype);
        int initial = reverse ? steps : 0;
        try (Rows r = new Rows()) {
            Tensor x = r.of(inputGates, 0, steps * batch, width);
            startFrom(be, h0, r.of(hs, initial * batch, batch));
            if (lstm) {
                startFrom(be, c0, r.of(cs, initial * batch, batch));
                be.copy(x, gates);
            } else if (kind == Kind.GRU) {
                be.fill(hiddenGates, 0);
                if (biasHh != null) {
                    be.binary(BinaryOp.ADD, hiddenGates, biasHh, hiddenGates);
                }
            } else {
                be.copy(x, saved);
            }
            if (padded) {
                be.fill(out, 0);
            }
            for (int k = 0; k < steps; k++) {
                int t = reverse ? steps - 1 - k : k;
                int before = reverse ? t + 1 : t;
                int after = reverse ? t : t + 1;
                int n = active[t];
                if (n < batch) {
                    be.copySlices(hs, 0, before * batch + n, hs, after * batch + n, batch - n);
                    if (lstm) {
                        be.copySlices(cs, 0, before * batch + n, cs, after * batch + n, batch - n);
                    }
                }
                if (n == 0) {
                    continue;
                }
                // From a zero state the first step's GEMM would add zeros: the gates are the input's alone.
                boolean recurrent = !(zeroStart && k == 0);
                try (Rows s = new Rows()) {
                    Tensor hPrev = s.of(hs, before * batch, n);
                    Tensor hNext = s.of(hs, after * batch, n);
                    int row = t * batch;
                    switch (kind) {
                        case LSTM -> {
                            Tensor g = s.of(gates, row, n);
                            if (recurrent) {
                                MatmulOps.gemm(be, precision, false, true, n, width, hidden, hPrev, weightHh, 1, g);
                            }
                            be.lstmCellForward(g, s.of(cs, before * batch, n), hNext, s.of(cs, after * batch, n),
                                    s.of(saved, t * savedRow, n));
                        }
                        case GRU -> {
                            Tensor hg = s.of(hiddenGates, row, n);
                            if (recurrent) {
                                MatmulOps.gemm(be, precision, false, true, n, width, hidden, hPrev, weightHh, 1, hg);
                            }
                            be.gruCellForward(s.of(x, row, n), hg, hPrev, hNext, s.of(saved, t * savedRow, n));
                        }
                        default -> {
                            Tensor pre = s.of(saved, row, n);
                            if (recurrent) {
                                MatmulOps.gemm(be, precision, false, true, n, width, hidden, hPrev, weightHh, 1, pre);
                            }
                            be.unary(kind == Kind.RNN_TANH ? UnaryOp.TANH : UnaryOp.RELU, 0, pre, hNext);
                        }
                    }
                    if (padded) {
                        be.copySlices(hs, 0, after * batch, out, row, n);
                    }
                }
            }
            if (!padded) {
                // Every step's output is the state it wrote: one block of S, copied at once.
                be.copySlices(hs, 0, reverse ? 0 : batch, out, 0, steps * batch);
            }
            int last = reverse ? 0 : steps;
            be.copySlices(hs, 0, last * batch, out, steps * batch, batch);
            if (lstm) {
                be.copySlices(cs, 0, last * batch, out, (steps + 1) * batch, batch);
            }
        }
        if (gates != null) {
            gates.close();
        }
        out.recordWithSaved(op, inputs, Node.differentiable(g -> Node.createsGraph()
                ? SequenceRecomputation.gradients(kind, inputs, active, reverse, precision, g)
                : sequenceGrads(kind, inputs, g, hs, cs, saved, hiddenGates, active, reverse, precision)),
                hs, cs, saved, hiddenGates);
        Tensor output = out.narrow(0, 0, steps * batch).reshape(steps, batch, hidden);
        Tensor h = out.narrow(0, steps * batch, batch);
        Tensor c = lstm ? out.narrow(0, (steps + 1) * batch, batch) : null;
        return new F.SequenceOutput(output, h, c);
    }

    /** The initial state's block of S: a copy of {@code state}, or zeros where it is null. */
    private static void startFrom(Backend be, Tensor state, Tensor block) {
        if (state == null) {
            be.fill(block, 0);
        } else {
            be.copy(state, block);
        }
    }

    /**
     * Gradients of {@link #sequence} for its recorded inputs, from the gradient {@code g} of [output; h; c].
     *
     * <p>The gradient of every state lives in one buffer {@code dS} laid out as S. It starts as what the outputs
     * and the final h send each state; walking the steps backwards, step t reads the gradient of the state it
     * wrote, dS[after], and its GEMM adds the gradient through the recurrence into the state it read, dS[before]
     * (beta = 1), so a step costs its cell's backward and one GEMM, with no per-step copy or sum. Rows past their
     * length carried their state through step t unchanged: their gradient is added on from dS[after] to
     * dS[before], and what their (zero) output rows received is dropped. The initial state's block is written
     * only where h0 needs its gradient: otherwise the last step walked runs no GEMM into it.
     */
    private static Tensor[] sequenceGrads(Kind kind, Tensor[] inputs, Tensor g, Tensor hs, Tensor cs, Tensor saved,
                                          Tensor hiddenGates, int[] active, boolean reverse,
                                          Precision precision) {
        Tensor inputGates = inputs[0];
        Tensor h0 = inputs[1];
        boolean initialGradient = h0 != null && h0.requiresGrad();
        Tensor weightHh = kind == Kind.LSTM ? inputs[3] : inputs[2];
        int steps = inputGates.dim(0);
        int batch = inputGates.dim(1);
        int hidden = hs.dim(1);
        int width = kind.gates * hidden;
        boolean lstm = kind == Kind.LSTM;
        boolean padded = active[active.length - 1] < batch;
        Backend be = g.backend();
        DType dtype = g.dtype();
        Shape state = Shape.of(batch, hidden);
        Shape gateRows = Shape.of(steps * batch, width);
        Tensor gradGates = g.emptyLike(inputGates.shape(), dtype);
        // The GRU's hidden GEMM has its own gradient; in an LSTM or RNN both GEMMs feed one sum.
        Tensor gradHidden = kind == Kind.GRU ? g.emptyLike(gateRows, dtype) : gradGates;
        if (padded) {
            be.fill(gradGates, 0);
            if (gradHidden != gradGates) {
                be.fill(gradHidden, 0);
            }
        }
        Tensor gradStates = stateGradients(g, active, reverse, batch, hidden, initialGradient);
        Tensor dc = lstm ? g.emptyLike(state, dtype) : null;
        Tensor dcNext = lstm ? g.emptyLike(state, dtype) : null;
        // The GRU cell writes the gradient of its direct path to h_prev; its GEMM adds to it.
        Tensor gruDirect = kind == Kind.GRU ? g.emptyLike(state, dtype) : null;
        try (Rows r = new Rows()) {
            if (lstm) {
                be.copy(r.of(g, (steps + 1) * batch, batch), dc);
            }
            for (int k = steps - 1; k >= 0; k--) {
                int t = reverse ? steps - 1 - k : k;
                int before = reverse ? t + 1 : t;
                int after = reverse ? t : t + 1;
                int n = active[t];
                boolean intoState = k > 0 || initialGradient;
                if (n < batch && intoState) {
                    Tensor carried = r.of(gradStates, before * batch + n, batch - n);
                    be.binary(BinaryOp.ADD, carried, r.of(gradStates, after * batch + n, batch - n), carried);
                }
                if (n == 0) {
                    continue;
                }
                int row = t * batch;
                try (Rows s = new Rows()) {
                    Tensor dh = s.of(gradStates, after * batch, n);
                    Tensor dhPrev = s.of(gradStates, before * batch, n);
                    Tensor gradStep = s.of(gradGates, row, n);
                    switch (kind) {
                        case LSTM -> {
                            if (n < batch) {
                                be.copySlices(dc, 0, n, dcNext, n, batch - n);
                            }
                            be.lstmCellBackward(s.of(saved, row, n), s.of(cs, before * batch, n),
                                    s.of(cs, after * batch, n), dh, s.of(dc, 0, n), gradStep, s.of(dcNext, 0, n));
                            if (intoState) {
                                MatmulOps.gemm(be, precision, false, false, n, hidden, width, gradStep, weightHh, 1,
                                        dhPrev);
                            }
                        }
                        case GRU -> {
                            Tensor gradHiddenStep = s.of(gradHidden, row, n);
                            Tensor direct = s.of(gruDirect, 0, n);
                            be.gruCellBackward(s.of(saved, row, n), s.of(hiddenGates, row, n),
                                    s.of(hs, before * batch, n), dh, gradStep, gradHiddenStep, direct);
                            if (intoState) {
                                MatmulOps.gemm(be, precision, false, false, n, hidden, width, gradHiddenStep, weightHh,
                                        1, direct);
                                be.binary(BinaryOp.ADD, dhPrev, direct, dhPrev);
                            }
                        }
                        default -> {
                            be.unaryBackward(kind == Kind.RNN_TANH ? UnaryOp.TANH : UnaryOp.RELU, 0, s.of(saved, row, n),
                                    s.of(hs, after * batch, n), dh, gradStep);
                            if (intoState) {
                                MatmulOps.gemm(be, precision, false, false, n, hidden, width, gradStep, weightHh, 1,
                                        dhPrev);
                            }
                        }
                    }
                }
                if (lstm) {
                    Tensor swap = dc;
                    dc = dcNext;
                    dcNext = swap;
                }
            }
        }
        Tensor gradWeight = null;
        if (weightHh.requiresGrad()) {
            gradWeight = g.emptyLike(weightHh.shape(), dtype);
            try (Tensor entering = hs.view(reverse ? (long) batch * hidden : 0, Shape.of(steps * batch, hidden))) {
                MatmulOps.gemm(be, precision, true, false, width, hidden, steps * batch, gradHidden, entering, 0,
                        gradWeight);
            }
        }
        Tensor dh0 = null;
        if (initialGradient) {
            dh0 = g.emptyLike(state, dtype);
            be.copySlices(gradStates, 0, (reverse ? steps : 0) * batch, dh0, 0, batch);
        }
        gradStates.close();
        if (dcNext != null) {
            dcNext.close();
        }
        if (gruDirect != null) {
            gruDirect.close();
        }
        Tensor c0 = lstm ? inputs[2] : null;
        if (lstm && c0 == null) {
            dc.close();
            dc = null;
        }
        return switch (kind) {
            case LSTM -> new Tensor[] {gradGates, dh0, dc, gradWeight};
            case GRU -> {
                Tensor biasHh = inputs[3];
                Tensor gradBias = null;
                if (biasHh != null && biasHh.requiresGrad()) {
                    gradBias = g.emptyLike(biasHh.shape(), dtype);
                    be.reduce(ReduceOp.SUM, gradHidden, 0, gradBias);
                }
                yield new Tensor[] {gradGates, dh0, gradWeight, gradBias};
            }
            default -> new Tensor[] {gradGates, dh0, gradWeight};
        };
    }

    /**
     * dS of {@link #sequenceGrads} before the walk: block after(t) holds the gradient of step t's output rows
     * (zero for rows past their length), the initial state's block zero (where h0 needs its gradient; else it is
     * never written or read), and the final state's block adds the gradient of h.
     */
    private static Tensor stateGradients(Tensor g, int[] active, boolean reverse, int batch, int hidden,
                                         boolean initialGradient) {
        int steps = active.length;
        Backend be = g.backend();
        Tensor gradStates = g.emptyLike(Shape.of((steps + 1) * batch, hidden), g.dtype());
        try (Rows r = new Rows()) {
            be.copySlices(g, 0, 0, gradStates, reverse ? 0 : batch, steps * batch);
            for (int t = 0; t < steps; t++) {
                if (active[t] < batch) {
                    int after = reverse ? t : t + 1;
                    be.fill(r.of(gradStates, after * batch + active[t], batch - active[t]), 0);
                }
            }
            if (initialGradient) {
                be.fill(r.of(gradStates, (reverse ? steps : 0) * batch, batch), 0);
            }
            Tensor last = r.of(gradStates, (reverse ? 0 : steps) * batch, batch);
            be.binary(BinaryOp.ADD, last, r.of(g, steps * batch, batch), last);
        }
        return gradStates;
    }

    private static void checkSequence(Kind kind, Tensor inputGates, Tensor h0, Tensor c0, Tensor weightHh,
                                      Tensor biasHh) {
        String op = kind.op;
        Checks.compatible(op, inputGates, weightHh);
        Checks.floating(op, inputGates);
        if (kind == Kind.LSTM && (h0 == null) != (c0 == null)) {
            throw new IllegalArgumentException(op + ": h0 is " + shapeOrNull(h0) + " and c0 " + shapeOrNull(c0)
                    + ": give both initial states, or neither (zeros)");
        }
        for (Tensor other : new Tensor[] {h0, c0, biasHh}) {
            if (other != null) {
                Checks.compatible(op, inputGates, other);
            }
        }
        int hidden = weightHh.rank() == 2 ? weightHh.dim(1) : -1;
        int width = kind.gates * hidden;
        Shape state = inputGates.rank() == 3 ? Shape.of(inputGates.dim(1), hidden) : null;
        String expected = "expected inputGates [steps, batch, " + kind.gates + " * hidden], h0"
                + (kind == Kind.LSTM ? " and c0" : "") + " [batch, hidden] or null (zeros), weightHh ["
                + kind.gates + " * hidden, hidden]" + (kind == Kind.GRU ? ", biasHh [" + kind.gates + " * hidden] or null" : "");
        boolean ok = inputGates.rank() == 3 && inputGates.dim(0) > 0 && inputGates.dim(2) == width
                && weightHh.shape().equals(Shape.of(width, hidden))
                && (h0 == null || h0.shape().equals(state))
                && (c0 == null || c0.shape().equals(state))
                && (biasHh == null || biasHh.shape().equals(Shape.of(width)));
        if (!ok) {
            throw new IllegalArgumentException(op + ": inputGates " + inputGates.shape() + ", h0 " + shapeOrNull(h0)
                    + (kind == Kind.LSTM ? ", c0 " + shapeOrNull(c0) : "") + ", weightHh " + weightHh.shape()
                    + (biasHh != null ? ", biasHh " + biasHh.shape() : "") + ": " + expected);
        }
    }

    private static String shapeOrNull(Tensor t) {
        return t == null ? "null" : t.shape().toString();
    }

    /** Rows still running at each step: all of them without lengths, else how many lengths exceed t. */
    private static int[] activeRows(String op, int[] lengths, int steps, int batch) {
        int[] active = new int[steps];
        if (lengths == null) {
            Arrays.fill(active, batch);
            return active;
        }
        if (lengths.length != batch) {
            throw new IllegalArgumentException(op + ": " + lengths.length + " lengths for a batch of " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException(op + ": length " + lengths[b] + " of sequence " + b
                        + " is outside [0, " + steps + "]");
            }
            if (b > 0 && lengths[b] > lengths[b - 1]) {
                throw new IllegalArgumentException(op + ": lengths must be non-increasing (sort the batch by length),"
                        + " got " + Arrays.toString(lengths));
            }
            for (int t = 0; t < lengths[b]; t++) {
                active[t]++;
            }
        }
        return active;
    }

    /** Row-block views of 2-D buffers for the backend, released together. */
    private static final class Rows implements AutoCloseable {
        private final List<Tensor> views = new ArrayList<>();

        /** Rows [first, first + count) of a [rows, cols] buffer. */
        Tensor of(Tensor matrix, long first, int count) {
            return of(matrix, first, count, matrix.dim(matrix.rank() - 1));
        }

        /** Rows [first, first + count) of {@code t} seen as [rows, cols]. */
        Tensor of(Tensor t, long first, int count, int cols) {
            Tensor v = t.view(first * cols, Shape.of(count, cols));
            views.add(v);
            return v;
        }

        @Override
        public void close() {
            for (Tensor v : views) {
                v.close();
            }
        }
    }
}
