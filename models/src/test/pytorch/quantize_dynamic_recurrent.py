"""Prints DynamicQuantizedRecurrentPyTorchParityTest: torch.quantization.quantize_dynamic with
per_channel_dynamic_qconfig on nn.LSTM and nn.GRU, and on the cells nn.LSTMCell, nn.GRUCell and nn.RNNCell (qint8
weights, one scale per row of each W_ih and W_hh), F32.

PyTorch 1.13 here runs its x86 engine, onednn (this build has no fbgemm), with reduce_range (inputs to [0, 127]).
Its quantised layers project the inputs of all steps in one dynamic int8 linear (one input range over the whole
sequence, or over a packed sequence's data), then take h W_hh^T + b_hh per step in int8 over the running sequences'
h (one range per step), and the gates and cell update in F32. The weights are parity.py's pattern (seed = index + 1);
the inputs 2 * pattern + 0.3 and the initial states pattern. It prints each layer's first int8 matrices and scales,
the outputs and final states.

The tolerance, 1e-5: a re-implementation of those steps from PyTorch's own int8 ops reproduces its outputs to within
3e-7 (float rounding of the gates); one quantisation rounding that fell the other way would move an output by about
a quantisation step times a weight, 1e-3, and the mistakes worth catching move it more (the input quantised step by
step instead of over the sequence: 3e-3 for the LSTM below, 1e-2 for the GRU; F32 weights: 4e-3 and 1e-2).
"""
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from parity import emit_load, fmt, load, pattern

torch.backends.quantized.engine = "onednn"
QCONFIG = torch.quantization.per_channel_dynamic_qconfig


def quantise(layer):
    wrapped = torch.nn.Sequential(layer)
    return torch.quantization.quantize_dynamic(wrapped, {type(layer): QCONFIG}, dtype=torch.qint8)[0]


def values(seed, *dims, scale=1.0, shift=0.0):
    n = 1
    for d in dims:
        n *= d
    return (scale * pattern(n, seed) + shift).reshape(*dims).float()


def ints(values):
    parts = [str(int(v)) for v in values]
    lines = [", ".join(parts[k:k + 20]) for k in range(0, len(parts), 20)]
    return ",\n                    ".join(lines)


def fmt20(values):
    return fmt(values).replace("\n                ", "\n                    ")


def emit_matrix(quantised, name, java_layer):
    w = quantised.get_weight()[name]
    print('            assertInts("%s int8 values", %s.packedWeight("%s").values(),\n                    %s);'
          % (name, java_layer, name, ints(w.int_repr().reshape(-1))))
    print('            assertScales("%s scales", %s.packedWeight("%s").scales(),\n                    %s);'
          % (name, java_layer, name, fmt20(w.q_per_channel_scales())))


def emit_values(label, java_expr, t):
    print('            assertClose("%s", %s,\n                    %s);' % (label, java_expr, fmt20(t.reshape(-1))))


def run(method, title, builder, layer, lstm, batch_first, steps, batch, lengths, initial):
    keys = load(layer)
    layer = layer.float()
    quantised = quantise(layer)
    cls = "LSTM" if lstm else "GRU"
    dims = (batch, steps, layer.input_size) if batch_first else (steps, batch, layer.input_size)
    x = values(100, *dims, scale=2.0, shift=0.3)
    rows = layer.num_layers * (2 if layer.bidirectional else 1)
    h0 = values(101, rows, batch, layer.hidden_size) if initial else None
    c0 = values(102, rows, batch, layer.hidden_size) if initial and lstm else None
    state = None if not initial else ((h0, c0) if lstm else h0)
    with torch.no_grad():
        if lengths is None:
            y, s = quantised(x, state)
        else:
            packed = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
            y, s = quantised(packed, state)
            y, _ = pad_packed_sequence(y, batch_first=batch_first, total_length=steps)
    h_n, c_n = s if lstm else (s, None)
    print("    @Test")
    print("    void %s() {" % method)
    print("        // %s, PyTorch 1.13" % title.replace(" on ", "\n        //     on "))
    print("        %s layer = %s;" % (cls, builder))
    emit_load("layer", keys)
    print("        try (DynamicQuantized%s quantised = DynamicQuantized%s.from(layer);" % (cls, cls))
    print("             Autograd.Guard g = Autograd.noGrad()) {")
    emit_matrix(quantised, "weight_ih_l0", "quantised")
    emit_matrix(quantised, "weight_hh_l0", "quantised")
    print("            Tensor x = values(100, %s).mul(2).add(0.3).to(DType.F32);" % ", ".join(map(str, dims)))
    if initial:
        h = "values(101, %d, %d, %d).to(DType.F32)" % (rows, batch, layer.hidden_size)
        c = "values(102, %d, %d, %d).to(DType.F32)" % (rows, batch, layer.hidden_size)
        print("            RecurrentState initial = new RecurrentState(%s,\n                    %s);"
              % (h, c if lstm else "null"))
    else:
        print("            RecurrentState initial = null;")
    lens = "null" if lengths is None else "new int[] {%s}" % ", ".join(map(str, lengths))
    print("            RecurrentOutput out = quantised.forward(x, initial, %s);" % lens)
    emit_values("output", "out.output()", y)
    emit_values("h_n", "out.hN()", h_n)
    if lstm:
        emit_values("c_n", "out.cN()", c_n)
    print("        } finally {")
    print("            layer.close();")
    print("        }")
    print("    }")
    print()


