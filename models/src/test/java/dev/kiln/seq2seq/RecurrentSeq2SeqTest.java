package dev.kiln.seq2seq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Adam;
import dev.kiln.seq2seq.RecurrentSeq2Seq.Cell;
import dev.kiln.seq2seq.RecurrentSeq2Seq.Score;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecurrentSeq2SeqTest {
    private static final int SOURCE_VOCABULARY = 9;
    private static final int TARGET_VOCABULARY = 10;

    @BeforeEach
    void seed() {
        Engine.seed(3);
    }

    @Test
    void paddingTheSourceChangesNoLogitsForEveryAttention() {
        for (Score score : Score.values()) {
            for (Cell cell : Cell.values()) {
                try (Scope s = Scope.open(); RecurrentSeq2Seq model = model(cell, score, 0)) {
                    model.eval();
                    Tensor inputs = Tensor.fromArray(new long[] {Seq2SeqModel.BOS, 4, 5}, 1, 3);
                    int[] word = {3, 4, 5};
                    Tensor alone = model.logits(SourceBatch.of(List.of(word)), inputs, 1);
                    SourceBatch padded = SourceBatch.of(List.of(word, new int[] {2, 3, 4, 5, 6, 7}));
                    Tensor both = model.logits(padded, Tensor.cat(List.of(inputs, inputs), 0), 1);
                    assertClose(alone.toDoubleArray(), both.narrow(0, 0, 1).toDoubleArray(), 1e-5, cell + " " + score);
                }
            }
        }
    }

    @Test
    void stepByStepDecodingGivesTheTeacherForcedLogits() {
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = model(Cell.LSTM, Score.ADDITIVE, 0.3)) {
            model.eval();
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5, 6}, new int[] {2, 8}));
            long[] tokens = {Seq2SeqModel.BOS, 5, 6, 7, Seq2SeqModel.BOS, 9, 3, 4};
            Tensor forced = model.logits(source, Tensor.fromArray(tokens, 2, 4), 1);
            DecoderState state = model.start(source);
            for (int t = 0; t < 4; t++) {
                Step step = model.step(state, Tensor.fromArray(new long[] {tokens[t], tokens[4 + t]}, 2));
                assertClose(forced.narrow(1, t, 1).toDoubleArray(), step.logits().toDoubleArray(), 1e-5, "step " + t);
                double[] w = step.attention().toDoubleArray();
                assertEquals(0.0, w[4 + 2] + w[4 + 3], 0, "the second word's padding gets no attention");
                state = step.next();
            }
        }
    }

    @Test
    void withoutTeacherForcingTheDecoderReadsItsOwnGuesses() {
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = model(Cell.GRU, Score.DOT, 0)) {
            model.eval();
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5}));
            Tensor gold = Tensor.fromArray(new long[] {Seq2SeqModel.BOS, 5, 6}, 1, 3);
            Tensor free = model.logits(source, gold, 0);
            DecoderState state = model.start(source);
            long previous = Seq2SeqModel.BOS;
            for (int t = 0; t < 3; t++) {
                Step step = model.step(state, Tensor.fromArray(new long[] {previous}, 1));
                assertClose(free.narrow(1, t, 1).toDoubleArray(), step.logits().toDoubleArray(), 1e-5, "step " + t);
                previous = step.logits().argmax(1, false).toLongArray()[0];
                state = step.next();
            }
        }
    }

    /**
     * With a teacher forcing ratio between 0 and 1, each step after the first reads, per sequence, the gold token when
     * a uniform draw falls below the ratio or the gold token is padding, else the last step's best guess: the
     * reference replays the same draws on the host (the engine reseeded), step by step.
     */
    @Test
    void partialTeacherForcingFeedsGoldOrGuessByEachDrawAndKeepsPadding() {
        double ratio = 0.5;
        long pad = Seq2SeqModel.PAD;
        long[] gold = {Seq2SeqModel.BOS, 5, 6, 7, 8, Seq2SeqModel.BOS, 9, 3, pad, pad, Seq2SeqModel.BOS, 4, pad, pad, pad};
        int batch = 3;
        int steps = 5;
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = model(Cell.GRU, Score.GENERAL, 0)) {
            model.eval();
            try (Autograd.Guard g = Autograd.noGrad()) {
                // Untrained weights guess token 0 everywhere; larger ones make the guesses differ from step to step.
                model.parameters().forEach(p -> p.assign(p.mul(4)));
            }
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5}, new int[] {2, 8}, new int[] {6}));
            Engine.seed(11);
            Tensor mixed = model.logits(source, Tensor.fromArray(gold, batch, steps), ratio);
            Engine.seed(11);
            DecoderState state = model.start(source);
            long[] tokens = {gold[0], gold[steps], gold[2 * steps]};
            for (int t = 0; t < steps; t++) {
                Step step = model.step(state, Tensor.fromArray(tokens, batch));
                assertClose(mixed.narrow(1, t, 1).toDoubleArray(), step.logits().toDoubleArray(), 1e-5, "step " + t);
                if (t + 1 < steps) {
                    long[] guess = step.logits().argmax(1, false).toLongArray();
                    float[] coin = Tensor.rand(batch).toFloatArray();
                    for (int b = 0; b < batch; b++) {
                        long g = gold[b * steps + t + 1];
                        tokens[b] = g == pad || coin[b] < ratio ? g : guess[b];
                    }
                }
                state = step.next();
            }
        }
    }

    @Test
    void theModelWithoutAttentionReportsNoWeights() {
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = model(Cell.LSTM, Score.NONE, 0)) {
            Step step = model.step(model.start(SourceBatch.of(List.of(new int[] {3, 4}))), Tensor.fromArray(new long[] {1}, 1));
            assertNull(step.attention());
            assertTrue(!model.namedModules().containsKey("attention"));
        }
    }

    @Test
    void gradientsThroughEncoderAttentionAndDecoderMatchFiniteDifferences() {
        for (Score score : List.of(Score.ADDITIVE, Score.GENERAL)) {
            try (Scope s = Scope.open()) {
                RecurrentSeq2Seq model = (RecurrentSeq2Seq) new RecurrentSeq2Seq(new RecurrentSeq2Seq.Config(6, 6, Cell.LSTM,
                        score, 3, 4, 1, 0)).to(DType.F64);
                model.eval();
                SourceBatch source = SourceBatch.of(List.of(new int[] {2, 3, 4}, new int[] {5, 2}));
                Tensor inputs = Tensor.fromArray(new long[] {1, 3, 4, 1, 5, 0}, 2, 3);
                List<Tensor> checked = new ArrayList<>();
                for (String name : List.of("encoder.weight_ih_l0", "encoder.weight_hh_l0_reverse", "bridge.weight",
                        "cell.weight_hh", "attention.key.weight", "attention.linear_in.weight", "combine.weight", "out.bias")) {
                    Tensor p = model.namedParameters().get(name);
                    if (p != null) {
                        checked.add(p);
                    }
                }
                GradCheck.check("RecurrentSeq2Seq " + score, in -> model.logits(source, inputs, 1), checked.toArray(new Tensor[0]));
                model.close();
            }
        }
    }

    @Test
    void learnsToReverseShortSequencesAndBeamSearchKeepsTheBeamsOfEachSequenceApart() {
        double[] untrained = exactMatchAfterTraining(0);
        double[] trained = exactMatchAfterTraining(300);
        assertTrue(untrained[0] < 0.05, "an untrained model reverses almost nothing: " + untrained[0]);
        System.out.printf("reversal exact match: untrained %.2f, trained greedy %.2f, beam %.2f%n", untrained[0], trained[0], trained[1]);
        assertTrue(trained[0] > 0.8, "after 300 steps most sequences are reversed exactly (greedy): " + trained[0]);
        assertTrue(trained[1] > 0.8, "and by a beam of 4 over the same batch: " + trained[1]);
    }

    @Test
    void badSettingsAreRejectedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RecurrentSeq2Seq.Config(9, 10, Cell.LSTM, Score.DOT, 8, 15, 1, 0));
        assertTrue(e.getMessage().contains("hidden 15"), e.getMessage());
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = model(Cell.LSTM, Score.DOT, 0)) {
            SourceBatch source = SourceBatch.of(List.of(new int[] {3}));
            assertThrows(IllegalArgumentException.class, () -> model.logits(source, Tensor.fromArray(new long[] {1}, 1, 1), 1.5));
        }
    }

    @Test
    void aStepRejectsPreviousTokensThatAreNotOnePerRowOfTheState() {
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = model(Cell.GRU, Score.DOT, 0)) {
            DecoderState state = model.start(SourceBatch.of(List.of(new int[] {3, 4}, new int[] {5})));
            for (Tensor previous : List.of(Tensor.fromArray(new long[] {1, 1, 1}, 3), Tensor.fromArray(new long[] {1, 1}, 2, 1))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.step(state, previous));
                assertTrue(e.getMessage().contains("previous tokens " + previous.shape()) && e.getMessage().contains("[2]"),
                        e.getMessage());
            }
        }
    }

    @Test
    void aStepRejectsAStateThatIsNotItsOwn() {
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = model(Cell.GRU, Score.DOT, 0);
             TransformerSeq2Seq other = new TransformerSeq2Seq(new TransformerSeq2Seq.Config(9, 10, 8, 2, 16, 1, 1, 0, 8))) {
            DecoderState foreign = other.start(SourceBatch.of(List.of(new int[] {3})));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.step(foreign, Tensor.fromArray(new long[] {1}, 1)));
            assertTrue(e.getMessage().contains("state from start()") && e.getMessage().contains("TransformerSeq2Seq$State"),
                    e.getMessage());
        }
    }

    /** Exact-match accuracy on 100 fresh sequences, greedy and by a beam of 4, after {@code steps} Adam steps on reversal. */
    static double[] exactMatchAfterTraining(int steps) {
        Engine.seed(5);
        java.util.Random random = new java.util.Random(5);
        try (RecurrentSeq2Seq model = new RecurrentSeq2Seq(new RecurrentSeq2Seq.Config(SOURCE_VOCABULARY, TARGET_VOCABULARY,
                Cell.LSTM, Score.DOT, 16, 32, 1, 0)); Adam adam = new Adam(model.trainableParameters(), 0.02)) {
            for (int i = 0; i < steps; i++) {
                List<int[]> batch = Reversal.sequences(random, 32);
                try (Scope s = Scope.open()) {
                    Tensor loss = SequenceLoss.crossEntropy(model.logits(SourceBatch.of(batch), Reversal.decoderInputs(batch), 1),
                            Reversal.targets(batch));
                    loss.backward();
                    adam.step();
                    adam.zeroGrad();
                }
            }
            List<int[]> test = Reversal.sequences(new java.util.Random(99), 100);
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                return new double[] {exactMatch(Decoding.greedy(model, SourceBatch.of(test), 12), test),
                        exactMatch(BeamSearch.decode(model, SourceBatch.of(test), 4, 12, 1), test)};
            }
        }
    }

    private static double exactMatch(List<Hypothesis> out, List<int[]> sources) {
        int right = 0;
        for (int i = 0; i < sources.size(); i++) {
            right += java.util.Arrays.equals(out.get(i).tokens(), Reversal.reversed(sources.get(i))) ? 1 : 0;
        }
        return right / (double) sources.size();
    }

    private static RecurrentSeq2Seq model(Cell cell, Score score, double dropout) {
        return new RecurrentSeq2Seq(new RecurrentSeq2Seq.Config(SOURCE_VOCABULARY, TARGET_VOCABULARY, cell, score, 8, 12, 2, dropout));
    }

    static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + ", element " + i);
        }
    }

    /** The toy task: source tokens 2..8, the target is the source reversed with every id shifted up by 1 (3..9). */
    static final class Reversal {
        static List<int[]> sequences(java.util.Random random, int n) {
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int[] s = new int[3 + random.nextInt(4)];
                for (int t = 0; t < s.length; t++) {
                    s[t] = 2 + random.nextInt(SOURCE_VOCABULARY - 2);
                }
                out.add(s);
            }
            return out;
        }

        static int[] reversed(int[] s) {
            int[] r = new int[s.length];
            for (int t = 0; t < s.length; t++) {
                r[t] = s[s.length - 1 - t] + 1;
            }
            return r;
        }

        static Tensor decoderInputs(List<int[]> batch) {
            return padded(batch, true);
        }

        static Tensor targets(List<int[]> batch) {
            return padded(batch, false);
        }

        private static Tensor padded(List<int[]> batch, boolean inputs) {
            int steps = batch.stream().mapToInt(s -> s.length).max().orElse(0) + 1;
            long[] ids = new long[batch.size() * steps];
            for (int b = 0; b < batch.size(); b++) {
                int[] r = reversed(batch.get(b));
                for (int t = 0; t < r.length; t++) {
                    ids[b * steps + t + (inputs ? 1 : 0)] = r[t];
                }
                ids[b * steps + (inputs ? 0 : r.length)] = inputs ? Seq2SeqModel.BOS : Seq2SeqModel.EOS;
            }
            return Tensor.fromArray(ids, batch.size(), steps);
        }
    }
}
