package dev.kiln.engine;

/** The fused LSTM and GRU cells of the Backend SPI (item 10), with their gradients. */
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
        out.record(op, new Tensor[] {gates, c}, g -> {
            Tensor gradGates = g.emptyLike(gates.shape(), gates.dtype());
            Tensor gradC = g.emptyLike(state, c.dtype());
            try (Tensor gradHOut = g.view(0, state); Tensor gradCOut = g.view(c.size(), state)) {
                g.backend().lstmCellBackward(activations, c, cOut, gradHOut, gradCOut, gradGates, gradC);
            }
            return new Tensor[] {gradGates, c.requiresGrad() ? gradC : null};
        });
        return new F.LstmState(out.narrow(0, 0, batch), out.narrow(0, batch, batch));
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
        out.record(op, new Tensor[] {inputGates, hiddenGates, h}, g -> {
            Tensor gradInput = g.emptyLike(inputGates.shape(), g.dtype());
            Tensor gradHidden = g.emptyLike(hiddenGates.shape(), g.dtype());
            Tensor gradH = g.emptyLike(h.shape(), g.dtype());
            g.backend().gruCellBackward(activations, hiddenGates, h, g, gradInput, gradHidden, gradH);
            return new Tensor[] {
                    inputGates.requiresGrad() ? gradInput : null,
                    hiddenGates.requiresGrad() ? gradHidden : null,
                    h.requiresGrad() ? gradH : null};
        });
        return out;
    }
}
