package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** NLLLoss and CrossEntropyLoss's class weights: gradients, padding rows and the errors for bad arguments. */
class ClassWeightLossTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(13);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor weight(double... values) {
        return Tensor.fromArray(values, values.length);
    }

    private static Tensor indices(long... targets) {
        return Tensor.fromArray(targets, targets.length);
    }

    private static void assertRefused(Executable compute, String start, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, compute);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
    }

    // ---- Values -------------------------------------------------------------------------------------------------

    @Test
    void crossEntropyWithUnitWeightsIsTheUnweightedLoss() {
        Tensor logits = Tensor.randn(DType.F64, 5, 4);
        Tensor y = indices(3, 0, -100, 2, 2);
        for (Reduction reduction : Reduction.values()) {
            Tensor weighted = new CrossEntropyLoss(weight(1, 1, 1, 1), 0.3, -100, reduction).compute(logits, y);
            Tensor plain = new CrossEntropyLoss(0.3, -100, reduction).compute(logits, y);
            assertEquals(plain.shape(), weighted.shape(), reduction.name());
            double[] expected = plain.toDoubleArray();
            double[] actual = weighted.toDoubleArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-12, reduction + " element " + i);
            }
        }
    }

    @Test
    void nllIgnoresAPaddingRowOfMinusInfinity() {
        double inf = Double.POSITIVE_INFINITY;
        Tensor logProbabilities = Tensor.fromArray(new double[] {-inf, -inf, -0.1, -2.5}, 2, 2).requiresGrad(true);
        Tensor loss = new NLLLoss(weight(2, 3)).compute(logProbabilities, indices(-100, 1));
        assertEquals(2.5, loss.item(), 1e-12);
        loss.backward();
        assertEquals(List.of(0.0, 0.0, 0.0, -1.0),
                Arrays.stream(logProbabilities.grad().toDoubleArray()).boxed().toList());
    }

    @Test
    void weightedCrossEntropyIgnoresAPaddingRowOfInfiniteLogits() {
        double inf = Double.POSITIVE_INFINITY;
        Tensor logits = Tensor.fromArray(new double[] {inf, -inf, 0, 0}, 2, 2);
        CrossEntropyLoss loss = new CrossEntropyLoss(weight(2, 3), 0.2, -100, Reduction.MEAN);
        double expected = 0.8 * Math.log(2) + 0.2 * (2 + 3) * Math.log(2) / 2 / 3;
        assertEquals(expected, loss.compute(logits, indices(-100, 1)).item(), 1e-12);
    }

    @Test
    void nllMeanOverRowsThatAreAllIgnoredIsNaNAsInPyTorch() {
        Tensor loss = new NLLLoss().compute(Tensor.zeros(DType.F64, 2, 3), indices(-100, -100));
        assertTrue(Double.isNaN(loss.item()), "got " + loss.item());
    }

    @Test
    void nllAcceptsI32Targets() {
        Tensor logProbabilities = Tensor.fromArray(new double[] {-0.5, -1, -2, -3}, 2, 2);
        Tensor targets = Tensor.fromArray(new int[] {1, 0}, 2);
        assertEquals((1 * 1 + 0.5 * 2) / 1.5,
                new NLLLoss(weight(0.5, 1)).compute(logProbabilities, targets).item(), 1e-12);
    }

    // ---- Gradients against finite differences (F64) ------------------------------------------------------------

    @Test
    void weightedNllGradientsMatchFiniteDifferences() {
        Tensor input = Tensor.randn(DType.F64, 5, 4).requiresGrad(true);
        Tensor y = indices(3, 0, -100, 2, 2);
        GradCheck.check("NLLLoss(weight)", in -> new NLLLoss(weight(0.5, 2, 1.5, 3)).compute(in[0], in[1]), input, y);
    }

    @Test
    void perPositionNllGradientsMatchFiniteDifferences() {
        Tensor input = Tensor.randn(DType.F64, 2, 3, 2, 2).requiresGrad(true);
        Tensor y = Tensor.fromArray(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2);
        GradCheck.check("NLLLoss(none) [2, 3, 2, 2]",
                in -> new NLLLoss(weight(1, 0.25, 2), -100, Reduction.NONE).compute(in[0], in[1]), input, y);
    }

    @Test
    void weightedSmoothedCrossEntropyGradientsMatchFiniteDifferences() {
        Tensor logits = Tensor.randn(DType.F64, 5, 4).requiresGrad(true);
        Tensor y = indices(3, 0, 1, 2, 1);
        GradCheck.check("CrossEntropyLoss(weight, 0.2, ignore 1)",
                in -> new CrossEntropyLoss(weight(0.5, 2, 1.5, 3), 0.2, 1, Reduction.MEAN).compute(in[0], in[1]),
                logits, y);
    }

    // ---- Errors -------------------------------------------------------------------------------------------------

    @Test
    void nllRefusesTargetsThatDoNotFitTheInputNamingBothShapes() {
        assertRefused(() -> new NLLLoss().compute(Tensor.zeros(DType.F64, 4, 3), indices(0, 1, 2)),
                "NLLLoss: input [4, 3] and target [3]", "expected [batch, classes, d1, ...]");
        assertRefused(() -> new NLLLoss().compute(Tensor.zeros(DType.F64, 2, 3, 5), indices(0, 1)),
                "NLLLoss: input [2, 3, 5] and target [2]");
        assertRefused(() -> new NLLLoss().compute(Tensor.zeros(DType.F64, 2, 3, 5),
                Tensor.fromArray(new long[6], 2, 3)), "NLLLoss: input [2, 3, 5] and target [2, 3]");
    }

    @Test
    void nllRefusesFloatingTargetsAndIntegerInput() {
        assertRefused(() -> new NLLLoss().compute(Tensor.zeros(DType.F64, 2, 3), Tensor.zeros(DType.F64, 2)),
                "NLLLoss: target must hold class indices", "got F64");
        assertRefused(() -> new NLLLoss().compute(Tensor.fromArray(new long[6], 2, 3), indices(0, 1)),
                "NLLLoss: input must hold log-probabilities", "got I64");
    }

    @Test
    void nllRefusesATargetOutsideTheClassesThatIsNotTheIgnoreIndex() {
        assertRefused(() -> new NLLLoss().compute(Tensor.zeros(DType.F64, 2, 3), indices(0, 3)),
                "NLLLoss: target 3 is out of range [0, 3) and not the ignore index -100");
        assertRefused(() -> new NLLLoss().compute(Tensor.zeros(DType.F64, 2, 3), indices(-1, 0)),
                "NLLLoss: target -1 is out of range [0, 3)");
    }

    @Test
    void weightOfTheWrongLengthIsRefusedNamingBothShapes() {
        assertRefused(() -> new NLLLoss(weight(1, 2)).compute(Tensor.zeros(DType.F64, 2, 3), indices(0, 1)),
                "NLLLoss: weight [2]", "3 classes of input [2, 3]", "expected [3]");
        assertRefused(() -> new CrossEntropyLoss(weight(1, 2)).compute(Tensor.zeros(DType.F64, 2, 3), indices(0, 1)),
                "CrossEntropyLoss: weight [2]", "expected [3]");
    }

    @Test
    void weightOfAnotherDtypeThanTheInputIsRefused() {
        Tensor f32 = Tensor.ones(DType.F32, 3);
        assertRefused(() -> new NLLLoss(f32).compute(Tensor.zeros(DType.F64, 2, 3), indices(0, 1)),
                "NLLLoss: weight is F32, input F64");
        assertRefused(() -> new CrossEntropyLoss(f32).compute(Tensor.zeros(DType.F64, 2, 3), indices(0, 1)),
                "CrossEntropyLoss: weight is F32, input F64");
    }

    @Test
    void weightThatIsNotAFloatingVectorIsRefusedWhenTheLossIsMade() {
        assertRefused(() -> new NLLLoss(Tensor.ones(DType.F64, 1, 3)), "NLLLoss: weight must be a floating [classes]",
                "[1, 3]");
        assertRefused(() -> new CrossEntropyLoss(Tensor.fromArray(new long[3], 3)),
                "CrossEntropyLoss: weight must be a floating [classes]", "I64");
    }

    @Test
    void aNullReductionIsRefusedNamingTheLoss() {
        assertRefused(() -> new NLLLoss(null, -100, null), "NLLLoss: reduction", "got null");
        assertRefused(() -> new CrossEntropyLoss(weight(1, 2), 0, -100, null), "CrossEntropyLoss: reduction",
                "got null");
    }

    @Test
    void weightedCrossEntropyRefusesLabelSmoothingOutsideZeroToOne() {
        assertRefused(() -> new CrossEntropyLoss(weight(1, 2), 1.5, -100, Reduction.MEAN),
                "CrossEntropyLoss: label smoothing must be in [0, 1]", "got 1.5");
    }
}
