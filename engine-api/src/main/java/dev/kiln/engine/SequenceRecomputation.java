package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The gradients of a whole recurrent sequence ({@link RecurrentOps#sequence}) in a backward pass that records its own
 * graph ({@link Node#createsGraph()}): the sequence is recomputed step by step from the node's inputs in recorded ops,
 * the math of the fused kernels (per step {@code h W_hh^T}, plus {@code biasHh} for a GRU, then {@link F#lstmCell},
 * {@link F#gruCell}, tanh or ReLU; rows past their length carry their state and output zeros), and its gradients are
 * those of that recomputation, recorded, so that they can be differentiated again. PyTorch composes its CPU LSTM of
 * such ops. The ordinary backward pass keeps the fused kernels; this one costs a second forward pass and a graph of
 * every step, which stay in the caller's scope as every graph of such a pass does.
 */
final class SequenceRecomputation {
    private SequenceRecomputation() {
    }

    /**
     * The gradients of the sequence's {@code inputs} (in the node's order; null where an input is null or needs
     * none) from the gradient {@code g} of [output; h; c], recorded. {@code active} holds the rows running at each
     * step; {@code precision} is the one the forward pass's GEMMs ran with.
     */
    static Tensor[] gradients(RecurrentOps.Kind kind, Tensor[] inputs, int[] active, boolean reverse,
                              Precision precision, Tensor g) {
        Tensor[] slots = ownSlots(inputs);
        List<Tensor> targets = new ArrayList<>();
        for (Tensor in : slots) {
            if (in != null && in.requiresGrad()) {
                targets.add(in);
            }
        }
        Tensor recomputed;
        try (Autocast.Guard forwardPrecision = Autocast.enable(precision)) {
            recomputed = recompute(kind, slots, active, reverse);
        }
        // With every length zero the output is the initial state's, or zeros that depend on nothing.
        List<Tensor> grads = recomputed.requiresGrad()
                ? Autograd.grad(List.of(recomputed), targets, List.of(g),
                        GradOptions.DEFAULT.withCreateGraph().withAllowUnused())
                : Collections.nCopies(targets.size(), null);
        Tensor[] result = new Tensor[inputs.length];
        int j = 0;
        for (int k = 0; k < inputs.length; k++) {
            if (inputs[k] != null && inputs[k].requiresGrad()) {
                Tensor grad = grads.get(j++);
                // An input no step reached (every length zero) gets zeros, as from the fused pass.
                result[k] = grad != null ? grad : inputs[k].fullLike(0);
            }
        }
        return result;
    }

    /**
     * The inputs, a tensor that fills several slots (h0 passed as c0 too) replaced in each by a recorded copy of its
     * own: the gradient of each slot is then its own, as the fused pass's are, where the gradient of the one tensor
     * would be their sum and would reach it once for each slot.
     */
    private static Tensor[] ownSlots(Tensor[] inputs) {
        Tensor[] slots = inputs.clone();
        for (int k = 0; k < inputs.length; k++) {
            for (int j = 0; j < inputs.length; j++) {
                if (j != k && inputs[k] != null && inputs[k] == inputs[j]) {
                    slots[k] = inputs[k].mul(1);
                    break;
                }
            }
        }
        return slots;
    }

    /** [output rows of every step in time order; final h; final c (LSTM)], as the node's output, in recorded ops. */
    private static Tensor recompute(RecurrentOps.Kind kind, Tensor[] inputs, int[] active, boolean reverse) {
        boolean lstm = kind == RecurrentOps.Kind.LSTM;
        Tensor inputGates = inputs[0];
        Tensor weightHh = inputs[lstm ? 3 : 2];
        Tensor biasHh = kind == RecurrentOps.Kind.GRU ? inputs[3] : null;
        int steps = inputGates.dim(0);
        int batch = inputGates.dim(1);
        int hidden = weightHh.dim(1);
        Shape state = Shape.of(batch, hidden);
        boolean zeroStart = inputs[1] == null;
        Tensor h = zeroStart ? inputGates.fullLike(0, state) : inputs[1];
        Tensor c = !lstm ? null : zeroStart ? inputGates.fullLike(0, state) : inputs[2];
        Tensor[] outputs = new Tensor[steps];
        for (int k = 0; k < steps; k++) {
            int t = reverse ? steps - 1 - k : k;
            int n = active[t];
            if (n == 0) {
                outputs[t] = inputGates.fullLike(0, state);
                continue;
            }
            Tensor x = inputGates.narrow(0, t, 1).reshape(batch, kind.gates * hidden).narrow(0, 0, n);
            Tensor hRun = h.narrow(0, 0, n);
            // From a zero state the fused kernel skips the first GEMM; adding h W_hh^T = 0 gives the same gates.
            Tensor recurrent = F.linear(hRun, weightHh, biasHh);
            Tensor hNext;
            switch (kind) {
                case LSTM -> {
                    F.LstmState next = F.lstmCell(x.add(recurrent), c.narrow(0, 0, n));
                    hNext = next.h();
                    c = carried(next.c(), c, n);
                }
                case GRU -> hNext = F.gruCell(x, recurrent, hRun);
                case RNN_TANH -> hNext = x.add(recurrent).tanh();
                default -> hNext = x.add(recurrent).relu();
            }
            h = carried(hNext, h, n);
            outputs[t] = n < batch ? Tensor.cat(List.of(hNext, inputGates.fullLike(0, Shape.of(batch - n, hidden))), 0)
                    : hNext;
        }
        List<Tensor> blocks = new ArrayList<>(List.of(outputs));
        blocks.add(h);
        if (lstm) {
            blocks.add(c);
        }
        return Tensor.cat(blocks, 0);
    }

    /** The state after a step: its first {@code n} rows new, the others carried from {@code previous}. */
    private static Tensor carried(Tensor next, Tensor previous, int n) {
        int batch = previous.dim(0);
        return n < batch ? Tensor.cat(List.of(next, previous.narrow(0, n, batch - n)), 0) : next;
    }
}
