package dev.kiln.nn;

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

    @Test
    void packPaddedSequenceSortsLongestFirstAsPyTorch() {
        // pack_padded_sequence(x, [2, 4, 3], batch_first=False, enforce_sorted=False), PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 4, 3, 2);
        PackedSequence packed = RnnUtils.packPaddedSequence(x, new int[] {2, 4, 3}, false, false);
        backward(200, packed.data());

        assertValues("data", packed.data(),
                -0.2160821764611921, 0.1252073355120042, 0.4076098811753303, 0.4983071306418082,
                -0.48106362150487697, -0.45574486446755513, -0.28705465113650125, -0.48328735754286334,
                -0.45222246812354255, -0.2084702857747436, 0.35464275030375275, 0.04418434305200072,
                0.49754547453289455, 0.34866637819307267, 0.03580403612661126, -0.29389750358370326,
                -0.200799454861187, 0.14141242764921083);
        assertArrayEquals(new long[] {3, 3, 2, 1}, packed.batchSizes(), "batch sizes");
        assertArrayEquals(new long[] {1, 2, 0}, packed.sortedIndices().toLongArray(), "sorted indices");
        assertArrayEquals(new long[] {2, 0, 1}, packed.unsortedIndices().toLongArray(), "unsorted indices");
        assertValues("input gradient", x.grad(),
                -0.4190478157337163, -0.14478755632954673, 0.30346428682833904, -0.023895770213402317,
                -0.3400172731420717, -0.49622333959558507, -0.03228973610574525, -0.3461330154423595,
                0.197568553184381, 0.4470050850418971, 0.4862081407570856, 0.2967399106624448, 0.0, 0.0,
                -0.4971845291388796, -0.41440239005881013, -0.1367203317181236, 0.20526343494370716, 0.0, 0.0,
                0.45070860082187114, 0.4841784692173621, 0.0, 0.0);
    }

    @Test
    void batchFirstPackPaddedSequenceKeepsTiesInBatchOrderAsPyTorch() {
        // pack_padded_sequence(x, [3, 1, 3, 3], batch_first=True, enforce_sorted=False), PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 4, 3, 2);
        PackedSequence packed = RnnUtils.packPaddedSequence(x, new int[] {3, 1, 3, 3}, true, false);
        backward(200, packed.data());

        assertValues("data", packed.data(),
                -0.48106362150487697, -0.45574486446755513, 0.1333287294119987, 0.4124211598374022,
                -0.48537445508342214, -0.4485722161723401, 0.35464275030375275, 0.04418434305200072,
                -0.2160821764611921, 0.1252073355120042, 0.49754547453289455, 0.34866637819307267,
                -0.200799454861187, 0.14141242764921083, 0.4076098811753303, 0.4983071306418082,
                0.03580403612661126, -0.29389750358370326, 0.41711583580606065, 0.4966431487685916);
        assertArrayEquals(new long[] {4, 3, 3}, packed.batchSizes(), "batch sizes");
        assertArrayEquals(new long[] {0, 2, 3, 1}, packed.sortedIndices().toLongArray(), "sorted indices");
        assertArrayEquals(new long[] {0, 3, 1, 2}, packed.unsortedIndices().toLongArray(), "unsorted indices");
        assertValues("input gradient", x.grad(),
                0.30346428682833904, -0.023895770213402317, 0.4862081407570856, 0.2967399106624448,
                -0.1367203317181236, 0.20526343494370716, 0.197568553184381, 0.4470050850418971, 0.0, 0.0, 0.0,
                0.0, -0.3400172731420717, -0.49622333959558507, -0.03228973610574525, -0.3461330154423595,
                0.45070860082187114, 0.4841784692173621, -0.4190478157337163, -0.14478755632954673,
                -0.4971845291388796, -0.41440239005881013, 0.2899316380426379, -0.04067457281033922);
    }

    @Test
    void padPackedSequenceRestoresTheOriginalOrderAsPyTorch() {
        // pad_packed_sequence(pack_sequence(seqs, enforce_sorted=False), batch_first=False, padding_value=0.0,
        //     total_length=None), PyTorch 1.13
        List<Tensor> seqs = List.of(tensor(DType.F64, 100, 2, 2), tensor(DType.F64, 101, 4, 2), tensor(DType.F64, 102, 3, 2));
        PackedSequence packed = RnnUtils.packSequence(seqs, false);
        PaddedSequences padded = RnnUtils.padPackedSequence(packed, false, 0.0, null);
        backward(200, padded.padded());

        assertValues("data", packed.data(),
                -0.26001729668571794, 0.07625552453975468, 0.34195497693374954, 0.4965413914486275,
                -0.48106362150487697, -0.45574486446755513, 0.37666418104875227, 0.4999217876703333,
                0.41759663089195315, 0.1422496496994462, -0.2160821764611921, 0.1252073355120042,
                0.3880583660571447, 0.09368503130805461, -0.1999995644588107, -0.4481858583726791,
                -0.2447498375342068, -0.468075033462435);
        assertArrayEquals(new long[] {3, 3, 2, 1}, packed.batchSizes(), "batch sizes");
        assertArrayEquals(new long[] {1, 2, 0}, packed.sortedIndices().toLongArray(), "sorted indices");
        assertArrayEquals(new long[] {2, 0, 1}, packed.unsortedIndices().toLongArray(), "unsorted indices");
        assertValues("padded", padded.padded(),
                -0.48106362150487697, -0.45574486446755513, -0.26001729668571794, 0.07625552453975468,
                0.34195497693374954, 0.4965413914486275, -0.2160821764611921, 0.1252073355120042,
                0.37666418104875227, 0.4999217876703333, 0.41759663089195315, 0.1422496496994462, 0.0, 0.0,
                0.3880583660571447, 0.09368503130805461, -0.1999995644588107, -0.4481858583726791, 0.0, 0.0,
                -0.2447498375342068, -0.468075033462435, 0.0, 0.0);
        assertArrayEquals(new int[] {2, 4, 3}, padded.lengths(), "lengths");
        assertValues("gradient of sequence 0", seqs.get(0).grad(),
                0.30346428682833904, -0.023895770213402317, 0.197568553184381, 0.4470050850418971);
        assertValues("gradient of sequence 1", seqs.get(1).grad(),
                -0.3400172731420717, -0.49622333959558507, 0.4862081407570856, 0.2967399106624448,
                -0.1367203317181236, 0.20526343494370716, -0.35215089651288256, -0.49800515107587917);
        assertValues("gradient of sequence 2", seqs.get(2).grad(),
                -0.4190478157337163, -0.14478755632954673, -0.03228973610574525, -0.3461330154423595,
                0.45070860082187114, 0.4841784692173621);
    }

    @Test
    void batchFirstPadPackedSequenceWithTotalLengthAndPaddingValueAsPyTorch() {
        // pad_packed_sequence(pack_sequence(seqs, enforce_sorted=False), batch_first=True, padding_value=-1.5,
        //     total_length=5), PyTorch 1.13
        List<Tensor> seqs = List.of(tensor(DType.F64, 100, 3, 2), tensor(DType.F64, 101, 1, 2), tensor(DType.F64, 102, 2, 2));
        PackedSequence packed = RnnUtils.packSequence(seqs, false);
        PaddedSequences padded = RnnUtils.padPackedSequence(packed, true, -1.5, 5);
        backward(200, padded.padded());

        assertValues("data", packed.data(),
                -0.48106362150487697, -0.45574486446755513, 0.34195497693374954, 0.4965413914486275,
                -0.26001729668571794, 0.07625552453975468, -0.2160821764611921, 0.1252073355120042,
                0.41759663089195315, 0.1422496496994462, 0.4076098811753303, 0.4983071306418082);
        assertArrayEquals(new long[] {3, 2, 1}, packed.batchSizes(), "batch sizes");
        assertArrayEquals(new long[] {0, 2, 1}, packed.sortedIndices().toLongArray(), "sorted indices");
        assertArrayEquals(new long[] {0, 2, 1}, packed.unsortedIndices().toLongArray(), "unsorted indices");
        assertValues("padded", padded.padded(),
                -0.48106362150487697, -0.45574486446755513, -0.2160821764611921, 0.1252073355120042,
                0.4076098811753303, 0.4983071306418082, -1.5, -1.5, -1.5, -1.5, -0.26001729668571794,
                0.07625552453975468, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5, 0.34195497693374954,
                0.4965413914486275, 0.41759663089195315, 0.1422496496994462, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5);
        assertArrayEquals(new int[] {3, 1, 2}, padded.lengths(), "lengths");
        assertValues("gradient of sequence 0", seqs.get(0).grad(),
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507,
                -0.4190478157337163, -0.14478755632954673);
        assertValues("gradient of sequence 1", seqs.get(1).grad(),
                -0.03228973610574525, -0.3461330154423595);
        assertValues("gradient of sequence 2", seqs.get(2).grad(),
                -0.35215089651288256, -0.49800515107587917, -0.4096398015427598, -0.1286144525455957);
    }

}
