package dev.kiln.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.TransformerLayerOptions;
import dev.kiln.optim.Adam;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransformerSeq2SeqTest {
    private static final int VOCABULARY = 9;

    /** A small F64 model in evaluation mode, for exact comparisons. */
    private static TransformerSeq2Seq smallF64Model(long seed) {
        return smallF64Model(seed, 12);
    }

    private static TransformerSeq2Seq smallF64Model(long seed, int maxLength) {
        Engine.seed(seed);
        TransformerSeq2Seq model = new TransformerSeq2Seq(
                new TransformerSeq2Seq.Config(VOCABULARY, VOCABULARY, 8, 2, 16, 2, 2, 0.1, maxLength));
        model.to(DType.F64);
        model.eval();
        return model;
    }

    /** A model of maxLength 6 that never writes EOS: its output layer's EOS bias is far below every other score. */
    private static TransformerSeq2Seq neverEndingModel() {
        TransformerSeq2Seq model = smallF64Model(48, 6);
        Tensor bias = model.namedParameters().get("output.bias");
        double[] b = bias.toDoubleArray();
        b[Seq2SeqModel.EOS] = -1e9;
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            bias.assign(Tensor.fromArray(b, b.length));
        }
        return model;
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + ": element " + i);
        }
    }

    /** Row {@code b} of logits [batch, T, V], positions [from, from + count). */
    private static double[] rows(Tensor logits, int b, int from, int count) {
        return logits.narrow(0, b, 1).narrow(1, from, count).toDoubleArray();
    }

    @Test
    void stepByStepDecodingGivesTheTeacherForcedLogitsAtEveryPosition() {
        try (TransformerSeq2Seq model = smallF64Model(41); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5, 6}, new int[] {7, 8}));
            long[] inputs = {Seq2SeqModel.BOS, 5, 6, 7, 8, Seq2SeqModel.BOS, 8, 3, 4, 4};
            Tensor teacherForced = model.logits(source, Tensor.fromArray(inputs, 2, 5), 1.0);

            DecoderState state = model.start(source);
            for (int t = 0; t < 5; t++) {
                Step step = model.step(state, Tensor.fromArray(new long[] {inputs[t], inputs[5 + t]}, 2));
                assertArrayEquals(new int[] {2, VOCABULARY}, step.logits().shape().dims());
                for (int b = 0; b < 2; b++) {
                    assertClose(rows(teacherForced, b, t, 1), step.logits().narrow(0, b, 1).toDoubleArray(), 1e-10,
                            "sequence " + b + ", step " + t);
                }
                state = step.next();
            }
        }
    }

    @Test
    void postNormGeluStepByStepDecodingGivesTheTeacherForcedLogitsAtEveryPosition() {
        Engine.seed(42);
        TransformerLayerOptions layers = TransformerLayerOptions.postNorm().withActivation("gelu");
        try (TransformerSeq2Seq model = new TransformerSeq2Seq(
                new TransformerSeq2Seq.Config(VOCABULARY, VOCABULARY, 8, 2, 16, 2, 2, 0.1, 12), layers);
             Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            model.to(DType.F64);
            model.eval();
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5, 6}, new int[] {7, 8}));
            long[] inputs = {Seq2SeqModel.BOS, 5, 6, 7, 8, Seq2SeqModel.BOS, 8, 3, 4, 4};
            Tensor teacherForced = model.logits(source, Tensor.fromArray(inputs, 2, 5), 1.0);

            DecoderState state = model.start(source);
            for (int t = 0; t < 5; t++) {
                Step step = model.step(state, Tensor.fromArray(new long[] {inputs[t], inputs[5 + t]}, 2));
                for (int b = 0; b < 2; b++) {
                    assertClose(rows(teacherForced, b, t, 1), step.logits().narrow(0, b, 1).toDoubleArray(), 1e-10,
                            "sequence " + b + ", step " + t);
                }
                state = step.next();
            }
        }
    }

    @Test
    void theDefaultModelKeepsPreNormStacksWithFinalNorms() {
        try (TransformerSeq2Seq model = smallF64Model(43)) {
            assertTrue(model.namedParameters().containsKey("encoder.norm.weight"));
            assertTrue(model.namedParameters().containsKey("decoder.norm.weight"));
        }
    }

    @Test
    void paddingTheSourceChangesNoLogitsOfTheRealSequence() {
        try (TransformerSeq2Seq model = smallF64Model(42); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor inputs = Tensor.fromArray(new long[] {Seq2SeqModel.BOS, 4, 5, 6}, 1, 4);
            Tensor alone = model.logits(SourceBatch.of(List.of(new int[] {3, 5, 7})), inputs, 1.0);
            // The same sequence padded to 6 positions beside a longer one.
            SourceBatch padded = SourceBatch.of(List.of(new int[] {3, 5, 7}, new int[] {8, 7, 6, 5, 4, 3}));
            Tensor both = model.logits(padded, Tensor.cat(List.of(inputs, inputs), 0), 1.0);
            assertClose(alone.toDoubleArray(), rows(both, 0, 0, 4), 1e-10, "padded sequence");
        }
    }

    @Test
    void aLaterDecoderInputChangesNoEarlierLogits() {
        try (TransformerSeq2Seq model = smallF64Model(43); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5}));
            Tensor a = model.logits(source, Tensor.fromArray(new long[] {Seq2SeqModel.BOS, 5, 4, 3, 6}, 1, 5), 1.0);
            Tensor b = model.logits(source, Tensor.fromArray(new long[] {Seq2SeqModel.BOS, 5, 4, 8, 8}, 1, 5), 1.0);
            assertClose(rows(a, 0, 0, 3), rows(b, 0, 0, 3), 1e-12, "positions 0..2, which read inputs 0..2 only");
            assertNotEquals(rows(a, 0, 3, 1)[0], rows(b, 0, 3, 1)[0], "position 3 reads the changed input 3");
        }
    }

    @Test
    void rejectsTeacherForcingBelowOne() {
        try (TransformerSeq2Seq model = smallF64Model(44); Scope s = Scope.open()) {
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4}));
            Tensor inputs = Tensor.fromArray(new long[] {Seq2SeqModel.BOS, 5}, 1, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.logits(source, inputs, 0.5));
            assertTrue(e.getMessage().contains("teacherForcing must be 1") && e.getMessage().contains("0.5"), e.getMessage());
        }
    }

    @Test
    void eachStepReportsTheCrossAttentionOverTheRealSourcePositions() {
        try (TransformerSeq2Seq model = smallF64Model(45); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5, 6}, new int[] {7, 8}));
            Step step = model.step(model.start(source), Tensor.fromArray(new long[] {Seq2SeqModel.BOS, Seq2SeqModel.BOS}, 2));
            step = model.step(step.next(), Tensor.fromArray(new long[] {5, 6}, 2));
            assertArrayEquals(new int[] {2, 4}, step.attention().shape().dims());
            double[] w = step.attention().toDoubleArray();
            assertEquals(1.0, w[0] + w[1] + w[2] + w[3], 1e-12);
            assertEquals(1.0, w[4] + w[5], 1e-12);
            assertEquals(0.0, w[6], "padded position 2 of sequence 1");
            assertEquals(0.0, w[7], "padded position 3 of sequence 1");
        }
    }

    @Test
    void selectingRowsOfTheStateFollowsThoseRows() {
        try (TransformerSeq2Seq model = smallF64Model(46); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5, 6}, new int[] {7, 8}));
            Step first = model.step(model.start(source), Tensor.fromArray(new long[] {Seq2SeqModel.BOS, Seq2SeqModel.BOS}, 2));
            Tensor whole = model.step(first.next(), Tensor.fromArray(new long[] {5, 6}, 2)).logits();

            DecoderState reordered = first.next().select(Tensor.fromArray(new long[] {1, 0, 1}, 3));
            Tensor selected = model.step(reordered, Tensor.fromArray(new long[] {6, 5, 6}, 3)).logits();
            double[] row0 = whole.narrow(0, 0, 1).toDoubleArray();
            double[] row1 = whole.narrow(0, 1, 1).toDoubleArray();
            assertClose(row1, selected.narrow(0, 0, 1).toDoubleArray(), 1e-12, "selected row 0 (was 1)");
            assertClose(row0, selected.narrow(0, 1, 1).toDoubleArray(), 1e-12, "selected row 1 (was 0)");
            assertClose(row1, selected.narrow(0, 2, 1).toDoubleArray(), 1e-12, "selected row 2 (was 1)");
        }
    }

    @Test
    void aCopyScoresLikeTheOriginal() {
        try (TransformerSeq2Seq model = smallF64Model(47); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5}));
            Tensor inputs = Tensor.fromArray(new long[] {Seq2SeqModel.BOS, 5, 4}, 1, 3);
            try (TransformerSeq2Seq copy = (TransformerSeq2Seq) model.copy()) {
                assertEquals(model.stateDict().keySet(), copy.stateDict().keySet());
                assertClose(model.logits(source, inputs, 1.0).toDoubleArray(), copy.logits(source, inputs, 1.0).toDoubleArray(),
                        0, "logits of the copy");
            }
        }
    }

    @Test
    void greedyDecodingStopsUnfinishedAtMaxLength() {
        try (TransformerSeq2Seq model = neverEndingModel(); Scope s = Scope.open()) {
            Hypothesis h = Decoding.greedy(model, SourceBatch.of(List.of(new int[] {3, 4, 5})), 20).get(0);
            assertEquals(6, h.tokens().length);
            assertFalse(h.finished());
            assertEquals(6, model.maxDecodingSteps());
        }
    }

    @Test
    void beamSearchStopsUnfinishedAtMaxLength() {
        try (TransformerSeq2Seq model = neverEndingModel(); Scope s = Scope.open()) {
            Hypothesis h = BeamSearch.decode(model, SourceBatch.of(List.of(new int[] {3, 4, 5})), 3, 20, 1).get(0);
            assertEquals(6, h.tokens().length);
            assertFalse(h.finished());
        }
    }

    @Test
    void forwardDecodesAtMostMaxLengthTokens() {
        try (TransformerSeq2Seq model = neverEndingModel(); Scope s = Scope.open()) {
            Tensor ids = model.forward(Tensor.fromArray(new long[] {3, 4, 5}, 1, 3));
            assertArrayEquals(new int[] {1, 6}, ids.shape().dims());
        }
    }

    @Test
    void aStepPastMaxLengthIsRejectedNamingIt() {
        try (TransformerSeq2Seq model = neverEndingModel(); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            DecoderState state = model.start(SourceBatch.of(List.of(new int[] {3, 4, 5})));
            Tensor previous = Tensor.fromArray(new long[] {Seq2SeqModel.BOS}, 1);
            for (int t = 0; t < 6; t++) {
                state = model.step(state, previous).next();
            }
            DecoderState full = state;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.step(full, previous));
            assertTrue(e.getMessage().startsWith("TransformerSeq2Seq: ") && e.getMessage().contains("maxLength 6"),
                    e.getMessage());
        }
    }

    // ---- Learning a toy task ----------------------------------------------------------------------------------

    private static final int FIRST_TOKEN = Seq2SeqModel.EOS + 1;
    private static final int TOY_TOKENS = 10;

    private static List<int[]> randomSequences(Random random, int count) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] seq = new int[3 + random.nextInt(4)];
            for (int t = 0; t < seq.length; t++) {
                seq[t] = FIRST_TOKEN + random.nextInt(TOY_TOKENS);
            }
            out.add(seq);
        }
        return out;
    }

    private static int[] reversed(int[] seq) {
        int[] r = new int[seq.length];
        for (int t = 0; t < seq.length; t++) {
            r[t] = seq[seq.length - 1 - t];
        }
        return r;
    }

    /** Exact-match accuracy of greedy decoding on reversing {@code sources}. */
    static double reversalAccuracy(Seq2SeqModel model, List<int[]> sources) {
        List<Hypothesis> decoded = Decoding.greedy(model, SourceBatch.of(sources), 10);
        int correct = 0;
        for (int i = 0; i < sources.size(); i++) {
            correct += Arrays.equals(reversed(sources.get(i)), decoded.get(i).tokens()) ? 1 : 0;
        }
        return (double) correct / sources.size();
    }

    /**
     * Reversing 3-6 tokens out of 10: 300 Adam steps of 32 sequences, one encoder and one decoder layer of
     * width 32. Measured exact-match accuracy on 200 held-out sequences, seed 7: untrained 0.00, trained 0.95
     * (seeds 1-5: 0.86-0.97); without the causal mask (the decoder copies the gold answer in training)
     * 0.00, without the positional encoding 0.015. The floor sits between.
     */
    @Test
    void learnsToReverseShortSequences() {
        Engine.seed(7);
        Random random = new Random(7);
        int vocabulary = FIRST_TOKEN + TOY_TOKENS;
        int batch = 32;
        List<int[]> heldOut = randomSequences(new Random(99), 200);
        try (TransformerSeq2Seq model = new TransformerSeq2Seq(
                new TransformerSeq2Seq.Config(vocabulary, vocabulary, 32, 4, 64, 1, 1, 0.0, 10));
             Adam adam = new Adam(model.parameters(), 2e-3)) {
            double untrained = reversalAccuracy(model, heldOut);
            for (int step = 0; step < 300; step++) {
                List<int[]> sources = randomSequences(random, batch);
                int steps = sources.stream().mapToInt(a -> a.length).max().orElseThrow() + 1;
                long[] inputs = new long[batch * steps];
                long[] targets = new long[batch * steps];
                for (int b = 0; b < batch; b++) {
                    int[] answer = reversed(sources.get(b));
                    inputs[b * steps] = Seq2SeqModel.BOS;
                    for (int t = 0; t < answer.length; t++) {
                        inputs[b * steps + t + 1] = answer[t];
                        targets[b * steps + t] = answer[t];
                    }
                    targets[b * steps + answer.length] = Seq2SeqModel.EOS;
                }
                try (Scope s = Scope.open()) {
                    adam.zeroGrad();
                    Tensor logits = model.logits(SourceBatch.of(sources), Tensor.fromArray(inputs, batch, steps), 1.0);
                    SequenceLoss.crossEntropy(logits, Tensor.fromArray(targets, batch, steps)).backward();
                    adam.step();
                }
            }
            double trained = reversalAccuracy(model, heldOut);
            System.out.printf("TransformerSeq2Seq reversal: exact match untrained %.3f, trained %.3f%n", untrained, trained);
            assertTrue(untrained < 0.1, "an untrained model already reverses " + untrained + " of the sequences");
            assertTrue(trained >= 0.7, "exact-match accuracy after training " + trained + " is below the floor 0.7");
        }
    }
}
