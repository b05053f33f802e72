package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The margin and multi-label losses, and CrossEntropyLoss's K-dimensional and class-probability forms: gradients
 * against finite differences (F64) and the errors for bad arguments.
 */
class MoreLossesTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(23);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertRefused(Executable call, String start, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
    }

    private static Tensor indices(long... values) {
        return Tensor.fromArray(values, values.length);
    }

    private static Tensor scores(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }

    // ---- Gradients against finite differences -------------------------------------------------------------------

    @Test
    void softMarginGradientsMatchFiniteDifferences() {
        Tensor target = Tensor.randn(DType.F64, 4, 3).sign();
        GradCheck.check("SoftMarginLoss", in -> new SoftMarginLoss().compute(in[0], in[1]), scores(4, 3), target);
    }

    @Test
    void weightedMultiLabelSoftMarginGradientsOfScoresAndTargetsMatchFiniteDifferences() {
        Tensor target = Tensor.uniform(0, 1, DType.F64, 4, 3).requiresGrad(true);
        MultiLabelSoftMarginLoss loss = new MultiLabelSoftMarginLoss(Tensor.fromArray(new double[] {0.5, 2, 1}, 3),
                Reduction.NONE);
        GradCheck.check("MultiLabelSoftMarginLoss(weight)", in -> loss.compute(in[0], in[1]), scores(4, 3), target);
    }

    @Test
    void multiMarginGradientsMatchFiniteDifferencesForPOneAndTwo() {
        Tensor target = indices(4, 0, 2, 2);
        Tensor weight = Tensor.fromArray(new double[] {0.5, 2, 1, 1.5, 3}, 5);
        GradCheck.check("MultiMarginLoss(p=1)", in -> new MultiMarginLoss().compute(in[0], in[1]), scores(4, 5),
                target);
        GradCheck.check("MultiMarginLoss(p=2, margin 0.5, weight)",
                in -> new MultiMarginLoss(2, 0.5, weight, Reduction.NONE).compute(in[0], in[1]), scores(4, 5), target);
    }

    @Test
    void multiLabelMarginGradientsMatchFiniteDifferences() {
        Tensor target = Tensor.fromArray(new long[] {2, 0, -1, 4, 1, 3, 3, -1, -1, -1, 0, 1, 2, 3, -1}, 3, 5);
        GradCheck.check("MultiLabelMarginLoss", in -> new MultiLabelMarginLoss().compute(in[0], in[1]),
                scores(3, 5), target);
    }

    @Test
    void tripletWithDistanceGradientsMatchFiniteDifferencesWithSwap() {
        TripletMarginWithDistanceLoss loss = new TripletMarginWithDistanceLoss(null, 2, true, Reduction.NONE);
        GradCheck.check("TripletMarginWithDistanceLoss(swap)", in -> loss.compute(in[0], in[1], in[2]),
                scores(4, 3), scores(4, 3), scores(4, 3));
    }

    @Test
    void crossEntropyOfProbabilitiesGradientsOfLogitsAndTargetsMatchFiniteDifferences() {
        Tensor target = F.softmax(Tensor.randn(DType.F64, 2, 3, 4), 1).detach().requiresGrad(true);
        CrossEntropyLoss loss = new CrossEntropyLoss(Tensor.fromArray(new double[] {0.5, 2, 1}, 3), 0.2, -100,
                Reduction.MEAN);
        GradCheck.check("CrossEntropyLoss(probabilities, weight, smoothing)", in -> loss.compute(in[0], in[1]),
                scores(2, 3, 4), target);
    }

    @Test
    void fourDimensionalCrossEntropyGradientsMatchFiniteDifferences() {
        Tensor target = Tensor.fromArray(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2);
        CrossEntropyLoss loss = new CrossEntropyLoss(Tensor.fromArray(new double[] {0.5, 2, 1}, 3), 0.1, -100,
                Reduction.NONE);
        GradCheck.check("CrossEntropyLoss([2, 3, 2, 2])", in -> loss.compute(in[0], in[1]), scores(2, 3, 2, 2),
                target);
    }

    // ---- Behaviour ------------------------------------------------------------------------------------------------

    @Test
    void crossEntropyOfOneHotProbabilitiesIsTheLossOfTheirClassIndices() {
        Tensor logits = Tensor.randn(DType.F64, 3, 4);
        Tensor oneHot = Tensor.fromArray(new double[] {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1}, 3, 4);
        CrossEntropyLoss loss = new CrossEntropyLoss(0.1);
        assertEquals(loss.compute(logits, indices(2, 0, 3)).item(), loss.compute(logits, oneHot).item(), 1e-12);
    }

    @Test
    void hingeLossIsMultiMarginLossWithPOne() {
        Tensor x = Tensor.randn(DType.F64, 3, 4);
        Tensor y = indices(3, 0, 1);
        assertEquals(new MultiMarginLoss(1, 0.5, null, Reduction.SUM).compute(x, y).item(),
                new HingeLoss(0.5, Reduction.SUM).compute(x, y).item(), 1e-15);
    }

    // ---- Errors ----------------------------------------------------------------------------------------------------

    @Test
    void multiMarginRefusesAPOtherThanOneOrTwo() {
        assertRefused(() -> new MultiMarginLoss(3, 1, null, Reduction.MEAN), "MultiMarginLoss: p must be 1 or 2",
                "got 3");
    }

    @Test
    void multiMarginRefusesATargetOutsideTheClassesNamingTheLossTheTargetAndTheRange() {
        assertEquals("MultiMarginLoss: target 5 is out of range [0, 5)", assertThrows(IllegalArgumentException.class,
                () -> new MultiMarginLoss().compute(Tensor.zeros(DType.F64, 2, 5), indices(1, 5))).getMessage());
        assertEquals("MultiMarginLoss: target -1 is out of range [0, 5)", assertThrows(IllegalArgumentException.class,
                () -> new MultiMarginLoss().compute(Tensor.zeros(DType.F64, 2, 5), indices(-1, 0))).getMessage());
    }

    @Test
    void multiMarginRefusesAnUnbatchedTargetOutsideTheClassesNamingIt() {
        assertEquals("MultiMarginLoss: target 3 is out of range [0, 3)", assertThrows(IllegalArgumentException.class,
                () -> new MultiMarginLoss().compute(Tensor.zeros(DType.F64, 3), Tensor.fromArray(new long[] {3})))
                .getMessage());
    }

    @Test
    void multiMarginRefusesTargetsThatDoNotFitTheScoresNamingBothShapes() {
        assertRefused(() -> new MultiMarginLoss().compute(Tensor.zeros(DType.F64, 3, 5), indices(1, 2)),
                "MultiMarginLoss: input [3, 5] and target [2]", "expected [batch, classes] scores and [batch]");
        assertRefused(() -> new MultiMarginLoss().compute(Tensor.zeros(DType.F64, 2, 3, 5), indices(1, 2)),
                "MultiMarginLoss: input [2, 3, 5] and target [2]", "or [classes] and a scalar");
        assertRefused(() -> new MultiMarginLoss().compute(Tensor.zeros(DType.F64, 2, 5), Tensor.zeros(DType.F64, 2)),
                "MultiMarginLoss: target must hold class indices (I64 or I32)", "got F64");
    }

    @Test
    void multiMarginRefusesAWeightOfTheWrongLength() {
        MultiMarginLoss loss = new MultiMarginLoss(1, 1, Tensor.ones(DType.F64, 4), Reduction.MEAN);
        assertRefused(() -> loss.compute(Tensor.zeros(DType.F64, 2, 5), indices(1, 2)),
                "MultiMarginLoss: weight [4] does not fit the 5 classes of input [2, 5]", "expected [5]");
    }

    @Test
    void multiLabelMarginRefusesEntriesOtherThanMinusOneOrAClassAfterTheListsEndToo() {
        Tensor x = Tensor.zeros(DType.F64, 1, 4);
        assertEquals("MultiLabelMarginLoss: target -2 is out of range [0, 4) and not -1, the end of a row's classes",
                assertThrows(IllegalArgumentException.class, () -> new MultiLabelMarginLoss().compute(x,
                        Tensor.fromArray(new long[] {1, -2, 0, 0}, 1, 4))).getMessage());
        assertEquals("MultiLabelMarginLoss: target 4 is out of range [0, 4) and not -1, the end of a row's classes",
                assertThrows(IllegalArgumentException.class, () -> new MultiLabelMarginLoss().compute(x,
                        Tensor.fromArray(new long[] {1, -1, 4, 0}, 1, 4))).getMessage());
    }

    @Test
    void multiLabelMarginRefusesATargetOfAnotherShapeOrDtype() {
        assertRefused(() -> new MultiLabelMarginLoss().compute(Tensor.zeros(DType.F64, 2, 4),
                        Tensor.fromArray(new long[] {1, -1, 0}, 1, 3)),
                "MultiLabelMarginLoss: input [2, 4] and target [1, 3]", "expected one shape");
        assertRefused(() -> new MultiLabelMarginLoss().compute(Tensor.zeros(DType.F64, 2, 4),
                        Tensor.zeros(DType.F64, 2, 4)),
                "MultiLabelMarginLoss: target must hold class indices", "got F64");
    }

    @Test
    void softMarginRefusesATargetOfAnotherShape() {
        assertRefused(() -> new SoftMarginLoss().compute(Tensor.zeros(DType.F64, 3, 4), Tensor.zeros(DType.F64, 4)),
                "SoftMarginLoss: output [3, 4] and target [4]");
    }

    @Test
    void multiLabelSoftMarginRefusesAWeightOfTheWrongLengthAndScalars() {
        MultiLabelSoftMarginLoss loss = new MultiLabelSoftMarginLoss(Tensor.ones(DType.F64, 3));
        Tensor x = Tensor.zeros(DType.F64, 2, 4);
        assertRefused(() -> loss.compute(x, x), "MultiLabelSoftMarginLoss: weight [3] does not fit the 4 classes",
                "expected [4]");
        Tensor scalar = Tensor.full(0.5, DType.F64);
        assertRefused(() -> new MultiLabelSoftMarginLoss().compute(scalar, scalar),
                "MultiLabelSoftMarginLoss: output and target are scalars", "expected [batch, classes]");
    }

    @Test
    void tripletWithDistanceRefusesANegativeMarginAndMismatchedShapes() {
        assertRefused(() -> new TripletMarginWithDistanceLoss(null, -0.5, false, Reduction.MEAN),
                "TripletMarginWithDistanceLoss: margin must be 0 or more", "got -0.5");
        Tensor a = Tensor.zeros(DType.F64, 2, 3);
        assertRefused(() -> new TripletMarginWithDistanceLoss().compute(a, a, Tensor.zeros(DType.F64, 2, 4)),
                "TripletMarginWithDistanceLoss: anchor [2, 3] and negative [2, 4]");
    }

    @Test
    void crossEntropyRefusesAnIgnoreIndexWithProbabilities() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3);
        assertRefused(() -> new CrossEntropyLoss(0, 1).compute(x, F.softmax(x, 1)),
                "CrossEntropyLoss: class-probability targets take no ignore index", "got 1", "a negative one");
    }

    @Test
    void crossEntropyRefusesIntegerOrMismatchedProbabilities() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3);
        assertRefused(() -> new CrossEntropyLoss().compute(x, Tensor.fromArray(new long[6], 2, 3)),
                "CrossEntropyLoss: a target of the input's shape [2, 3] holds class probabilities",
                "input (F64) and target (I64)");
        assertRefused(() -> new CrossEntropyLoss().compute(x, Tensor.zeros(DType.F32, 2, 3)),
                "CrossEntropyLoss: a target of the input's shape", "target (F32)");
    }

    @Test
    void crossEntropyRefusesClassIndicesThatDoNotFitTheLogitsNamingBothShapes() {
        assertRefused(() -> new CrossEntropyLoss().compute(Tensor.zeros(DType.F64, 2, 3, 5), indices(0, 1)),
                "CrossEntropyLoss: input [2, 3, 5] and target [2]", "expected [batch, classes, d1, ...] logits");
        assertRefused(() -> new CrossEntropyLoss().compute(Tensor.zeros(DType.F64, 2, 3), Tensor.zeros(DType.F64, 2)),
                "CrossEntropyLoss: target [2] must hold class indices (I64 or I32), or class probabilities of the"
                        + " input's shape [2, 3]", "got F64");
    }

    @Test
    void crossEntropyRefusesAFourDimensionalTargetOutsideTheClassesNamingTheLossTheTargetAndTheRange() {
        Tensor target = Tensor.fromArray(new long[] {0, 2, 1, 3}, 1, 2, 2);
        Tensor logits = Tensor.zeros(DType.F64, 1, 3, 2, 2);
        String message = "CrossEntropyLoss: target 3 is out of range [0, 3) and not the ignore index -100";
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss(0.1).compute(logits, target)).getMessage());
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss(Tensor.ones(DType.F64, 3)).compute(logits, target)).getMessage());
    }

    @Test
    void crossEntropyLossRefusesANegativeTargetNamingTheLossTheTargetAndTheRange() {
        Tensor logits = Tensor.zeros(DType.F64, 3, 4);
        assertEquals("CrossEntropyLoss: target -1 is out of range [0, 4) and not the ignore index -100",
                assertThrows(IllegalArgumentException.class,
                        () -> new CrossEntropyLoss().compute(logits, indices(0, -1, 2))).getMessage());
    }

    @Test
    void functionalCrossEntropyNamesItselfTheTargetAndTheRange() {
        Tensor logits = Tensor.zeros(DType.F64, 3, 4);
        assertEquals("crossEntropy: target 4 is out of range [0, 4)", assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(logits, indices(0, 4, 2))).getMessage());
    }

    @Test
    void nllLossRefusesATargetOutsideTheClassesNamingTheLossTheTargetAndTheRange() {
        Tensor logProbabilities = Tensor.zeros(DType.F64, 3, 4);
        assertEquals("NLLLoss: target 5 is out of range [0, 4) and not the ignore index -100",
                assertThrows(IllegalArgumentException.class,
                        () -> new NLLLoss().compute(logProbabilities, indices(0, 5, 2))).getMessage());
    }

    @Test
    void aNullReductionIsRefusedNamingTheLoss() {
        assertRefused(() -> new SoftMarginLoss(null), "SoftMarginLoss: reduction", "got null");
        assertRefused(() -> new MultiLabelSoftMarginLoss(null, null), "MultiLabelSoftMarginLoss: reduction",
                "got null");
        assertRefused(() -> new MultiMarginLoss(1, 1, null, null), "MultiMarginLoss: reduction", "got null");
        assertRefused(() -> new MultiLabelMarginLoss(null), "MultiLabelMarginLoss: reduction", "got null");
        assertRefused(() -> new TripletMarginWithDistanceLoss(null, 1, false, null),
                "TripletMarginWithDistanceLoss: reduction", "got null");
    }
}
