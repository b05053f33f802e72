"""Prints PackedSequencePyTorchParityTest: pack_padded_sequence, pack_sequence, pad_packed_sequence and an LSTM and a
GRU over a PackedSequence, in float64, PyTorch 1.13 (run with /usr/bin/python3, redirect into the test's file)."""
from parity import *
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pack_sequence


def longs(label, java_expr, t):
    print('        assertArrayEquals(new long[] {%s}, %s, "%s");' % (", ".join(str(int(v)) for v in t), java_expr, label))


def dims(shape):
    return ", ".join(str(d) for d in shape)


def emit_packed(var, p):
    emit_values("data", var + ".data()", p.data)
    longs("batch sizes", var + ".batchSizes()", p.batch_sizes)
    if p.sorted_indices is None:
        print("        assertNull(%s.sortedIndices(), \"sorted indices\");" % var)
        print("        assertNull(%s.unsortedIndices(), \"unsorted indices\");" % var)
    else:
        longs("sorted indices", var + ".sortedIndices().toLongArray()", p.sorted_indices)
        longs("unsorted indices", var + ".unsortedIndices().toLongArray()", p.unsorted_indices)


def pack_padded(method, shape, lengths, batch_first):
    x = tensor(100, *shape)
    p = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
    backward([p.data], [200])
    print("    @Test")
    print("    void %s() {" % method)
    print("        // pack_padded_sequence(x, %s, batch_first=%s, enforce_sorted=False), PyTorch 1.13"
          % (lengths, batch_first))
    print("        Tensor x = tensor(DType.F64, 100, %s);" % dims(shape))
    print("        PackedSequence packed = RnnUtils.packPaddedSequence(x, new int[] {%s}, %s, false);"
          % (dims(lengths), "true" if batch_first else "false"))
    print("        backward(200, packed.data());")
    print()
    emit_packed("packed", p)
    emit_values("input gradient", "x.grad()", x.grad)
    end_test()


def sequences(lengths, width):
    return [tensor(100 + i, l, width) for i, l in enumerate(lengths)]


def java_sequences(lengths, width):
    return "List.of(%s)" % ", ".join("tensor(DType.F64, %d, %d, %d)" % (100 + i, l, width) for i, l in enumerate(lengths))


def pad_packed(method, lengths, batch_first, value, total):
    seqs = sequences(lengths, 2)
    p = pack_sequence(seqs, enforce_sorted=False)
    padded, lens = pad_packed_sequence(p, batch_first=batch_first, padding_value=value, total_length=total)
    backward([padded], [200])
    print("    @Test")
    print("    void %s() {" % method)
    print("        // pad_packed_sequence(pack_sequence(seqs, enforce_sorted=False), batch_first=%s, padding_value=%s,"
          % (batch_first, value))
    print("        //     total_length=%s), PyTorch 1.13" % total)
    print("        List<Tensor> seqs = %s;" % java_sequences(lengths, 2))
    print("        PackedSequence packed = RnnUtils.packSequence(seqs, false);")
    print("        PaddedSequences padded = RnnUtils.padPackedSequence(packed, %s, %s, %s);"
          % ("true" if batch_first else "false", value, "null" if total is None else total))
    print("        backward(200, padded.padded());")
    print()
    emit_packed("packed", p)
    emit_values("padded", "padded.padded()", padded)
    print('        assertArrayEquals(new int[] {%s}, padded.lengths(), "lengths");' % dims(lens.tolist()))
    for i, s in enumerate(seqs):
        emit_values("gradient of sequence %d" % i, "seqs.get(%d).grad()" % i, s.grad)
    end_test()


