package dev.kiln.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BytesInUse;
import dev.kiln.seq2seq.RecurrentSeq2Seq.Cell;
import dev.kiln.seq2seq.RecurrentSeq2Seq.Score;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BeamSearchTest {
    private static final List<int[]> SOURCES = List.of(new int[] {3, 4, 5, 6}, new int[] {2, 8}, new int[] {7, 7, 2});

    @Test
    void beamOfOneIsGreedyDecoding() {
        Engine.seed(8);
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = untrained()) {
            SourceBatch source = SourceBatch.of(SOURCES);
            List<Hypothesis> greedy = Decoding.greedy(model, source, 10);
            List<Hypothesis> beam = BeamSearch.decode(model, source, 1, 10, 1);
            for (int i = 0; i < SOURCES.size(); i++) {
                assertArrayEquals(greedy.get(i).tokens(), beam.get(i).tokens(), "sequence " + i);
                assertEquals(greedy.get(i).logProb(), beam.get(i).logProb(), 1e-9, "sequence " + i);
                assertEquals(greedy.get(i).finished(), beam.get(i).finished(), "sequence " + i);
            }
        }
    }

    @Test
    void widerBeamsNeverScoreWorseThanGreedyWithoutLengthNormalisation() {
        Engine.seed(9);
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = untrained()) {
            SourceBatch source = SourceBatch.of(SOURCES);
            List<Hypothesis> greedy = Decoding.greedy(model, source, 6);
            List<Hypothesis> beam = BeamSearch.decode(model, source, 4, 6, 0);
            for (int i = 0; i < SOURCES.size(); i++) {
                if (greedy.get(i).finished()) {
                    assertTrue(beam.get(i).logProb() >= greedy.get(i).logProb() - 1e-9,
                            "sequence " + i + ": beam " + beam.get(i).logProb() + " vs greedy " + greedy.get(i).logProb());
                }
            }
        }
    }

    @Test
    void lengthNormalisationDividesByLengthToTheAlpha() {
        Hypothesis h = new Hypothesis(new int[] {3, 4, 5}, -2.0, true, null);
        assertEquals(-2.0, BeamSearch.normalised(h, 0), 0);
        assertEquals(-0.5, BeamSearch.normalised(h, 1), 1e-12);
        assertEquals(-2.0 / Math.sqrt(4), BeamSearch.normalised(h, 0.5), 1e-12);
    }

    @Test
    void aSequenceWithoutAnyFiniteExtensionGetsAnEmptyUnfinishedHypothesis() {
        Engine.seed(10);
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = untrained()) {
            Tensor bias = model.namedParameters().get("out.bias");
            double[] impossible = new double[bias.dim(0)];
            Arrays.fill(impossible, Seq2SeqModel.EOS, impossible.length, Double.NEGATIVE_INFINITY);
            try (Autograd.Guard g = Autograd.noGrad()) {
                bias.assign(Tensor.fromArray(impossible, impossible.length).to(bias.dtype()));
            }
            for (Hypothesis h : BeamSearch.decode(model, SourceBatch.of(SOURCES), 3, 5, 1)) {
                assertArrayEquals(new int[0], h.tokens());
                assertEquals(Double.NEGATIVE_INFINITY, h.logProb());
                assertFalse(h.finished());
            }
        }
    }

    @Test
    void beamSearchGivesTheKnownOutputsOfSeededModels() {
        try (Scope s = Scope.open(); TransformerSeq2Seq transformer = DecodingFixtures.transformer(58);
             RecurrentSeq2Seq recurrent = DecodingFixtures.recurrent(52)) {
            DecodingFixtures.assertOutputs(BeamSearch.decode(transformer, SourceBatch.of(DecodingFixtures.SOURCES), 3, 8, 1),
                    new int[][] {{6, 3, 7, 6, 5, 6, 5}, {6, 5}, {6, 3, 7, 6, 3, 7, 6, 5}},
                    new double[] {-11.513893613580214, -4.179714014552126, -11.762441870936192},
                    new boolean[] {true, true, false});
            DecodingFixtures.assertOutputs(BeamSearch.decode(recurrent, SourceBatch.of(DecodingFixtures.SOURCES), 3, 8, 1),
                    new int[][] {{8}, {8}, {8}},
                    new double[] {-3.9788943061114814, -3.981190349040413, -3.958528849106566},
                    new boolean[] {true, true, true});
        }
    }

    @Test
    void beamSearchHoldsNothingOfEarlierStepsBesidesTheStateItCarries() {
        for (Seq2SeqModel model : DecodingFixtures.neverEnding(53)) {
            try (Scope s = Scope.open(); StepMemoryProbe probe = new StepMemoryProbe(model)) {
                BeamSearch.decode(probe, SourceBatch.of(DecodingFixtures.SOURCES), 3, 8, 1);
                DecodingFixtures.assertTheSameFromTheSecondStep(probe.bytesBesidesState(), 8, model);
            }
        }
    }

    @Test
    void beamSearchHoldsNoneOfTheEncodersActivationsWhenTheFirstStepBegins() {
        Backend backend = Engine.get().backend();
        for (Seq2SeqModel model : DecodingFixtures.neverEnding(55)) {
            try (Scope s = Scope.open(); StepMemoryProbe probe = new StepMemoryProbe(model)) {
                SourceBatch source = SourceBatch.of(DecodingFixtures.SOURCES);
                BytesInUse.settle();
                long before = backend.bytesInUse();
                BeamSearch.decode(probe, source, 3, 2, 1);
                assertEquals(BytesInUse.ofOne(DType.I64, 3 * DecodingFixtures.SOURCES.size()),
                        probe.bytesBesidesState().get(0) - before, "besides the state, only the first step's tokens: " + model);
            }
        }
    }

    @Test
    void beamSearchLeavesNoTensorBehind() {
        Backend backend = Engine.get().backend();
        for (Seq2SeqModel model : DecodingFixtures.neverEnding(54)) {
            try (Scope s = Scope.open(); model) {
                SourceBatch source = SourceBatch.of(DecodingFixtures.SOURCES);
                BytesInUse.settle();
                long before = backend.bytesInUse();
                BeamSearch.decode(model, source, 3, 8, 1);
                assertEquals(before, backend.bytesInUse(), model.toString());
            }
        }
    }

    @Test
    void rejectsAZeroWidth() {
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = untrained()) {
            assertThrows(IllegalArgumentException.class, () -> BeamSearch.decode(model, SourceBatch.of(SOURCES), 0, 5, 1));
        }
    }

    private static RecurrentSeq2Seq untrained() {
        return new RecurrentSeq2Seq(new RecurrentSeq2Seq.Config(9, 10, Cell.GRU, Score.ADDITIVE, 8, 12, 1, 0));
    }
}
