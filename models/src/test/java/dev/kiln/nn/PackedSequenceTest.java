package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link RnnUtils}'s packed sequences and the recurrent layers' packed forward: round trips, PyTorch's refusals,
 * gradient checks of packing and padding, and agreement with the padded forward with lengths.
 */
class PackedSequenceTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(5);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    private static List<Tensor> sequences(int... lengths) {
        return java.util.stream.IntStream.range(0, lengths.length)
                .mapToObj(i -> tensor(DType.F64, 10 + i, lengths[i], 2)).toList();
    }

    private static void assertSameValues(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape().dims(), actual.shape().dims());
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0);
    }

    @Test
    void unpackSequenceGivesBackPackSequencesInputsInTheirOrder() {
        List<Tensor> seqs = sequences(2, 5, 1, 5);
        List<Tensor> back = RnnUtils.unpackSequence(RnnUtils.packSequence(seqs, false));
        assertEquals(seqs.size(), back.size());
        for (int i = 0; i < seqs.size(); i++) {
            assertSameValues(seqs.get(i), back.get(i));
        }
    }

    @Test
    void padPackedSequenceUndoesPackPaddedSequenceUpToThePadding() {
        Tensor x = tensor(DType.F64, 1, 3, 4, 2);
        int[] lengths = {4, 2, 3};
        PaddedSequences padded = RnnUtils.padPackedSequence(RnnUtils.packPaddedSequence(x, lengths, true, false), true);
        assertArrayEquals(lengths, padded.lengths());
        List<Tensor> original = RnnUtils.unpadSequence(x, lengths, true);
        List<Tensor> roundTrip = RnnUtils.unpadSequence(padded.padded(), lengths, true);
        for (int i = 0; i < lengths.length; i++) {
            assertSameValues(original.get(i), roundTrip.get(i));
        }
    }

    @Test
    void unpadSequenceCutsEachTimeMajorColumnToItsLength() {
        List<Tensor> seqs = sequences(3, 1, 2);
        List<Tensor> back = RnnUtils.unpadSequence(RnnUtils.padSequence(seqs, false, 0), new int[] {3, 1, 2}, false);
        for (int i = 0; i < seqs.size(); i++) {
            assertSameValues(seqs.get(i), back.get(i));
        }
    }

    @Test
    void enforceSortedPacksInBatchOrderWithoutIndices() {
        PackedSequence packed = RnnUtils.packSequence(sequences(3, 3, 1), true);
        assertArrayEquals(new long[] {3, 2, 2}, packed.batchSizes());
        assertEquals(null, packed.sortedIndices());
        assertEquals(null, packed.unsortedIndices());
        assertArrayEquals(new int[] {3, 3, 1}, RnnUtils.padPackedSequence(packed, false).lengths());
    }

    @Test
    void packPaddedSequenceRefusesUnsortedLengthsWhenSortingIsEnforced() {
        String m = message(() -> RnnUtils.packPaddedSequence(tensor(DType.F64, 1, 3, 2, 1), new int[] {1, 3}, false,
                true));
        assertTrue(m.contains("[1, 3]") && m.contains("decreasing") && m.contains("enforceSorted"), m);
    }

    @Test
    void packPaddedSequenceRefusesAnEmptySequence() {
        String m = message(() -> RnnUtils.packPaddedSequence(tensor(DType.F64, 1, 3, 2, 1), new int[] {3, 0}, false,
                false));
        assertTrue(m.contains("length 0 of sequence 1") && m.contains("[1, 3]"), m);
    }

    @Test
    void packPaddedSequenceRefusesALengthPastThePaddedLength() {
        String m = message(() -> RnnUtils.packPaddedSequence(tensor(DType.F64, 1, 2, 2, 1), new int[] {3, 2}, true,
                false));
        assertTrue(m.contains("length 3 of sequence 0") && m.contains("[1, 2]"), m);
    }

    @Test
    void packPaddedSequenceRefusesALengthCountOtherThanTheBatch() {
        String m = message(() -> RnnUtils.packPaddedSequence(tensor(DType.F64, 1, 3, 2, 1), new int[] {3}, false,
                false));
        assertTrue(m.contains("1 lengths for a batch of 2"), m);
    }

    @Test
    void padPackedSequenceRefusesATotalLengthShorterThanTheLongestSequence() {
        PackedSequence packed = RnnUtils.packSequence(sequences(3, 1), false);
        String m = message(() -> RnnUtils.padPackedSequence(packed, false, 0, 2));
        assertTrue(m.contains("totalLength 2") && m.contains("longest sequence's length 3"), m);
    }

    @Test
    void packedSequenceRefusesDataThatTheBatchSizesDoNotAddUpTo() {
        String m = message(() -> new PackedSequence(tensor(DType.F64, 1, 5, 2), new long[] {3, 1}, null, null));
        assertTrue(m.contains("data [5, 2] must be [4, *]"), m);
    }

    @Test
    void packedSequenceRefusesIncreasingBatchSizes() {
        String m = message(() -> new PackedSequence(tensor(DType.F64, 1, 5, 2), new long[] {2, 3}, null, null));
        assertTrue(m.contains("[2, 3] must be positive and non-increasing"), m);
    }

    @Test
    void packAndPadPassFiniteDifferenceGradientChecks() {
        Tensor x = tensor(DType.F64, 3, 4, 3, 2);
        GradCheck.check("packPaddedSequence", in -> RnnUtils.packPaddedSequence(in[0], new int[] {2, 4, 1}, false,
                false).data(), x);
        GradCheck.check("padPackedSequence", in -> RnnUtils.padPackedSequence(
                new PackedSequence(in[0], new long[] {3, 2, 1}, null, null), true, -1, 4).padded(),
                tensor(DType.F64, 4, 6, 2));
        GradCheck.check("packSequence then unpackSequence", in -> Tensor.cat(RnnUtils.unpackSequence(
                RnnUtils.packSequence(List.of(in[0], in[1]), false)), 0),
                tensor(DType.F64, 5, 1, 2), tensor(DType.F64, 6, 3, 2));
    }

    @Test
    void lstmOverAPackedSequenceMatchesTheForwardWithLengths() {
        LSTM lstm = (LSTM) LSTM.builder(2, 3).bidirectional(true).batchFirst(true).build().to(DType.F64);
        List<Tensor> seqs = sequences(2, 4, 3);
        RecurrentState initial = new RecurrentState(tensor(DType.F64, 7, 2, 3, 3), tensor(DType.F64, 8, 2, 3, 3));
        PackedSequence packed = RnnUtils.packSequence(seqs, false);
        PackedRecurrentOutput out = lstm.forward(packed, initial);
        RecurrentOutput padded = lstm.forward(RnnUtils.padSequence(seqs, true, 0), initial, new int[] {2, 4, 3});

        assertSameValues(padded.hN(), out.hN());
        assertSameValues(padded.cN(), out.cN());
        assertSameValues(RnnUtils.packPaddedSequence(padded.output(), new int[] {2, 4, 3}, true, false).data(),
                out.output().data());
        assertSame(packed.sortedIndices(), out.output().sortedIndices());
        assertArrayEquals(packed.batchSizes(), out.output().batchSizes());
    }

    @Test
    void gruOverAPackedSequenceGivesTheSameWithoutGradients() {
        GRU gru = (GRU) GRU.builder(2, 3).batchFirst(true).build().to(DType.F64);
        PackedSequence packed = RnnUtils.packSequence(sequences(1, 3, 2), false);
        PackedRecurrentOutput withGradients = gru.forward(packed);
        try (var noGrad = Autograd.noGrad()) {
            PackedRecurrentOutput without = gru.forward(packed);
            assertSameValues(withGradients.output().data(), without.output().data());
            assertSameValues(withGradients.hN(), without.hN());
        }
    }
}