print('''package dev.kiln.nn;

import static dev.kiln.nn.Int8WeightsAssertions.assertInts;
import static dev.kiln.nn.Int8WeightsAssertions.assertScales;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Int8LinearWeights;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DynamicQuantizedLSTM}, {@link DynamicQuantizedGRU} and the quantised cells against PyTorch 1.13's
 * {@code quantize_dynamic} of {@code nn.LSTM}, {@code nn.GRU}, {@code nn.LSTMCell}, {@code nn.GRUCell} and
 * {@code nn.RNNCell} with {@code per_channel_dynamic_qconfig} (printed by
 * {@code models/src/test/pytorch/quantize_dynamic_recurrent.py}): the same int8 weights and scales exactly, and
 * outputs and final states within {@link #TOLERANCE}.
 */
class DynamicQuantizedRecurrentPyTorchParityTest {
    /**
     * Float rounding of the gates: PyTorch's steps redone from its own int8 ops agree to 3e-7, while one quantisation
     * rounding the other way moves an output by about 1e-3, and quantising the input step by step rather than over the
     * sequence by 3e-3 to 1e-2 (the script's note).
     */
    private static final double TOLERANCE = 1e-5;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertClose(String what, Tensor actual, double... expected) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count of " + what + " " + actual.shape());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], TOLERANCE, "element " + i + " of " + what + " " + actual.shape());
        }
    }

    private static Int8LinearWeights packed(DynamicQuantizedCell cell, String matrix) {
        return ((DynamicQuantizedLinear) cell.namedChildren().get(matrix)).packedWeight();
    }
''')
run("stackedBidirectionalLstmFromInitialStatesMatchesPyTorch",
    "quantize_dynamic of torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True) from (h0, c0)",
    "LSTM.builder(3, 4).layers(2).bidirectional(true).build()",
    torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True), True, False, 5, 2, None, True)
run("batchFirstLstmWithUnsortedLengthsMatchesPyTorch",
    "quantize_dynamic of torch.nn.LSTM(3, 4, batch_first=True) on pack_padded_sequence(x, [2, 5, 3],"
    " batch_first=True, enforce_sorted=False)",
    "LSTM.builder(3, 4).batchFirst(true).build()",
    torch.nn.LSTM(3, 4, batch_first=True), True, True, 5, 3, [2, 5, 3], False)
run("stackedBidirectionalBatchFirstGruWithLengthsMatchesPyTorch",
    "quantize_dynamic of torch.nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True) from h0 on"
    " pack_padded_sequence(x, [4, 2, 5], batch_first=True, enforce_sorted=False)",
    "GRU.builder(3, 4).layers(2).bidirectional(true).batchFirst(true).build()",
    torch.nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True), False, True, 5, 3, [4, 2, 5], True)
run("gruFromZeroStateMatchesPyTorch", "quantize_dynamic of torch.nn.GRU(3, 4)", "new GRU(3, 4)",
    torch.nn.GRU(3, 4), False, False, 6, 2, None, False)


def run_cell(method, title, builder, cell, kind):
    keys = load(cell)
    cell = cell.float()
    quantised = quantise(cell)
    cls = type(cell).__name__
    x = values(100, 3, cell.input_size, scale=2.0, shift=0.3)
    h0 = values(101, 3, cell.hidden_size)
    c0 = values(102, 3, cell.hidden_size)
    with torch.no_grad():
        out = quantised(x, (h0, c0)) if kind == "lstm" else quantised(x, h0)
    print("    @Test")
    print("    void %s() {" % method)
    print("        // %s, PyTorch 1.13" % title)
    print("        %s cell = %s;" % (cls, builder))
    emit_load("cell", keys)
    print("        try (DynamicQuantized%s quantised = DynamicQuantized%s.from(cell);" % (cls, cls))
    print("             Autograd.Guard g = Autograd.noGrad()) {")
    w = quantised._packed_weight_hh.unpack()[0]
    print('            assertInts("weight_hh int8 values", packed(quantised, "hh").values(),\n                    %s);'
          % ints(w.int_repr().reshape(-1)))
    print('            assertScales("weight_hh scales", packed(quantised, "hh").scales(),\n                    %s);'
          % fmt20(w.q_per_channel_scales()))
    print("            Tensor x = values(100, 3, %d).mul(2).add(0.3).to(DType.F32);" % cell.input_size)
    print("            Tensor h = values(101, 3, %d).to(DType.F32);" % cell.hidden_size)
    if kind == "lstm":
        print("            Tensor c = values(102, 3, %d).to(DType.F32);" % cell.hidden_size)
        print("            F.LstmState out = quantised.forward(x, h, c);")
        emit_values("h'", "out.h()", out[0])
        emit_values("c'", "out.c()", out[1])
    else:
        print("            Tensor out = quantised.forward(x, h);")
        emit_values("h'", "out", out)
    print("        } finally {")
    print("            cell.close();")
    print("        }")
    print("    }")
    print()


run_cell("lstmCellMatchesPyTorch", "quantize_dynamic of torch.nn.LSTMCell(3, 4) from (h, c)", "new LSTMCell(3, 4)",
         torch.nn.LSTMCell(3, 4), "lstm")
run_cell("gruCellMatchesPyTorch", "quantize_dynamic of torch.nn.GRUCell(3, 4) from h", "new GRUCell(3, 4)",
         torch.nn.GRUCell(3, 4), "gru")
run_cell("reluRnnCellMatchesPyTorch", "quantize_dynamic of torch.nn.RNNCell(3, 4, nonlinearity='relu') from h",
         'new RNNCell(3, 4, true, "relu")', torch.nn.RNNCell(3, 4, nonlinearity="relu"), "rnn")
print("}")
