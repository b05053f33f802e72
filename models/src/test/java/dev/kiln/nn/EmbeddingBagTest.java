package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

/**
 * {@link EmbeddingBag}: bags against sums written out here, PyTorch's defaults and names, gradients against finite
 * differences, and the errors (PyTorch's numbers are in {@link UnpoolBagPyTorchParityTest}).
 */
class EmbeddingBagTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(11);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A bag over rows {0: (1, 2), 1: (3, 0.5), 2: (3, 4), 3: (0, 0)}. */
    private static EmbeddingBag bag(EmbeddingBag layer) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            layer.weight().assign(Tensor.fromArray(new float[] {1, 2, 3, 0.5f, 3, 4, 0, 0}, 4, 2));
        }
        return layer;
    }

    private static Tensor longs(long... values) {
        return Tensor.fromArray(values, values.length);
    }

    @Test
    void theDefaultModeIsTheMeanAsInPyTorch() {
        EmbeddingBag layer = bag(new EmbeddingBag(4, 2));
        assertEquals(EmbeddingBag.Mode.MEAN, layer.mode());
        Tensor y = layer.forward(Tensor.fromArray(new long[] {0, 1, 2, 2}, 2, 2));
        assertArrayEquals(new float[] {2, 1.25f, 3, 4}, y.toFloatArray());
    }

    @Test
    void offsetsStartEachBagAndAnEmptyBagIsZero() {
        EmbeddingBag layer = bag(new EmbeddingBag(4, 2, EmbeddingBag.Mode.SUM));
        Tensor y = layer.forward(longs(1, 2, 0, 1, 3, 2), longs(0, 2, 2, 5));
        assertArrayEquals(new float[] {6, 4.5f, 0, 0, 4, 2.5f, 3, 4}, y.toFloatArray());
    }

    @Test
    void theLastOffsetIncludedEndsTheLastBag() {
        EmbeddingBag layer = bag(EmbeddingBag.builder(4, 2).mode(EmbeddingBag.Mode.SUM).includeLastOffset(true).build());
        Tensor y = layer.forward(longs(1, 2, 0, 1, 3, 2), longs(0, 2, 4));
        assertArrayEquals(new float[] {6, 4.5f, 4, 2.5f}, y.toFloatArray());
    }

    @Test
    void thePaddingIndexIsLeftOutOfSumsMeansAndMaxima() {
        Tensor indices = longs(1, 2, 0, 1, 3, 3);
        Tensor offsets = longs(0, 2, 4);
        assertArrayEquals(new float[] {3, 2.25f, 2, 1.25f, 0, 0},
                bag(EmbeddingBag.builder(4, 2).paddingIdx(3).build()).forward(indices, offsets).toFloatArray());
        // Row 3 is (0, 0): were it counted, the first bag's maximum would be (0, 0) rather than (-1, -2).
        EmbeddingBag max = bag(EmbeddingBag.builder(4, 2).mode(EmbeddingBag.Mode.MAX).paddingIdx(3).build());
        try (Autograd.Guard g = Autograd.noGrad()) {
            max.weight().assign(Tensor.fromArray(new float[] {-1, -2, -3, -1, 3, 4, 0, 0}, 4, 2));
        }
        assertArrayEquals(new float[] {-1, -2, 0, 0}, max.forward(Tensor.fromArray(new long[] {0, 3, 3, 3}, 2, 2))
                .toFloatArray());
    }

    @Test
    void thePaddingRowStartsAtZeroAndGetsNoGradient() {
        EmbeddingBag layer = EmbeddingBag.builder(5, 3).mode(EmbeddingBag.Mode.SUM).paddingIdx(-2).build();
        assertEquals(3, layer.paddingIdx());
        assertArrayEquals(new float[] {0, 0, 0}, layer.weight().narrow(0, 3, 1).toFloatArray());
        layer.forward(Tensor.fromArray(new long[] {3, 1, 3, 3}, 2, 2)).sum().backward();
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, layer.weight().grad().toFloatArray());
    }

    @Test
    void hasPyTorchsWeightNameAndDescribesItsSettingsAsPyTorch() {
        EmbeddingBag layer = EmbeddingBag.builder(10, 3).mode(EmbeddingBag.Mode.MAX).paddingIdx(1)
                .includeLastOffset(true).build();
        assertEquals(List.of("weight"), List.copyOf(layer.stateDict().keySet()));
        assertArrayEquals(new int[] {10, 3}, layer.weight().shape().dims());
        assertEquals("EmbeddingBag(10, 3, mode=max, padding_idx=1)", layer.toString());
        assertEquals("EmbeddingBag(10, 3, mode=max, padding_idx=1, include_last_offset=True)", layer.describe());
        assertEquals("EmbeddingBag(4, 2, mode=mean)", new EmbeddingBag(4, 2).toString());
    }

    @Test
    void sumWithPerSampleWeightsMatchesFiniteDifferencesInF64() {
        EmbeddingBag layer = EmbeddingBag.builder(6, 3).mode(EmbeddingBag.Mode.SUM).paddingIdx(5).build();
        layer.to(DType.F64);
        Tensor indices = longs(0, 5, 2, 2, 4, 1, 3);
        Tensor offsets = longs(0, 3, 3, 5);
        Tensor weights = Tensor.randn(DType.F64, 7).requiresGrad(true);
        GradCheck.check("EmbeddingBag sum", in -> layer.forward(indices, offsets, in[1]).tanh(), layer.weight(), weights);
    }

    @Test
    void meanMatchesFiniteDifferencesInF64() {
        EmbeddingBag layer = EmbeddingBag.builder(6, 3).paddingIdx(0).build();
        layer.to(DType.F64);
        Tensor indices = Tensor.fromArray(new long[] {0, 5, 2, 2, 4, 1, 0, 3}, 2, 4);
        GradCheck.check("EmbeddingBag mean", in -> layer.forward(indices).tanh(), layer.weight());
    }

    @Test
    void maxMatchesFiniteDifferencesInF64() {
        EmbeddingBag layer = EmbeddingBag.builder(6, 3).mode(EmbeddingBag.Mode.MAX).paddingIdx(0).build();
        layer.to(DType.F64);
        Tensor indices = longs(1, 5, 0, 2, 4, 3, 0);
        Tensor offsets = longs(0, 2, 3, 6);
        GradCheck.check("EmbeddingBag max", in -> layer.forward(indices, offsets).tanh(), layer.weight());
    }

    @Test
    void offsetsThatDoNotStartAtZeroAreRefused() {
        EmbeddingBag layer = new EmbeddingBag(4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.forward(longs(1, 2, 0), longs(1, 2)));
        assertEquals("EmbeddingBag(4, 2, mode=mean): offsets[0] must be 0, the start of the first bag, got 1",
                e.getMessage());
    }

    @Test
    void decreasingOffsetsAreRefusedWithBothValues() {
        EmbeddingBag layer = new EmbeddingBag(4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.forward(longs(1, 2, 0, 3), longs(0, 3, 2)));
        assertEquals("EmbeddingBag(4, 2, mode=mean): offsets must not decrease, got offsets[2] = 2 after offsets[1] = 3",
                e.getMessage());
    }

    @Test
    void anOffsetPastTheInputsEndIsRefused() {
        EmbeddingBag layer = EmbeddingBag.builder(4, 2).includeLastOffset(true).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.forward(longs(1, 2, 0), longs(0, 2, 4)));
        assertEquals("EmbeddingBag(4, 2, mode=mean, include_last_offset=True): offsets[2] = 4 is past the end of the"
                + " input [3]", e.getMessage());
    }

    @Test
    void perSampleWeightsOutsideSumModeAreRefusedNamingTheMode() {
        EmbeddingBag layer = new EmbeddingBag(4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.forward(longs(1, 2, 0), longs(0, 2), Tensor.ones(3)));
        assertEquals("EmbeddingBag(4, 2, mode=mean): per-sample weights need mode sum, got mode mean", e.getMessage());
    }

    @Test
    void perSampleWeightsOfAnotherShapeAreRefusedWithBothShapes() {
        EmbeddingBag layer = new EmbeddingBag(4, 2, EmbeddingBag.Mode.SUM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.forward(Tensor.fromArray(new long[] {1, 2, 0, 3}, 2, 2), null, Tensor.ones(4)));
        assertEquals("EmbeddingBag(4, 2, mode=sum): per-sample weights [4] must have the indices' shape [2, 2]",
                e.getMessage());
    }

    @Test
    void theTwoInputFormsAreRefusedMixedUp() {
        EmbeddingBag layer = new EmbeddingBag(4, 2);
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> layer.forward(Tensor.fromArray(new long[] {1, 2, 0, 3}, 2, 2), longs(0, 1)));
        assertEquals("EmbeddingBag(4, 2, mode=mean): a 2-D input [2, 2] holds a bag per row; offsets must be null, got"
                + " offsets [2]", rows.getMessage());
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class, () -> layer.forward(longs(1, 2)));
        assertEquals("EmbeddingBag(4, 2, mode=mean): a 1-D input [2] needs offsets, the first index of each bag",
                flat.getMessage());
    }

    @Test
    void anIndexOutOfRangeNamesTheLayer() {
        EmbeddingBag layer = new EmbeddingBag(4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.forward(Tensor.fromArray(new long[] {1, 4}, 1, 2)));
        assertEquals("EmbeddingBag(4, 2, mode=mean): indices [1, 2]: embedding: index 4 is out of range [0, 4) for axis"
                + " 0 of [4, 2]", e.getMessage());
    }

    @Test
    void badSettingsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingBag.builder(4, 2).paddingIdx(4).build());
        assertEquals("EmbeddingBag(4, 2): padding index 4 is outside [-4, 4)", e.getMessage());
    }
}
