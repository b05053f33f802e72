"""Prints PackedSequencePyTorchParityTest: pack_padded_sequence, pack_sequence and pad_packed_sequence, in float64, PyTorch 1.13 (run with /usr/bin/python3, redirect into the test's file)."""
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


print("""package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RnnUtils}'s packing against the numbers PyTorch 1.13 printed (models/src/test/pytorch/packed_sequence.py):
 * packed data, batch sizes, sorted and unsorted indices, padded tensors, lengths and gradients, in F64 to 1e-12.
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
print("}")
