package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gradients of views narrowed from one tensor (narrow, split, chunk): a backward pass writes each view's gradient
 * into its slice of the tensor's gradient and zeroes only the slices no view's gradient reaches, instead of padding
 * each with zeros of the whole tensor's shape and summing. Checked against finite differences (F64), against the
 * padded gradients that a pass recording its graph still builds, and by what the pass asks of the backend.
 */
class ViewGradientsTest extends CountingBackendTest {
    private Scope scope;

    @BeforeEach
    void seedAndOpenScope() {
        Engine.seed(31L);
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor randn(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }

    /** Each view squared and scaled by its place (1, 2, ...) and summed: every view's gradient distinct. */
    private static Tensor weighted(Tensor... views) {
        Tensor loss = null;
        for (int i = 0; i < views.length; i++) {
            Tensor term = views[i].square().mul(i + 1.0).sum();
            loss = loss == null ? term : loss.add(term);
        }
        return loss;
    }

    /**
     * Frees a few tensors of {@code shape} full of NaN, whose memory the backend caches and hands out again: a
     * gradient that leaves any of it unwritten shows NaN.
     */
    private static void leaveNaNInFreedMemory(int... shape) {
        List<Tensor> blocks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            blocks.add(Tensor.full(Double.NaN, DType.F64, shape));
        }
        blocks.forEach(Tensor::close);
    }

    @Test
    void piecesOfASplitAlongTheLeadingAxisThatAreNotUsedGetZeroGradients() {
        Tensor x = randn(4, 3);
        List<Tensor> pieces = x.split(0, 1, 2, 1);
        Tensor loss = pieces.get(0).mul(2.0).sum().add(pieces.get(2).mul(3.0).sum());
        leaveNaNInFreedMemory(4, 3);
        loss.backward();
        assertArrayEquals(new double[] {2, 2, 2, 0, 0, 0, 0, 0, 0, 3, 3, 3}, x.grad().toDoubleArray());
    }

    @Test
    void piecesOfASplitAlongAnInnerAxisThatAreNotUsedGetZeroGradients() {
        Tensor x = randn(2, 6);
        List<Tensor> pieces = x.split(1, 2, 1, 3);
        Tensor loss = pieces.get(0).mul(2.0).sum().add(pieces.get(2).mul(3.0).sum());
        leaveNaNInFreedMemory(2, 6);
        leaveNaNInFreedMemory(2, 1);
        loss.backward();
        assertArrayEquals(new double[] {2, 2, 0, 3, 3, 3, 2, 2, 0, 3, 3, 3}, x.grad().toDoubleArray());
    }

    @Test
    void aSplitWithUnusedPiecesMatchesFiniteDifferences() {
        GradCheck.check("split 0, pieces 0 and 2 of 3", in -> pieces(in[0].split(0, 2, 1, 3), 0, 2), randn(6, 3));
        GradCheck.check("split 1, pieces 1 and 3 of 4", in -> pieces(in[0].split(1, 1, 2, 1, 2), 1, 3), randn(3, 6));
        GradCheck.check("chunk 2, the middle piece", in -> pieces(in[0].chunk(3, 2), 1), randn(2, 3, 6));
    }

    @Test
    void overlappingNarrowsOfOneTensorMatchFiniteDifferences() {
        GradCheck.check("overlapping narrows, axis 0",
                in -> weighted(in[0].narrow(0, 0, 3), in[0].narrow(0, 2, 3), in[0].narrow(0, 1, 1)), randn(5, 2));
        GradCheck.check("overlapping narrows, axis 1",
                in -> weighted(in[0].narrow(1, 0, 3), in[0].narrow(1, 2, 3), in[0].narrow(1, 1, 1)), randn(2, 5));
    }

    @Test
    void narrowsAlongDifferentAxesOfOneTensorMatchFiniteDifferences() {
        GradCheck.check("narrows along axes 1 then 0",
                in -> weighted(in[0].narrow(1, 1, 2), in[0].narrow(0, 0, 2), in[0].narrow(1, 3, 1)), randn(3, 4));
    }

    @Test
    void viewsOfViewsMatchFiniteDifferences() {
        GradCheck.check("split of a narrow of a chunk", in -> {
            Tensor middle = in[0].chunk(3, 1).get(1).narrow(0, 1, 3);
            List<Tensor> halves = middle.split(1, 1, 1);
            return weighted(halves.get(1), in[0].narrow(0, 0, 2), halves.get(0).reshape(3));
        }, randn(4, 6));
    }

