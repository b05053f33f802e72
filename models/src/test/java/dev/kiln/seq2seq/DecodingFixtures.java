package dev.kiln.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.seq2seq.RecurrentSeq2Seq.Cell;
import dev.kiln.seq2seq.RecurrentSeq2Seq.Score;
import java.util.List;

/** Seeded untrained F64 models and sources whose decoded outputs the decoding tests know. */
final class DecodingFixtures {
    static final List<int[]> SOURCES = List.of(new int[] {3, 4, 5, 6}, new int[] {7, 8}, new int[] {5});

    private DecodingFixtures() {
    }

    static TransformerSeq2Seq transformer(long seed) {
        Engine.seed(seed);
        TransformerSeq2Seq model = new TransformerSeq2Seq(new TransformerSeq2Seq.Config(9, 9, 8, 2, 16, 2, 2, 0.1, 12));
        model.to(DType.F64);
        return model;
    }

    static RecurrentSeq2Seq recurrent(long seed) {
        Engine.seed(seed);
        RecurrentSeq2Seq model = new RecurrentSeq2Seq(new RecurrentSeq2Seq.Config(9, 9, Cell.LSTM, Score.ADDITIVE, 8, 12, 1,
                0.2));
        model.to(DType.F64);
        return model;
    }

    /** Both models, made never to write EOS (its bias in the output layer far below every other score). */
    static List<Seq2SeqModel> neverEnding(long seed) {
        return List.of(withoutEos(transformer(seed), "output.bias"), withoutEos(recurrent(seed), "out.bias"));
    }

    private static Seq2SeqModel withoutEos(Seq2SeqModel model, String outputBias) {
        Tensor bias = model.namedParameters().get(outputBias);
        double[] b = bias.toDoubleArray();
        b[Seq2SeqModel.EOS] = -1e9;
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            bias.assign(Tensor.fromArray(b, b.length));
        }
        return model;
    }

    static void assertOutputs(List<Hypothesis> decoded, int[][] tokens, double[] logProbs, boolean[] finished) {
        assertEquals(tokens.length, decoded.size());
        for (int i = 0; i < tokens.length; i++) {
            assertArrayEquals(tokens[i], decoded.get(i).tokens(), "sequence " + i);
            assertEquals(logProbs[i], decoded.get(i).logProb(), 1e-12, "sequence " + i);
            assertEquals(finished[i], decoded.get(i).finished(), "sequence " + i);
        }
    }

    /** The bytes held besides the state are the same at every step from the second on (the first reads start()'s). */
    static void assertTheSameFromTheSecondStep(List<Long> bytesBesidesState, int steps, Seq2SeqModel model) {
        assertEquals(steps, bytesBesidesState.size(), model + ": steps taken");
        for (int t = 2; t < steps; t++) {
            assertEquals(bytesBesidesState.get(1), bytesBesidesState.get(t), model + ": bytes held at step " + (t + 1)
                    + " besides the state, against step 2; all steps " + bytesBesidesState);
        }
    }
}
