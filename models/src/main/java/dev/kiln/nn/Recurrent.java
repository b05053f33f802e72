package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share, after PyTorch's {@code RNNBase}: stacked layers with
 * dropout between them, one or two directions, time-first or batch-first sequences, initial states in,
 * final states out, and batches of sequences of different lengths.
 *
 * <p>Shapes (T steps, B sequences, D = 2 when bidirectional else 1, L layers, H hidden units):
 * <ul>
 * <li>input [T, B, inputSize], or [B, T, inputSize] with {@code batchFirst};</li>
 * <li>output [T, B, D * H] (or [B, T, D * H]): the last layer's hidden state at every step, the two
 *     directions concatenated (forward first);</li>
 * <li>states h (and c for an LSTM) [L * D, B, H], row {@code layer * D + direction}.</li>
 * </ul>
 *
 * <p>Parameters, named and laid out as in PyTorch so that state dicts carry over: for layer {@code k},
 * {@code weight_ih_lk} [gates * H, in] ({@code in} = inputSize for layer 0, D * H above),
 * {@code weight_hh_lk} [gates * H, H], {@code bias_ih_lk} and {@code bias_hh_lk} [gates * H], and the
 * same with suffix {@code _reverse} for the second direction; gates is 1 (RNN), 3 (GRU) or 4 (LSTM). Each
 * is drawn uniformly from +-1/sqrt(H), in that order, as PyTorch initialises them.
 *
 * <p>Each layer and direction projects the inputs of all steps in one GEMM ([T * B, in] x W_ih^T), then
 * runs one recurrent op ({@link F#lstmSequence} and its siblings): per step one GEMM with W_hh and one
 * fused cell.
 *
 * <p>Lengths: {@code forward(input, initial, lengths)} takes the real length of each sequence of a padded
 * batch. Padding never changes the result for real positions: each sequence's final state is taken at its
 * last real step (the reverse direction starts there), and the output at padded steps is zero, as
 * PyTorch does with packed sequences. Sequences need not be sorted.
 *
 * <p>ONNX export (dev.kiln.onnx.OnnxExport) writes {@link #forward(Tensor)}: the output sequence of full-length
 * sequences from zero states, one ONNX RNN, LSTM or GRU node per stacked layer; h_n, c_n, initial states and lengths
 * are not exported. A time-first layer's file takes other lengths and batches with both axes named
 * ({@code OnnxExportOptions.withDynamicAxes}); the default names only the first axis, which is time there.
 */
public abstract class Recurrent extends Module {
    private final String kind;
    private final int gates;
    private final boolean cellState;
    private final int inputSize;
    private final int hiddenSize;
    private final int layers;
    private final boolean bias;
    private final boolean batchFirst;
    private final double dropout;
    private final boolean bidirectional;

    Recurrent(String kind, int gates, boolean cellState, Builder<?, ?> b) {
        if (b.inputSize <= 0 || b.hiddenSize <= 0) {
            throw new IllegalArgumentException(kind + ": input and hidden size must be positive, got input "
                    + b.inputSize + ", hidden " + b.hiddenSize);
        }
        if (b.layers < 1) {
            throw new IllegalArgumentException(kind + ": needs at least 1 layer, got " + b.layers);
        }
        if (!(b.dropout >= 0 && b.dropout < 1)) {
            throw new IllegalArgumentException(kind + ": dropout must be in [0, 1), got " + b.dropout);
        }
        this.kind = kind;
        this.gates = gates;
        this.cellState = cellState;
        this.inputSize = b.inputSize;
        this.hiddenSize = b.hiddenSize;
        this.layers = b.layers;
        this.bias = b.bias;
        this.batchFirst = b.batchFirst;
        this.dropout = b.dropout;
        this.bidirectional = b.bidirectional;
        double bound = 1 / Math.sqrt(hiddenSize);
        int rows = gates * hiddenSize;
        for (int layer = 0; layer < layers; layer++) {
            int in = layer == 0 ? inputSize : hiddenSize * directions();
            for (int d = 0; d < directions(); d++) {
                String suffix = suffix(layer, d);
                registerParameter("weight_ih" + suffix, unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, rows, in)));
                registerParameter("weight_hh" + suffix,
                        unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, rows, hiddenSize)));
                if (bias) {
                    registerParameter("bias_ih" + suffix, unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, rows)));
                    registerParameter("bias_hh" + suffix, unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, rows)));
                }
            }
        }
    }

    /**
     * A layer named {@code kind} with {@code source}'s sizes and options and no parameters: for the quantised layers
     * ({@link DynamicQuantizedRecurrent}), which hold their weights otherwise and run their own {@link #direction}.
     */
    Recurrent(String kind, Recurrent source) {
        this.kind = kind;
        this.gates = source.gates;
        this.cellState = source.cellState;
        this.inputSize = source.inputSize;
        this.hiddenSize = source.hiddenSize;
        this.layers = source.layers;
        this.bias = source.bias;
        this.batchFirst = source.batchFirst;
        this.dropout = source.dropout;
        this.bidirectional = source.bidirectional;
    }

    /** The parameter-name suffix of a layer and direction: {@code _l0}, {@code _l0_reverse}, ... */
    static String suffix(int layer, int direction) {
        return "_l" + layer + (direction == 1 ? "_reverse" : "");
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** Stacked layers (PyTorch's {@code num_layers}). */
    public int layers() {
        return layers;
    }

    /** 2 when bidirectional, else 1. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    public boolean isBatchFirst() {
        return batchFirst;
    }

    /** Whether the layer has a cell state c (an LSTM). */
    public boolean hasCellState() {
        return cellState;
    }

    /** The output sequence for full-length sequences from zero states; see {@link #forward(Tensor, RecurrentState, int[])}. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).output();
    }

    /** {@link #forward(Tensor, RecurrentState, int[])} for full-length sequences. */
    public RecurrentOutput forward(Tensor input, RecurrentState initial) {
        return forward(input, initial, null);
    }

    /**
     * Runs every layer and direction over {@code input} ([T, B, inputSize], or [B, T, inputSize] with
     * batchFirst) from {@code initial} (null: zeros; else h, and c for an LSTM, of [L * D, B, H]).
     * {@code lengths} (null: all T) holds each sequence's real length in [0, T]; steps past it are padding.
     *
     * @return the output sequence and the final states (see {@link RecurrentOutput})
     * @throws IllegalArgumentException naming the layer and the expected and actual shapes
     */
    public RecurrentOutput forward(Tensor input, RecurrentState initial, int[] lengths) {
        return run(input, initial, lengths, false);
    }

    /**
     * PyTorch's forward over a {@link PackedSequence} of [*, inputSize] steps (batchFirst does not apply to it) from
     * zero states; see {@link #forward(PackedSequence, RecurrentState)}.
     */
    public PackedRecurrentOutput forward(PackedSequence input) {
        return forward(input, null);
    }

    /**
     * PyTorch's forward over a {@link PackedSequence}: {@code initial} (null: zeros) and the final states
     * [L * D, B, H] are in the batch's original order (PyTorch permutes h_0 by sorted_indices and h_n back by
     * unsorted_indices); the output is packed with the input's batch sizes and indices, data [sum of lengths,
     * D * H]. It runs the padded batch through {@link #forward(Tensor, RecurrentState, int[])} with its lengths.
     */
    public PackedRecurrentOutput forward(PackedSequence input, RecurrentState initial) {
        PaddedSequences padded = RnnUtils.padPackedSequence(input, batchFirst);
        RecurrentOutput out = forward(padded.padded(), initial, padded.lengths());
        releaseConsumed(padded.padded(), out.output());
        Tensor timeMajor = batchFirst ? consume(out.output(), o -> o.transpose(0, 1)) : out.output();
        PackedSequence packed = SequencePacking.pack(timeMajor, padded.lengths(), SequencePacking.order(input),
                input.sortedIndices(), input.unsortedIndices());
        releaseConsumed(timeMajor, packed.data());
        return new PackedRecurrentOutput(packed, out.hN(), out.cN());
    }

    /**
     * The forward pass; with {@code reverseTime} every direction runs the other way, which makes a
     * unidirectional layer the backward half of a {@link Bidirectional}.
     */
    RecurrentOutput run(Tensor input, RecurrentState initial, int[] lengths, boolean reverseTime) {
        DType dtype = dtype();
        String layout = batchFirst ? "[batch, time, " + inputSize + "]" : "[time, batch, " + inputSize + "]";
        if (input.rank() != 3 || input.dim(2) != inputSize || input.dim(0) == 0 || input.dim(1) == 0) {
            throw new IllegalArgumentException(describe() + ": input " + input.shape() + " must be " + layout);
        }
        if (input.dtype() != dtype) {
            throw new IllegalArgumentException(describe() + ": input is " + input.dtype() + " but the parameters are " + dtype
                    + "; convert one with to(DType)");
        }
        Tensor x = batchFirst ? input.transpose(0, 1) : input;
        int steps = x.dim(0);
        int batch = x.dim(1);
        Tensor h0 = initial == null ? null : initial.h();
        Tensor c0 = initial == null ? null : initial.c();
        checkInitial(initial, batch, dtype);
        int[] real = realLengths(lengths, steps, batch);
        int[] order = real == null || nonIncreasing(real) ? null : longestFirst(real);
        int[] sorted = real;
        if (order != null) {
            Tensor index = indexTensor(order);
            sorted = new int[batch];
            for (int b = 0; b < batch; b++) {
                sorted[b] = real[order[b]];
            }
            x = x.indexSelect(1, index);
            h0 = h0 == null ? null : h0.indexSelect(1, index);
            c0 = c0 == null ? null : c0.indexSelect(1, index);
        }
        List<Tensor> hs = new ArrayList<>();
        List<Tensor> cs = new ArrayList<>();
        Tensor layerInput = x;
        for (int layer = 0; layer < layers; layer++) {
            Tensor in = layerInput.reshape(steps * batch, layerInput.dim(2));
            List<Tensor> outputs = new ArrayList<>();
            for (int d = 0; d < directions(); d++) {
                int row = layer * directions() + d;
                // Without an initial state the sequence ops start from zeros themselves, one GEMM fewer.
                Tensor h = h0 == null ? null : h0.narrow(0, row, 1).reshape(batch, hiddenSize);
                Tensor c = !cellState || c0 == null ? null : c0.narrow(0, row, 1).reshape(batch, hiddenSize);
                F.SequenceOutput s = direction(in, steps, batch, h, c, suffix(layer, d), sorted, (d == 1) != reverseTime);
                outputs.add(s.output());
                hs.add(s.h());
                if (cellState) {
                    cs.add(s.c());
                }
            }
            layerInput = outputs.size() == 1 ? outputs.get(0) : Tensor.cat(outputs, 2);
            if (layer < layers - 1) {
                layerInput = F.dropout(layerInput, dropout, isTraining());
            }
        }
        Tensor output = layerInput;
        Tensor hN = stack(hs);
        Tensor cN = cellState ? stack(cs) : null;
        if (order != null) {
            Tensor back = indexTensor(inverse(order));
            output = output.indexSelect(1, back);
            hN = hN.indexSelect(1, back);
            cN = cN == null ? null : cN.indexSelect(1, back);
        }
        if (batchFirst) {
            output = output.transpose(0, 1);
        }
        return new RecurrentOutput(output, hN, cN);
    }

    /**
     * One direction of one layer over {@code input} [steps * batch, in] (time-major rows): the input
     * projection of every step in one GEMM, then the recurrence from h0 (and c0), or from zeros where they are null.
     */
    abstract F.SequenceOutput direction(Tensor input, int steps, int batch, Tensor h0, Tensor c0, String suffix,
                                        int[] lengths, boolean reverse);

    private void checkInitial(RecurrentState initial, int batch, DType dtype) {
        if (initial == null) {
            return;
        }
        Shape expected = Shape.of(layers * directions(), batch, hiddenSize);
        check("initial h", initial.h(), expected, dtype);
        if (cellState) {
            check("initial c", initial.c(), expected, dtype);
        } else if (initial.c() != null) {
            throw new IllegalArgumentException(describe() + ": has no cell state, but the initial state holds c "
                    + initial.c().shape());
        }
    }

    private void check(String what, Tensor t, Shape expected, DType dtype) {
        if (t == null || !t.shape().equals(expected)) {
            throw new IllegalArgumentException(describe() + ": " + what + " " + (t == null ? "is missing" : t.shape())
                    + ", expected " + expected + " [layers * directions, batch, hidden]");
        }
        if (t.dtype() != dtype) {
            throw new IllegalArgumentException(describe() + ": " + what + " is " + t.dtype() + " but the parameters are " + dtype);
        }
    }

    /** The lengths, checked; null when every sequence is full, which needs no bookkeeping. */
    private int[] realLengths(int[] lengths, int steps, int batch) {
        if (lengths == null) {
            return null;
        }
        if (lengths.length != batch) {
            throw new IllegalArgumentException(describe() + ": " + lengths.length + " lengths for a batch of " + batch
                    + " sequences");
        }
        boolean full = true;
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException(describe() + ": length " + lengths[b] + " of sequence " + b
                        + " is outside [0, " + steps + "] for input of " + steps + " steps");
            }
            full &= lengths[b] == steps;
        }
        return full ? null : lengths.clone();
    }

    private static boolean nonIncreasing(int[] v) {
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[i - 1]) {
                return false;
            }
        }
        return true;
    }

    /** Sequence indices ordered by length, longest first (stable): the recurrent ops run them that way. */
    static int[] longestFirst(int[] lengths) {
        return java.util.stream.IntStream.range(0, lengths.length).boxed()
                .sorted((a, b) -> Integer.compare(lengths[b], lengths[a]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The inverse permutation: where each index stands in {@code order}. */
    static int[] inverse(int[] order) {
        int[] inv = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inv[order[i]] = i;
        }
        return inv;
    }

    private static Tensor indexTensor(int[] values) {
        return Tensor.fromArray(Arrays.stream(values).asLongStream().toArray(), values.length);
    }

    /** [L * D, B, H] from the L * D final states [B, H]; a view when there is one. */
    private static Tensor stack(List<Tensor> states) {
        return states.size() == 1 ? states.get(0).unsqueeze(0) : Tensor.stack(states, 0);
    }

    /** PyTorch's {@code extra_repr}: the sizes, then the options that differ from their defaults, then Kiln's own. */
    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (layers != 1) {
            sb.append(", num_layers=").append(layers);
        }
        if (!bias) {
            sb.append(", bias=False");
        }
        if (batchFirst) {
            sb.append(", batch_first=True");
        }
        if (dropout != 0) {
            sb.append(", dropout=").append(PythonRepr.number(dropout));
        }
        if (bidirectional) {
            sb.append(", bidirectional=True");
        }
        return sb.append(extraDescription()).toString();
    }

    @Override
    protected String typeName() {
        return kind;
    }

    /** Subclass options for {@link #extraRepr()} that PyTorch's layer has not, each starting with ", ". */
    String extraDescription() {
        return "";
    }

    /** The dtype of the inputs and states the layer takes: its parameters'. */
    DType dtype() {
        return param("weight_ih_l0").dtype();
    }

    /**
     * Options every recurrent layer shares (PyTorch's {@code num_layers}, {@code bias}, {@code batch_first},
     * {@code dropout}, {@code bidirectional}); each layer's builder adds its own and builds it.
     */
    public abstract static class Builder<S extends Builder<S, L>, L extends Recurrent> {
        final int inputSize;
        final int hiddenSize;
        int layers = 1;
        boolean bias = true;
        boolean batchFirst;
        double dropout;
        boolean bidirectional;

        Builder(int inputSize, int hiddenSize) {
            this.inputSize = inputSize;
            this.hiddenSize = hiddenSize;
        }

        /** Stacked layers, each reading the previous one's output (default 1). */
        public S layers(int n) {
            layers = n;
            return self();
        }

        /** Whether to have biases b_ih and b_hh (default true). */
        public S bias(boolean b) {
            bias = b;
            return self();
        }

        /** Input and output as [batch, time, features] instead of [time, batch, features] (default false). */
        public S batchFirst(boolean b) {
            batchFirst = b;
            return self();
        }

        /** Dropout probability on the outputs of every layer but the last, in training (default 0). */
        public S dropout(double p) {
            dropout = p;
            return self();
        }

        /** A second direction per layer that reads the sequence from its end (default false). */
        public S bidirectional(boolean b) {
            bidirectional = b;
            return self();
        }

        abstract S self();

        /** The layer, with fresh parameters from the engine's seeded stream. */
        public abstract L build();
    }
}