    @Test
    void aTensorUsedWholeAndThroughViewsTakesBothGradients() {
        GradCheck.check("x + x[1:2], the caller's gradient pending for x first",
                in -> in[0].add(in[0].narrow(0, 1, 1)), randn(3, 4));
        GradCheck.check("view first", in -> weighted(in[0].narrow(1, 1, 2), in[0]), randn(3, 4));
        GradCheck.check("whole first", in -> weighted(in[0], in[0].narrow(1, 1, 2), in[0].narrow(0, 1, 1)),
                randn(3, 4));
    }

    @Test
    void viewGradientsEqualThePaddedOnesOfARecordingPassAndDifferentiateAgain() {
        DoubleBackwardTest.checkSecondOrder("split 1, pieces 0 and 2 of 3, squared",
                in -> cat(in[0].split(1, 2, 1, 2), 0, 2).square(), randn(3, 5));
        DoubleBackwardTest.checkSecondOrder("overlapping narrows, squared",
                in -> cat(List.of(in[0].narrow(0, 0, 2), in[0].narrow(0, 1, 2)), 0, 1).square(), randn(3, 2));
        DoubleBackwardTest.checkSecondOrder("a narrow of a split, times x",
                in -> in[0].split(0, 2, 2).get(1).narrow(1, 1, 2).mul(in[0].narrow(0, 0, 2).narrow(1, 0, 2)),
                randn(4, 3));
    }

    @Test
    void theBackwardPassOfASplitWritesEachPieceIntoItsSliceAndFillsAndSumsNothing() {
        Tensor x = onCounting(3, 4, 5).requiresGrad(true);
        List<Tensor> pieces = x.split(0, 1, 1, 1);
        Tensor y = Tensor.cat(List.of(pieces.get(2), pieces.get(0), pieces.get(1)), 0);
        Tensor gradient = onCounting(3, 4, 5);
        long fills = count("operation.fill");
        long sums = count("operation.binary");
        y.backward(gradient);
        assertEquals(fills, count("operation.fill"), "fills of a zero gradient");
        assertEquals(sums, count("operation.binary"), "sums of gradients");
        float[] g = gradient.toFloatArray();
        float[] expected = new float[60];
        System.arraycopy(g, 20, expected, 0, 40);
        System.arraycopy(g, 0, expected, 40, 20);
        assertArrayEquals(expected, x.grad().toFloatArray());
    }

    @Test
    void narrowingEveryStepOfASequenceFillsAndSumsNothingInItsBackwardPass() {
        Tensor x = onCounting(2, 6, 3).requiresGrad(true);
        List<Tensor> steps = new ArrayList<>();
        for (int t = 5; t >= 0; t--) {
            steps.add(x.narrow(1, t, 1));
        }
        Tensor reversed = Tensor.cat(steps, 1);
        Tensor gradient = onCounting(2, 6, 3);
        long fills = count("operation.fill");
        long sums = count("operation.binary");
        reversed.backward(gradient);
        assertEquals(fills, count("operation.fill"), "fills of a zero gradient");
        assertEquals(sums, count("operation.binary"), "sums of gradients");
        try (Scope s = Scope.open()) {
            assertArrayEquals(gradient.flip(1).toFloatArray(), x.grad().toFloatArray());
        }
    }

    @Test
    void onlyTheSliceOfAnUnusedPieceIsZeroed() {
        for (int axis = 0; axis < 2; axis++) {
            Tensor x = onCounting(3, 3, 5).requiresGrad(true);
            List<Tensor> pieces = x.split(axis, 1, 1, 1);
            Tensor y = Tensor.cat(List.of(pieces.get(0), pieces.get(2)), axis);
            long fills = count("operation.fill");
            y.backward(onCounting(y.shape().dims()));
            assertEquals(fills + 1, count("operation.fill"), "axis " + axis + ": fills, of the unused piece's slice");
        }
    }

    /** Pieces {@code keep} of {@code pieces}, each squared and scaled by its place, summed. */
    private static Tensor pieces(List<Tensor> pieces, int... keep) {
        Tensor[] kept = new Tensor[keep.length];
        for (int i = 0; i < keep.length; i++) {
            kept[i] = pieces.get(keep[i]);
        }
        return weighted(kept);
    }

    /** Pieces {@code keep} of {@code pieces} concatenated along axis 0. */
    private static Tensor cat(List<Tensor> pieces, int... keep) {
        List<Tensor> kept = new ArrayList<>();
        for (int k : keep) {
            kept.add(pieces.get(k));
        }
        return Tensor.cat(kept, 0);
    }

    /** 0.5, 1.5, ... in {@code dims} (F32) on the counting backend: distinct values, exact in every sum here. */
    private static Tensor onCounting(int... dims) {
        int n = (int) Shape.of(dims).size();
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i + 0.5f;
        }
        return Tensor.fromArray(values, dims).to(counting);
    }
}
