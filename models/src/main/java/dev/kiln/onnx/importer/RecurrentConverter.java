package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ONNX's RNN, LSTM and GRU operators, as torch.onnx.export writes them for nn.RNN, nn.LSTM and nn.GRU and Kiln's
 * export for its recurrent layers: X [seq, batch, input] (layout 0), W [directions, gates * hidden, input],
 * R [directions, gates * hidden, hidden], optional B [directions, 2 * gates * hidden] (input biases, then hidden
 * biases), optional sequence_lens [batch] (a padded batch: each sequence's length, at most seq), optional initial_h
 * (and LSTM's initial_c) [directions, batch, hidden], optional LSTM peepholes P [directions, 3 * hidden] (input,
 * output and forget gates'); direction forward, reverse or bidirectional. Outputs Y [seq, directions, batch, hidden],
 * zero past each sequence's length, and Y_h (and LSTM's Y_c) [directions, batch, hidden], the state after each
 * sequence's last step (the reverse direction starts at its last valid step; zeros for a sequence of length 0, as ONNX
 * Runtime's): the steps of the outputs share one run of the recurrence. Layout 1 puts the batch first: X
 * [batch, seq, input], initial states and Y_h, Y_c [batch, directions, hidden], Y [batch, seq, directions, hidden].
 * GRU's linear_before_reset 0 (ONNX's default) and 1 (PyTorch's), LSTM's input_forget, and clip (each activation's
 * input clamped). Every activation ONNX lists, with activation_alpha and activation_beta ({@link RecurrentActivation}).
 * Weights stay whatever the graph feeds (initializers, so trainable parameters).
 */
final class RecurrentConverter implements OnnxConverter {
    private static final int SEQUENCE_LENS = 4;
    private static final int INITIAL_H = 5;
    private static final int INITIAL_C = 6;
    private static final int PEEPHOLES = 7;

    private final RecurrentCell cell;

    private RecurrentConverter(RecurrentCell cell) {
        this.cell = cell;
    }

    static void register(Map<String, OnnxConverter> ops) {
        for (RecurrentCell c : RecurrentCell.values()) {
            ops.put(c.name(), new RecurrentConverter(c));
        }
    }

    @Override
    public OnnxStep compile(OnnxNode node) {
        return compileOutputs(node, 1)[0];
    }

    @Override
    public OnnxStep[] compileOutputs(OnnxNode node, int count) {
        Geometry geometry = geometry(node);
        int outputs = cell == RecurrentCell.LSTM ? 3 : 2;
        if (count > outputs) {
            throw node.error("has " + count + " outputs; " + cell + " has " + outputs);
        }
        SharedRun shared = new SharedRun(lastNamed(node, count), (in, floatType) -> run(geometry, in, floatType));
        OnnxStep[] steps = new OnnxStep[count];
        for (int k = 0; k < count; k++) {
            int index = k;
            steps[k] = (in, floatType) -> shared.output(index, in, floatType);
        }
        return steps;
    }

    /** The last output the graph names (an output left out has an empty name and no step runs for it). */
    private static int lastNamed(OnnxNode node, int count) {
        int last = 0;
        for (int k = 0; k < count; k++) {
            last = node.proto().outputs().get(k).isEmpty() ? last : k;
        }
        return last;
    }

    /** A node's checked attributes. */
    private record Geometry(int hidden, int directions, boolean reverseOnly,
            List<List<RecurrentActivation>> activations, boolean batchFirst, boolean coupled, boolean resetAfter,
            double clip) {
    }

    private Geometry geometry(OnnxNode node) {
        if (!node.has("hidden_size")) {
            throw node.error("has no hidden_size attribute, which ONNX requires");
        }
        int hidden = Math.toIntExact(node.intAttr("hidden_size", 0));
        String direction = node.stringAttr("direction", "forward");
        if (!List.of("forward", "reverse", "bidirectional").contains(direction)) {
            throw node.error("direction '" + direction + "'; ONNX's are forward, reverse and bidirectional");
        }
        int directions = direction.equals("bidirectional") ? 2 : 1;
        refuseUnsupported(node);
        double clip = node.has("clip") ? node.floatAttr("clip", 0) : Double.POSITIVE_INFINITY;
        if (!(clip > 0)) {
            throw node.error("clip " + clip + "; ONNX's clip is a positive bound");
        }
        return new Geometry(hidden, directions, direction.equals("reverse"), activations(node, directions),
                node.intAttr("layout", 0) == 1, node.intAttr("input_forget", 0) != 0,
                node.intAttr("linear_before_reset", 0) != 0, clip);
    }

    private void refuseUnsupported(OnnxNode node) {
        long layout = node.intAttr("layout", 0);
        if (layout != 0 && layout != 1) {
            throw node.error("layout " + layout + "; ONNX's are 0 (X [seq, batch, input]) and 1 (X [batch, seq, "
                    + "input])");
        }
    }

    /**
     * Each direction's activations (f; f, g; or f, g, h), ONNX's defaults where the node gives none: RNN's tanh,
     * LSTM's sigmoid, tanh, tanh, GRU's sigmoid, tanh.
     */
    private List<List<RecurrentActivation>> activations(OnnxNode node, int directions) {
        List<String> defaults = switch (cell) {
            case RNN -> List.of("Tanh");
            case LSTM -> List.of("Sigmoid", "Tanh", "Tanh");
            case GRU -> List.of("Sigmoid", "Tanh");
        };
        List<String> given = node.attribute("activations").map(AttributeProto::strings).orElse(null);
        if (given != null && given.size() != defaults.size() * directions) {
            throw node.error("activations " + given + "; " + cell + " takes " + defaults.size() + " per direction, "
                    + directions + " direction(s)");
        }
        List<String> names = given;
        if (names == null) {
            names = new ArrayList<>();
            for (int d = 0; d < directions; d++) {
                names.addAll(defaults);
            }
        }
        List<RecurrentActivation> all = RecurrentActivation.of(node, names);
        List<List<RecurrentActivation>> perDirection = new ArrayList<>();
        for (int d = 0; d < directions; d++) {
            perDirection.add(all.subList(d * defaults.size(), (d + 1) * defaults.size()));
        }
        return perDirection;
    }

    /** The node's weights, each per direction along its first axis; {@code b} and {@code p} null when absent. */
    private record Weights(Tensor w, Tensor r, Tensor b, Tensor p) {
    }

    /**
     * Y, Y_h and (LSTM) Y_c for the node's inputs; layout 1's batch-first X and initial states are run as layout 0's
     * and the outputs put back batch first.
     */
    private OnnxValue[] run(Geometry g, OnnxValue[] in, DType floatType) {
        Tensor x = in[0].tensor(floatType);
        Weights weights = new Weights(in[1].tensor(floatType), in[2].tensor(floatType), optional(in, 3, floatType),
                cell == RecurrentCell.LSTM ? optional(in, PEEPHOLES, floatType) : null);
        Tensor h0 = optional(in, INITIAL_H, floatType);
        Tensor c0 = cell == RecurrentCell.LSTM ? optional(in, INITIAL_C, floatType) : null;
        checkShapes(g, x, weights, h0, c0);
        if (g.batchFirst()) {
            x = x.transpose(0, 1);
            h0 = h0 == null ? null : h0.transpose(0, 1);
            c0 = c0 == null ? null : c0.transpose(0, 1);
        }
        Tensor valid = SEQUENCE_LENS < in.length && in[SEQUENCE_LENS] != null ? validSteps(in[SEQUENCE_LENS], x) : null;
        List<Tensor> ys = new ArrayList<>();
        List<Tensor> hs = new ArrayList<>();
        List<Tensor> cs = new ArrayList<>();
        for (int d = 0; d < g.directions(); d++) {
            Direction out = direction(g, d, x, weights, h0, c0, valid);
            ys.add(out.y());
            hs.add(out.last().h());
            cs.add(out.last().c());
        }
        // Layout 1: Y [seq, directions, batch, hidden] -> [batch, seq, directions, hidden], states batch first.
        Tensor y = g.batchFirst() ? Tensor.stack(ys, 1).permute(2, 0, 1, 3) : Tensor.stack(ys, 1);
        int stateAxis = g.batchFirst() ? 1 : 0;
        OnnxValue yh = OnnxValue.of(Tensor.stack(hs, stateAxis));
        return cell == RecurrentCell.LSTM
                ? new OnnxValue[] {OnnxValue.of(y), yh, OnnxValue.of(Tensor.stack(cs, stateAxis))}
                : new OnnxValue[] {OnnxValue.of(y), yh};
    }

    private static Tensor optional(OnnxValue[] in, int index, DType floatType) {
        return index < in.length && in[index] != null ? in[index].tensor(floatType) : null;
    }

    /** One direction's outputs at every step [seq, batch, hidden] and its state after the last step it reads. */
    private record Direction(Tensor y, RecurrentCell.State last) {
    }

    /**
     * sequence_lens as a mask [seq, batch, 1] in x's dtype and on its backend: 1 at the steps each sequence has, 0 past its length.
     *
     * @throws IllegalArgumentException naming the lengths when they are not one per sequence, each 0 to seq
     */
    private Tensor validSteps(OnnxValue lengths, Tensor x) {
        long[] lens = lengths.longs();
        int steps = x.dim(0);
        int batch = x.dim(1);
        if (lens.length != batch || Arrays.stream(lens).anyMatch(n -> n < 0 || n > steps)) {
            throw new IllegalArgumentException(cell + ": sequence_lens " + Arrays.toString(lens) + " must hold "
                    + batch + " lengths (one per sequence of X " + x.shape() + "), each 0 to " + steps);
        }
        double[] mask = new double[steps * batch];
        for (int t = 0; t < steps; t++) {
            for (int n = 0; n < batch; n++) {
                mask[t * batch + n] = t < lens[n] ? 1 : 0;
            }
        }
        return Tensor.fromArray(mask, steps, batch, 1).to(x.dtype()).to(x.backend());
    }

    /**
     * One direction's run; with {@code valid} (sequence_lens) a step past a sequence's length keeps its state and
     * outputs zeros.
     */
    private Direction direction(Geometry g, int d, Tensor x, Weights weights, Tensor h0, Tensor c0, Tensor valid) {
        int steps = x.dim(0);
        int batch = x.dim(1);
        int width = cell.gates() * g.hidden();
        Tensor inputGates = x.reshape(steps * batch, x.dim(2)).matmul(weights.w().narrow(0, d, 1).squeeze(0).t());
        Tensor rb = null;
        if (weights.b() != null) {
            Tensor biases = weights.b().narrow(0, d, 1).squeeze(0);
            inputGates = inputGates.add(biases.narrow(0, 0, width));
            rb = biases.narrow(0, width, width);
        }
        inputGates = inputGates.reshape(steps, batch, width);
        Tensor rd = weights.r().narrow(0, d, 1).squeeze(0);
        Tensor peepholes = weights.p() == null ? null : weights.p().narrow(0, d, 1).squeeze(0);
        RecurrentCell.Form form = new RecurrentCell.Form(g.activations().get(d), peepholes, g.coupled(),
                g.resetAfter(), g.clip());
        RecurrentCell.State state = new RecurrentCell.State(initial(h0, d, x, g.hidden()),
                cell == RecurrentCell.LSTM ? initial(c0, d, x, g.hidden()) : null);
        boolean reverse = g.reverseOnly() || d == 1;
        Tensor[] outputs = new Tensor[steps];
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            RecurrentCell.State next = cell.step(inputGates.narrow(0, t, 1).squeeze(0), state, rd, rb, form);
            if (valid != null) {
                Tensor m = valid.narrow(0, t, 1).squeeze(0);
                next = new RecurrentCell.State(Tensor.where(m, next.h(), state.h()),
                        next.c() == null ? null : Tensor.where(m, next.c(), state.c()));
                outputs[t] = next.h().mul(m);
            } else {
                outputs[t] = next.h();
            }
            state = next;
        }
        return new Direction(Tensor.stack(Arrays.asList(outputs), 0), valid == null ? state : endOfEmpty(state, valid));
    }

    /**
     * The last state with a sequence of length 0 zeroed, as ONNX Runtime's GRU and LSTM give it, where the steps left
     * its initial state: {@code valid}'s first step is 1 just where a sequence has a step.
     */
    private static RecurrentCell.State endOfEmpty(RecurrentCell.State last, Tensor valid) {
        Tensor started = valid.narrow(0, 0, 1).squeeze(0);
        return new RecurrentCell.State(last.h().mul(started), last.c() == null ? null : last.c().mul(started));
    }

    /** Direction {@code d}'s given initial state, or zeros [batch, hidden] on x's backend. */
    private static Tensor initial(Tensor given, int d, Tensor x, int hidden) {
        return given == null ? x.fullLike(0, Shape.of(x.dim(1), hidden)) : given.narrow(0, d, 1).squeeze(0);
    }

    /** The shapes ONNX gives the inputs, in the node's layout (batch first in X and the states for layout 1). */
    private void checkShapes(Geometry g, Tensor x, Weights weights, Tensor h0, Tensor c0) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException(cell + ": X must be " + (g.batchFirst() ? "[batch, seq, input]"
                    : "[seq, batch, input]") + ", got " + x.shape());
        }
        int width = cell.gates() * g.hidden();
        int dirs = g.directions();
        int batch = x.dim(g.batchFirst() ? 0 : 1);
        int[] state = g.batchFirst() ? new int[] {batch, dirs, g.hidden()} : new int[] {dirs, batch, g.hidden()};
        expect("W", weights.w(), dirs, width, x.dim(2));
        expect("R", weights.r(), dirs, width, g.hidden());
        if (weights.b() != null) {
            expect("B", weights.b(), dirs, 2 * width);
        }
        if (weights.p() != null) {
            expect("P", weights.p(), dirs, 3 * g.hidden());
        }
        if (h0 != null) {
            expect("initial_h", h0, state);
        }
        if (c0 != null) {
            expect("initial_c", c0, state);
        }
    }

    private void expect(String name, Tensor t, int... dims) {
        if (!Arrays.equals(t.shape().dims(), dims)) {
            throw new IllegalArgumentException(cell + ": " + name + " must have shape " + Arrays.toString(dims)
                    + ", got " + t.shape());
        }
    }
}