def layer_over_packed(method, title, java_build, m, lengths, enforce_sorted, with_h0, lstm):
    seqs = sequences(lengths, m.input_size)
    p = pack_sequence(seqs, enforce_sorted=enforce_sorted)
    states = m.num_layers * (2 if m.bidirectional else 1)
    sdims = (states, len(lengths), m.hidden_size)
    h0 = tensor(101, *sdims) if with_h0 else None
    c0 = tensor(102, *sdims) if lstm and with_h0 else None
    out, st = m(p, ((h0, c0) if lstm else h0) if with_h0 else None)
    outs = [out.data] + (list(st) if lstm else [st])
    backward(outs, [200, 201, 202])
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        Recurrent layer = (Recurrent) %s.to(DType.F64);" % java_build)
    emit_load("layer", load_names(m))
    print("        List<Tensor> seqs = %s;" % java_sequences(lengths, m.input_size))
    if with_h0:
        print("        Tensor h0 = tensor(DType.F64, 101, %s);" % dims(sdims))
        if lstm:
            print("        Tensor c0 = tensor(DType.F64, 102, %s);" % dims(sdims))
    state = ("new RecurrentState(h0, c0)" if lstm else "RecurrentState.of(h0)") if with_h0 else "null"
    print("        PackedRecurrentOutput out = layer.forward(RnnUtils.packSequence(seqs, %s), %s);"
          % ("true" if enforce_sorted else "false", state))
    print("        backward(200, out.output().data(), out.hN()%s);" % (", out.cN()" if lstm else ""))
    print()
    emit_packed("out.output()", out)
    emit_values("h_n", "out.hN()", outs[1])
    if lstm:
        emit_values("c_n", "out.cN()", outs[2])
    for i, s in enumerate(seqs):
        emit_values("gradient of sequence %d" % i, "seqs.get(%d).grad()" % i, s.grad)
    if with_h0:
        emit_values("h_0 gradient", "h0.grad()", h0.grad)
        if lstm:
            emit_values("c_0 gradient", "c0.grad()", c0.grad)
    emit_grads("layer", m)
    end_test()


def load_names(m):
    # The weights were loaded before the forward pass; load() only reports their names, seeds and shapes again.
    return [(name, i + 1, list(t.shape)) for i, (name, t) in enumerate(m.named_parameters())]


lstm = torch.nn.LSTM(2, 3, num_layers=2, bidirectional=True)
load(lstm)
gru = torch.nn.GRU(2, 3, batch_first=True)
load(gru)

print("""package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertGradient;
import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RnnUtils}'s packing and the recurrent layers over a {@link PackedSequence} against the numbers PyTorch 1.13
 * printed (models/src/test/pytorch/packed_sequence.py): packed data, batch sizes, sorted and unsorted indices, padded
 * tensors and lengths, outputs, final states and the gradients of the inputs, initial states and weights, in F64 to
 * 1e-12.
 */
class PackedSequencePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }
""")
pack_padded("packPaddedSequenceSortsLongestFirstAsPyTorch", (4, 3, 2), [2, 4, 3], False)
pack_padded("batchFirstPackPaddedSequenceKeepsTiesInBatchOrderAsPyTorch", (4, 3, 2), [3, 1, 3, 3], True)
pad_packed("padPackedSequenceRestoresTheOriginalOrderAsPyTorch", [2, 4, 3], False, 0.0, None)
pad_packed("batchFirstPadPackedSequenceWithTotalLengthAndPaddingValueAsPyTorch", [3, 1, 2], True, -1.5, 5)
layer_over_packed("stackedBidirectionalLstmOverAPackedSequenceMatchesPyTorch",
                  "torch.nn.LSTM(2, 3, num_layers=2, bidirectional=True) on pack_sequence(seqs [2, 4, 3], "
                  "enforce_sorted=False) from (h0, c0)",
                  "LSTM.builder(2, 3).layers(2).bidirectional(true).build()", lstm, [2, 4, 3], False, True, True)
layer_over_packed("batchFirstGruOverASortedPackedSequenceMatchesPyTorch",
                  "torch.nn.GRU(2, 3, batch_first=True) on pack_sequence(seqs [3, 3, 1]) from zeros",
                  "GRU.builder(2, 3).batchFirst(true).build()", gru, [3, 3, 1], True, False, False)
print("}")
