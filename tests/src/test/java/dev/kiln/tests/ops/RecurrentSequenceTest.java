package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link F#lstmSequence}, {@link F#gruSequence} and {@link F#rnnSequence}, which run a recurrence over all
 * steps as one graph node with back-propagation through time written out. The reference runs each sequence
 * of the batch ALONE over its real steps, one graph node per step, from {@link F#lstmCell}, {@link F#gruCell}
 * and tanh/ReLU (themselves checked against formulas and finite differences): outputs, final states and
 * the gradients of every input must agree, forwards and in reverse, with and without lengths. Finite
 * differences check the sequence ops directly too, and the errors name what is wrong.
 */
class RecurrentSequenceTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private static final int STEPS = 4;
    private static final int BATCH = 3;
    private static final int HIDDEN = 5;

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20250303L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    enum Cell {
        LSTM(4), GRU(3), RNN_TANH(1), RNN_RELU(1);

        final int gates;

        Cell(int gates) {
            this.gates = gates;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Cell cell : Cell.values()) {
            for (boolean reverse : new boolean[] {false, true}) {
                out.add(Arguments.of(cell, reverse, null));
                out.add(Arguments.of(cell, reverse, new int[] {4, 2, 1}));
                out.add(Arguments.of(cell, reverse, new int[] {3, 3, 0}));
            }
        }
        return out.stream();
    }

    /** The op's inputs in F64, all requiring gradients: inputGates, h0, c0 (LSTM), weightHh, biasHh (GRU). */
    private static Tensor[] inputs(Cell cell) {
        int width = cell.gates * HIDDEN;
        List<Tensor> in = new ArrayList<>();
        in.add(Tensor.normal(0, 1, DType.F64, STEPS, BATCH, width));
        in.add(Tensor.normal(0, 0.5, DType.F64, BATCH, HIDDEN));
        if (cell == Cell.LSTM) {
            in.add(Tensor.normal(0, 0.5, DType.F64, BATCH, HIDDEN));
        }
        in.add(Tensor.normal(0, 0.4, DType.F64, width, HIDDEN));
        if (cell == Cell.GRU) {
            in.add(Tensor.normal(0, 0.5, DType.F64, width));
        }
        for (Tensor t : in) {
            t.requiresGrad(true);
        }
        return in.toArray(new Tensor[0]);
    }

    private static F.SequenceOutput run(Cell cell, Tensor[] in, int[] lengths, boolean reverse) {
        return switch (cell) {
            case LSTM -> F.lstmSequence(in[0], in[1], in[2], in[3], lengths, reverse);
            case GRU -> F.gruSequence(in[0], in[1], in[2], in[3], lengths, reverse);
            case RNN_TANH -> F.rnnSequence(in[0], in[1], in[2], false, lengths, reverse);
            case RNN_RELU -> F.rnnSequence(in[0], in[1], in[2], true, lengths, reverse);
        };
    }

    /** Sequence b alone, one step at a time over its real steps; padded output rows are zeros. */
    private static F.SequenceOutput reference(Cell cell, Tensor[] in, int[] lengths, boolean reverse) {
        Tensor weightHh = cell == Cell.LSTM ? in[3] : in[2];
        List<Tensor> outputRows = new ArrayList<>();
        List<Tensor> finalH = new ArrayList<>();
        List<Tensor> finalC = new ArrayList<>();
        Tensor[][] perStep = new Tensor[STEPS][BATCH];
        for (int b = 0; b < BATCH; b++) {
            int length = lengths == null ? STEPS : lengths[b];
            Tensor h = in[1].narrow(0, b, 1);
            Tensor c = cell == Cell.LSTM ? in[2].narrow(0, b, 1) : null;
            for (int k = 0; k < length; k++) {
                int t = reverse ? length - 1 - k : k;
                Tensor x = in[0].narrow(0, t, 1).narrow(1, b, 1).reshape(1, cell.gates * HIDDEN);
                switch (cell) {
                    case LSTM -> {
                        F.LstmState s = F.lstmCell(x.add(F.linear(h, weightHh, null)), c);
                        h = s.h();
                        c = s.c();
                    }
                    case GRU -> h = F.gruCell(x, F.linear(h, weightHh, in[3]), h);
                    case RNN_TANH -> h = x.add(F.linear(h, weightHh, null)).tanh();
                    case RNN_RELU -> h = x.add(F.linear(h, weightHh, null)).relu();
                }
                perStep[t][b] = h;
            }
            finalH.add(h);
            if (c != null) {
                finalC.add(c);
            }
        }
        for (int t = 0; t < STEPS; t++) {
            List<Tensor> rows = new ArrayList<>();
            for (int b = 0; b < BATCH; b++) {
                rows.add(perStep[t][b] != null ? perStep[t][b] : Tensor.zeros(DType.F64, 1, HIDDEN));
            }
            outputRows.add(Tensor.cat(rows, 0));
        }
        return new F.SequenceOutput(Tensor.stack(outputRows, 0), Tensor.cat(finalH, 0),
                finalC.isEmpty() ? null : Tensor.cat(finalC, 0));
    }

    /** The weights of {@link #loss}: for the outputs [steps, batch, hidden], the final h and c [batch, hidden]. */
    private static Tensor[] projections() {
        return new Tensor[] {Tensor.normal(0, 1, DType.F64, STEPS, BATCH, HIDDEN),
                Tensor.normal(0, 1, DType.F64, BATCH, HIDDEN), Tensor.normal(0, 1, DType.F64, BATCH, HIDDEN)};
    }

    /** sum(output * p0) + sum(h * p1) + sum(c * p2) with fixed weights, so every element's gradient counts. */
    private static Tensor loss(F.SequenceOutput r, Tensor[] projections) {
        Tensor l = r.output().mul(projections[0]).sum().add(r.h().mul(projections[1]).sum());
        return r.c() == null ? l : l.add(r.c().mul(projections[2]).sum());
    }

    /** The outputs of every step, the final h and (LSTM) c, as rows of one tensor for a gradient check. */
    private static Tensor everyOutput(F.SequenceOutput r) {
        List<Tensor> parts = new ArrayList<>(List.of(r.output().reshape(STEPS * BATCH, HIDDEN), r.h()));
        if (r.c() != null) {
            parts.add(r.c());
        }
        return Tensor.cat(parts, 0);
    }

    @ParameterizedTest(name = "{0} reverse={1} lengths={2}")
    @MethodSource("cases")
    void matchesEachSequenceRunAloneStepByStep(Cell cell, boolean reverse, int[] lengths) {
        Tensor[] in = inputs(cell);
        Tensor[] projections = projections();
        F.SequenceOutput fused = run(cell, in, lengths, reverse);
        loss(fused, projections).backward();
        double[][] fusedGrads = LeafGradients.take(in);
        F.SequenceOutput expected = reference(cell, in, lengths, reverse);
        loss(expected, projections).backward();

        assertArrayEquals(new int[] {STEPS, BATCH, HIDDEN}, fused.output().shape().dims());
        assertArrayEquals(expected.output().toDoubleArray(), fused.output().toDoubleArray(), 1e-12, "output");
        assertArrayEquals(expected.h().toDoubleArray(), fused.h().toDoubleArray(), 1e-12, "final h");
        if (cell == Cell.LSTM) {
            assertArrayEquals(expected.c().toDoubleArray(), fused.c().toDoubleArray(), 1e-12, "final c");
        } else {
            assertNull(fused.c());
        }
        for (int i = 0; i < in.length; i++) {
            assertArrayEquals(in[i].grad().toDoubleArray(), fusedGrads[i], 1e-11, "gradient of input " + i);
        }
    }

    @ParameterizedTest(name = "{0} reverse={1} lengths={2}")
    @MethodSource("cases")
    void withoutGradientsTheValuesAreTheSameAndWhatOnlyABackwardPassReadsIsFreed(Cell cell, boolean reverse,
                                                                               int[] lengths) {
        Tensor[] in = inputs(cell);
        Backend backend = Engine.get().backend();
        long before = backend.bytesInUse();
        F.SequenceOutput recorded = run(cell, in, lengths, reverse);
        long keptForBackward = backend.bytesInUse() - before;
        before = backend.bytesInUse();
        F.SequenceOutput unrecorded;
        try (Autograd.Guard g = Autograd.noGrad()) {
            unrecorded = run(cell, in, lengths, reverse);
        }
        long kept = backend.bytesInUse() - before;

        assertArrayEquals(recorded.output().toDoubleArray(), unrecorded.output().toDoubleArray(), 0, "output");
        assertArrayEquals(recorded.h().toDoubleArray(), unrecorded.h().toDoubleArray(), 0, "final h");
        if (cell == Cell.LSTM) {
            assertArrayEquals(recorded.c().toDoubleArray(), unrecorded.c().toDoubleArray(), 0, "final c");
        }
        assertTrue(2 * kept < keptForBackward, "bytes kept without gradients " + kept + ", with " + keptForBackward);
    }

    @ParameterizedTest(name = "{0} reverse={1} lengths={2}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(Cell cell, boolean reverse, int[] lengths) {
        GradCheck.check(cell + " sequence", in -> everyOutput(run(cell, in, lengths, reverse)), inputs(cell));
    }

    /** The op with no initial states (null: zeros) on {@code in} without h0 and c0: inputGates, weightHh, biasHh. */
    private static F.SequenceOutput runFromZeros(Cell cell, Tensor[] in, int[] lengths, boolean reverse) {
        return switch (cell) {
            case LSTM -> F.lstmSequence(in[0], null, null, in[1], lengths, reverse);
            case GRU -> F.gruSequence(in[0], null, in[1], in[2], lengths, reverse);
            case RNN_TANH -> F.rnnSequence(in[0], null, in[1], false, lengths, reverse);
            case RNN_RELU -> F.rnnSequence(in[0], null, in[1], true, lengths, reverse);
        };
    }

    /** {@code in} without its initial states. */
    private static Tensor[] withoutStates(Cell cell, Tensor[] in) {
        List<Tensor> rest = new ArrayList<>(List.of(in));
        rest.remove(1);
        if (cell == Cell.LSTM) {
            rest.remove(1);
        }
        return rest.toArray(new Tensor[0]);
    }

    @ParameterizedTest(name = "{0} reverse={1} lengths={2}")
    @MethodSource("cases")
    void nullInitialStatesGiveTheValuesAndGradientsOfZeroStates(Cell cell, boolean reverse, int[] lengths) {
        Tensor[] in = inputs(cell);
        Tensor zeros = Tensor.zeros(DType.F64, BATCH, HIDDEN);
        in[1] = zeros;
        if (cell == Cell.LSTM) {
            in[2] = zeros;
        }
        Tensor[] projections = projections();
        Tensor[] rest = withoutStates(cell, in);
        F.SequenceOutput fromNull = runFromZeros(cell, rest, lengths, reverse);
        loss(fromNull, projections).backward();
        double[][] nullGrads = LeafGradients.take(rest);
        F.SequenceOutput fromZeros = run(cell, in, lengths, reverse);
        loss(fromZeros, projections).backward();

        assertArrayEquals(fromZeros.output().toDoubleArray(), fromNull.output().toDoubleArray(), 1e-12, "output");
        assertArrayEquals(fromZeros.h().toDoubleArray(), fromNull.h().toDoubleArray(), 1e-12, "final h");
        if (cell == Cell.LSTM) {
            assertArrayEquals(fromZeros.c().toDoubleArray(), fromNull.c().toDoubleArray(), 1e-12, "final c");
        }
        for (int i = 0; i < rest.length; i++) {
            assertArrayEquals(rest[i].grad().toDoubleArray(), nullGrads[i], 1e-12, "gradient of input " + i);
        }
    }

    @ParameterizedTest(name = "{0} reverse={1} lengths={2}")
    @MethodSource("cases")
    void initialStatesWithoutGradientsLeaveTheOtherGradientsAsTheyWere(Cell cell, boolean reverse, int[] lengths) {
        Tensor[] in = inputs(cell);
        Tensor[] projections = projections();
        loss(run(cell, in, lengths, reverse), projections).backward();
        double[][] withStateGrads = LeafGradients.take(in);
        int states = cell == Cell.LSTM ? 2 : 1;
        for (int i = 1; i <= states; i++) {
            in[i] = in[i].detach();
        }
        loss(run(cell, in, lengths, reverse), projections).backward();
        for (int i = 1; i <= states; i++) {
            assertNull(in[i].grad(), "initial state " + i + " has no gradient");
        }
        for (int i = states + 1; i < in.length; i++) {
            assertArrayEquals(withStateGrads[i], in[i].grad().toDoubleArray(), 1e-12, "gradient of input " + i);
        }
        assertArrayEquals(withStateGrads[0], in[0].grad().toDoubleArray(), 1e-12, "gradient of the input gates");
    }

    @ParameterizedTest(name = "{0} reverse={1} lengths={2}")
    @MethodSource("cases")
    void gradientsFromZeroStatesMatchFiniteDifferences(Cell cell, boolean reverse, int[] lengths) {
        GradCheck.check(cell + " sequence from zeros", in -> everyOutput(runFromZeros(cell, in, lengths, reverse)),
                withoutStates(cell, inputs(cell)));
    }

    @Test
    void f32MatchesF64() {
        Tensor[] in = inputs(Cell.LSTM);
        Tensor[] in32 = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            in32[i] = in[i].detach().to(DType.F32);
        }
        int[] lengths = {4, 2, 1};
        F.SequenceOutput r64 = run(Cell.LSTM, in, lengths, false);
        F.SequenceOutput r32 = run(Cell.LSTM, in32, lengths, false);
        assertArrayEquals(r64.output().toDoubleArray(), r32.output().toDoubleArray(), 1e-5);
        assertArrayEquals(r64.c().toDoubleArray(), r32.c().toDoubleArray(), 1e-5);
    }

    // ---- errors ------------------------------------------------------------------------------------

    @Test
    void unsortedLengthsAreRefusedWithAHint() {
        Tensor[] in = inputs(Cell.GRU);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(Cell.GRU, in, new int[] {2, 4, 1}, false));
        assertTrue(e.getMessage().contains("gruSequence") && e.getMessage().contains("non-increasing")
                && e.getMessage().contains("[2, 4, 1]"), e.getMessage());
    }

    @Test
    void lengthsLongerThanTheSequenceAreRefused() {
        Tensor[] in = inputs(Cell.RNN_TANH);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(Cell.RNN_TANH, in, new int[] {5, 4, 1}, false));
        assertTrue(e.getMessage().contains("rnnSequence") && e.getMessage().contains("length 5"), e.getMessage());
    }

    @Test
    void anLstmGivenOneInitialStateWithoutTheOtherIsRefused() {
        Tensor[] in = inputs(Cell.LSTM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.lstmSequence(in[0], in[1], null, in[3], null, false));
        assertTrue(e.getMessage().contains("lstmSequence") && e.getMessage().contains("c0 null")
                && e.getMessage().contains("or neither"), e.getMessage());
    }

    @Test
    void mismatchedShapesNameEveryShapeAndTheExpectedLayout() {
        Tensor gates = Tensor.zeros(DType.F64, STEPS, BATCH, 4 * HIDDEN);
        Tensor h0 = Tensor.zeros(DType.F64, BATCH, HIDDEN);
        Tensor weight = Tensor.zeros(DType.F64, 4 * HIDDEN, HIDDEN + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.lstmSequence(gates, h0, h0, weight, null, false));
        assertTrue(e.getMessage().contains("lstmSequence") && e.getMessage().contains("[20, 6]")
                && e.getMessage().contains("[4, 3, 20]") && e.getMessage().contains("weightHh [4 * hidden, hidden]"),
                e.getMessage());
    }
}
