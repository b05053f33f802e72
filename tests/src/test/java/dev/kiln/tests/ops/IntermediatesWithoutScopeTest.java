package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Histogram;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Without a scope, nothing frees a tensor but its owner's {@code close()} (or, late, the garbage collector). An op
 * that makes intermediates on the way to its result (a flattened view, a sum before a mean) closes them itself
 * when nothing recorded them: closing the input and the result gives all the memory back.
 */
class IntermediatesWithoutScopeTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private final Backend backend = Engine.get().backend();

    @Test
    void sumOfEverythingKeepsNoFlattenedView() {
        assertGivesEverythingBack(Tensor::sum);
    }

    @Test
    void meansKeepNoSums() {
        assertGivesEverythingBack(Tensor::mean);
        assertGivesEverythingBack(x -> x.mean(1, false));
    }

    @Test
    void maximaKeepNoFlattenedViewOrKeptDimension() {
        assertGivesEverythingBack(Tensor::max);
        assertGivesEverythingBack(x -> x.max(1, false));
    }

    @Test
    void stackKeepsNoUnsqueezedViews() {
        assertGivesEverythingBack(x -> Tensor.stack(List.of(x, x), 0));
    }

    @Test
    void opsComposedOfOthersKeepNoneOfTheirSteps() {
        assertGivesEverythingBack(x -> x.clamp(-0.5, 0.5));
        assertGivesEverythingBack(x -> x.min(1, false));
        assertGivesEverythingBack(Tensor::min);
        assertGivesEverythingBack(x -> x.var(new int[] {0, 1}, 1, false));
        assertGivesEverythingBack(x -> x.std(new int[] {1}, 0, true));
        assertGivesEverythingBack(x -> x.logsumexp(1, false));
        assertGivesEverythingBack(x -> x.norm(2, new int[] {1}, false));
        assertGivesEverythingBack(x -> x.norm(Double.POSITIVE_INFINITY));
        assertGivesEverythingBack(x -> x.prod(1, false));
        assertGivesEverythingBack(x -> x.cumsum(1));
        assertGivesEverythingBack(x -> x.cumprod(1));
        assertGivesEverythingBack(x -> x.flip(0, 1));
        assertGivesEverythingBack(x -> x.roll(new int[] {3, -7}, new int[] {0, 1}));
        assertGivesEverythingBack(x -> F.pad(x, 1, -2, -3, 4));
        for (PaddingMode mode : new PaddingMode[] {PaddingMode.REFLECT, PaddingMode.REPLICATE, PaddingMode.CIRCULAR}) {
            assertGivesEverythingBack(x -> F.pad(x, new int[] {3, -2}, mode));
        }
        assertGivesEverythingBack(x -> x.tril(-1));
    }

    /** Groups 2 runs group by group through copies of each group's channels; groups 4 is depthwise here. */
    @Test
    void groupedConvolutionsKeepNoCopiesOfTheGroups() {
        for (int groups : new int[] {2, 4}) {
            long before = backend.bytesInUse();
            Tensor x = Tensor.randn(2, 4, 8, 8);
            Tensor w = Tensor.randn(8, 4 / groups, 3, 3);
            Tensor y = F.conv2d(x, w, null, null, new int[] {1}, null, groups);
            x.close();
            w.close();
            y.close();
            assertEquals(before, backend.bytesInUse(), "groups " + groups + ": bytes still in use after closing all");
        }
    }

    /** Broadcast views, diagonals, sums, permuted copies, GEMM operand views and the products between them. */
    @Test
    void einsumKeepsNoneOfItsSteps() {
        assertEinsumGivesEverythingBack("ij,kj->ki", new int[] {64, 256}, new int[] {32, 256});
        assertEinsumGivesEverythingBack("ij->j", new int[] {64, 256});
        assertEinsumGivesEverythingBack("ij->ij", new int[] {64, 256});
        assertEinsumGivesEverythingBack("ij,ij,ik->jk", new int[] {1, 16}, new int[] {8, 16}, new int[] {8, 4});
        assertEinsumGivesEverythingBack("bii,bjk,bk->ij", new int[] {4, 8, 8}, new int[] {4, 6, 5}, new int[] {4, 5});
        assertEinsumGivesEverythingBack("bn,anm,bm->ba", new int[] {2, 3}, new int[] {4, 3, 5}, new int[] {2, 5});
    }

    private void assertEinsumGivesEverythingBack(String equation, int[]... shapes) {
        long before = backend.bytesInUse();
        Tensor[] operands = new Tensor[shapes.length];
        Arrays.setAll(operands, i -> Tensor.randn(shapes[i]));
        Tensor result = F.einsum(equation, operands);
        for (Tensor operand : operands) {
            operand.close();
        }
        result.close();
        assertEquals(before, backend.bytesInUse(), equation + ": bytes still in use after closing the operands and"
                + " the result");
    }

    @Test
    void crossEntropyWithAnIgnoreIndexKeepsNoMasksOrRowLosses() {
        for (Reduction reduction : Reduction.values()) {
            long before = backend.bytesInUse();
            Tensor x = Tensor.randn(8, 5);
            Tensor targets = Tensor.fromArray(new long[] {1, -100, 4, 0, -100, 2, 3, 3}, 8);
            Tensor loss = F.crossEntropy(x, targets, reduction, -100);
            x.close();
            targets.close();
            loss.close();
            assertEquals(before, backend.bytesInUse(), reduction + ": bytes still in use after closing everything");
        }
    }

    /** Without gradients, the base grid of an affine grid and the taps, indices and reads of a sampling are freed. */
    @Test
    void affineGridAndGridSamplingKeepNoneOfTheirSteps() {
        for (GridSampleMode mode : GridSampleMode.values()) {
            long before = backend.bytesInUse();
            Tensor x = Tensor.randn(2, 3, 8, 8);
            Tensor theta = Tensor.randn(2, 2, 3);
            Tensor grid = F.affineGrid(theta, new int[] {2, 3, 5, 7}, false);
            Tensor y = F.gridSample(x, grid, mode, GridSamplePadding.REFLECTION, true);
            for (Tensor t : List.of(x, theta, grid, y)) {
                t.close();
            }
            assertEquals(before, backend.bytesInUse(), mode + ": bytes still in use after closing everything");
        }
    }

    @Test
    void distancesStatisticsAndIntegralsKeepNoIntermediates() {
        assertGivesEverythingBack(x -> F.cdist(x, x, 3));
        assertGivesEverythingBack(F::pdist);
        assertGivesEverythingBack(Tensor::cov);
        assertGivesEverythingBack(Tensor::corrcoef);
        assertGivesEverythingBack(x -> {
            dev.kiln.engine.VarMean both = x.varMean(new int[] {1}, 1, false);
            both.var().close();
            return both.mean();
        });
        assertGivesEverythingBack(x -> F.trapezoid(x, 0.5, 1));
        assertGivesEverythingBack(x -> F.cumulativeTrapezoid(x, x, 0));
        assertGivesEverythingBack(x -> x.renorm(2, 0, 1));
        assertGivesEverythingBack(x -> F.blockDiag(x, x));
    }

    private void assertGivesEverythingBack(Function<Tensor, Tensor> op) {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(64, 256);
        Tensor result = op.apply(x);
        x.close();
        result.close();
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the input and the result");
    }

    /** cdist broadcasts its inputs' batch axes by copies, which it frees with its other steps, either way it goes. */
    @Test
    void cdistKeepsNoBroadcastCopiesOfItsInputs() {
        for (int rows : new int[] {5, 30}) {
            long before = backend.bytesInUse();
            Tensor x1 = Tensor.randn(2, rows, 3);
            Tensor x2 = Tensor.randn(rows, 3);
            Tensor y = F.cdist(x1, x2);
            for (Tensor t : List.of(x1, x2, y)) {
                t.close();
            }
            assertEquals(before, backend.bytesInUse(), rows + " rows: bytes still in use after closing everything");
        }
    }

    /** Attention's batched views, scores, masks and weights are freed, with each kind of mask and with dropout. */
    @Test
    void scaledDotProductAttentionKeepsNoneOfItsSteps() {
        for (String kind : List.of("none", "causal", "integer", "float")) {
            long before = backend.bytesInUse();
            Tensor mask = switch (kind) {
                case "integer" -> Tensor.fromArray(new int[] {1, 0, 1, 1, 1, 1}, 6);
                case "float" -> Tensor.zeros(5, 6);
                default -> null;
            };
            Tensor q = Tensor.randn(2, 3, 5, 4);
            Tensor k = Tensor.randn(2, 3, 6, 4);
            Tensor v = Tensor.randn(2, 3, 6, 7);
            Tensor y = F.scaledDotProductAttention(q, k, v, mask, 0.25, kind.equals("causal"));
            for (Tensor t : Arrays.asList(q, k, v, y, mask)) {
                if (t != null) {
                    t.close();
                }
            }
            assertEquals(before, backend.bytesInUse(), kind + " mask: bytes still in use after closing everything");
        }
    }

    /** The hard Gumbel-softmax frees its soft sample and one-hot, as the soft one frees its noise. */
    @Test
    void gumbelSoftmaxKeepsNoneOfItsSteps() {
        assertGivesEverythingBack(x -> F.gumbelSoftmax(x, 0.5, false, -1));
        assertGivesEverythingBack(x -> F.gumbelSoftmax(x, 0.5, true, -1));
    }

    /** linspace and logspace in another dtype than F64 free the F64 points they convert; so do histogram's F32 bins. */
    @Test
    void spacingsInOtherDtypesKeepNoDoubleCopy() {
        long before = backend.bytesInUse();
        F.linspace(0, 1, 100, DType.F32).close();
        F.logspace(0, 3, 100, 2, DType.I64).close();
        Tensor x = Tensor.zeros(8);
        Histogram h = F.histogram(x, 100, null, false);
        for (Tensor t : List.of(x, h.hist(), h.binEdges())) {
            t.close();
        }
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the results");
    }

    /** A histogram over given edges keeps no alias of them: closing the caller's edges frees them. */
    @Test
    void aHistogramOverGivenEdgesKeepsNoAliasOfThem() {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(64);
        Tensor edges = Tensor.fromArray(new float[] {-1, 0, 1}, 3);
        Histogram h = F.histogram(x, edges, null, false);
        for (Tensor t : List.of(x, edges, h.hist(), h.binEdges())) {
            t.close();
        }
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing everything");
    }

    /** cov frees the counts' copy in the input's dtype and keeps no view of either weights. */
    @Test
    void covKeepsNoCopiesOrViewsOfItsWeights() {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(3, 16);
        long[] ones = new long[16];
        Arrays.fill(ones, 1);
        Tensor counts = Tensor.fromArray(ones, 16);
        Tensor importance = Tensor.ones(16);
        Tensor c = x.cov(1, counts, importance);
        for (Tensor t : List.of(x, counts, importance, c)) {
            t.close();
        }
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing everything");
    }

    /** vander of integers frees their I64 copy. */
    @Test
    void vanderOfIntegersKeepsNoI64Copy() {
        long before = backend.bytesInUse();
        Tensor x = Tensor.fromArray(new int[] {1, 2, 3}, 3);
        Tensor v = F.vander(x, 3, false);
        x.close();
        v.close();
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing x and the result");
    }

    /** A softmax over another axis than the last (Softmax2d's channels) frees the transposed copies it works on. */
    @Test
    void softmaxOverAnotherAxisKeepsNoTransposedCopies() {
        assertGivesEverythingBack(x -> F.softmax(x, 0));
        assertGivesEverythingBack(x -> F.logSoftmax(x, 0));
    }

    /** arange counts in F64 on the host; in another dtype it frees that F64 tensor once converted. */
    @Test
    void arangeInAnotherDtypeKeepsNoF64Tensor() {
        long before = backend.bytesInUse();
        for (DType dtype : List.of(DType.F32, DType.I64, DType.F64)) {
            Tensor.arange(0, 100, 1, dtype).close();
        }
        Tensor.arange(10).close();
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the ranges");
    }
}
