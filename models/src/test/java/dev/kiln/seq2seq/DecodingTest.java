package dev.kiln.seq2seq;

import static dev.kiln.seq2seq.DecodingFixtures.SOURCES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.nn.BytesInUse;
import org.junit.jupiter.api.Test;

class DecodingTest {
    private final Backend backend = Engine.get().backend();

    @Test
    void greedyDecodingGivesTheKnownOutputsOfSeededModels() {
        try (Scope s = Scope.open(); TransformerSeq2Seq transformer = DecodingFixtures.transformer(61);
             RecurrentSeq2Seq recurrent = DecodingFixtures.recurrent(52)) {
            DecodingFixtures.assertOutputs(Decoding.greedy(transformer, SourceBatch.of(SOURCES), 8),
                    new int[][] {{5, 7}, {5, 7}, {5, 8, 4, 8, 4, 4, 4, 8}},
                    new double[] {-4.855434349332567, -5.059323957009002, -11.498427506050552},
                    new boolean[] {true, true, false});
            DecodingFixtures.assertOutputs(Decoding.greedy(recurrent, SourceBatch.of(SOURCES), 8),
                    new int[][] {{8, 8, 8, 8, 8, 4, 8, 8}, {8, 8, 4, 8, 4, 8, 4, 8}, {8, 8, 4, 8, 4, 4, 8, 4}},
                    new double[] {-16.169590385647947, -16.037723988130452, -16.01442773142385},
                    new boolean[] {false, false, false});
        }
    }

    @Test
    void greedyDecodingHoldsNothingOfEarlierStepsBesidesTheStateItCarries() {
        for (Seq2SeqModel model : DecodingFixtures.neverEnding(53)) {
            try (Scope s = Scope.open(); StepMemoryProbe probe = new StepMemoryProbe(model)) {
                Decoding.greedy(probe, SourceBatch.of(SOURCES), 8);
                DecodingFixtures.assertTheSameFromTheSecondStep(probe.bytesBesidesState(), 8, model);
            }
        }
    }

    @Test
    void greedyDecodingHoldsNoneOfTheEncodersActivationsWhenTheFirstStepBegins() {
        for (Seq2SeqModel model : DecodingFixtures.neverEnding(55)) {
            try (Scope s = Scope.open(); StepMemoryProbe probe = new StepMemoryProbe(model)) {
                SourceBatch source = SourceBatch.of(SOURCES);
                BytesInUse.settle();
                long before = backend.bytesInUse();
                Decoding.greedy(probe, source, 2);
                assertEquals(BytesInUse.ofOne(DType.I64, SOURCES.size()), probe.bytesBesidesState().get(0) - before,
                        "besides the state, only the first step's tokens: " + model);
            }
        }
    }

    @Test
    void greedyDecodingLeavesNoTensorBehind() {
        for (Seq2SeqModel model : DecodingFixtures.neverEnding(54)) {
            try (Scope s = Scope.open(); model) {
                SourceBatch source = SourceBatch.of(SOURCES);
                BytesInUse.settle();
                long before = backend.bytesInUse();
                Decoding.greedy(model, source, 8);
                assertEquals(before, backend.bytesInUse(), model.toString());
            }
        }
    }
}
