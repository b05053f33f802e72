package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MixtureSameFamily} beyond PyTorch's numbers: F64 finite-difference gradients ({@link GradCheck}) of logProb,
 * cdf, mean and variance; the shapes of draws; draws judged over {@value #DRAWS} of them, the sample mean within
 * {@value #STANDARD_ERRORS} standard errors of the mean and the frequency of values at most x within as many standard
 * errors sqrt(p (1 - p) / n) of the cdf there; bad component counts and batch shapes refused, naming them; and draws
 * refused, naming both batch shapes, where the mixture's batch is wider than the batch (as PyTorch's sample fails).
 */
class MixtureSameFamilyTest {
    private static final int DRAWS = 100000;
    private static final double STANDARD_ERRORS = 5;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(2028);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor values(double[] v, int... dims) {
        return Tensor.fromArray(v, dims);
    }

    private static Tensor leaf(double[] v, int... dims) {
        return values(v, dims).requiresGrad(true);
    }

    private static MixtureSameFamily mixture(Tensor logits, Tensor loc, Tensor scale) {
        return new MixtureSameFamily(Categorical.ofLogits(logits), new Normal(loc, scale));
    }

    @Test
    void logProbCdfAndMomentsHaveFiniteDifferenceGradients() {
        Tensor logits = leaf(new double[] {0.5, -1.0, 0.2, 1.5, 0.0, -0.5}, 2, 3);
        Tensor loc = leaf(new double[] {0.5, -1.0, 2.0, 0.0, 1.5, -0.3}, 2, 3);
        Tensor scale = leaf(new double[] {0.5, 1.2, 2.0, 0.3, 1.0, 0.8}, 2, 3);
        Tensor x = leaf(new double[] {0.3, -1.2}, 2);
        GradCheck.check("logProb", in -> mixture(in[0], in[1], in[2]).logProb(in[3]), logits, loc, scale, x);
        GradCheck.check("cdf", in -> mixture(in[0], in[1], in[2]).cdf(in[3]), logits, loc, scale, x);
        GradCheck.check("mean", in -> mixture(in[0], in[1], scale.detach()).mean(), logits, loc);
        GradCheck.check("variance", in -> mixture(in[0], in[1], in[2]).variance(), logits, loc, scale);
    }

    @Test
    void momentsWeighEachComponentByTheMixtureRowItsBatchBroadcastsTo() {
        // The mixture's batch [2] broadcasts with the components' [3, 2] from the right: row (i, j) takes weights j.
        double[] probs = {0.7, 0.2, 0.1, 0.1, 0.3, 0.6};
        double[] loc = new double[18];
        double[] scale = new double[18];
        for (int i = 0; i < 18; i++) {
            loc[i] = i * 0.5 - 3;
            scale[i] = 0.5 + 0.1 * i;
        }
        MixtureSameFamily d = new MixtureSameFamily(Categorical.ofProbs(values(probs, 2, 3)),
                new Normal(values(loc, 3, 2, 3), values(scale, 3, 2, 3)));
        double[] mean = new double[6];
        double[] variance = new double[6];
        for (int row = 0; row < 6; row++) {
            int j = row % 2;
            for (int c = 0; c < 3; c++) {
                mean[row] += probs[3 * j + c] * loc[3 * row + c];
            }
            for (int c = 0; c < 3; c++) {
                double deviation = loc[3 * row + c] - mean[row];
                variance[row] += probs[3 * j + c] * (scale[3 * row + c] * scale[3 * row + c] + deviation * deviation);
            }
        }
        assertEquals(Shape.of(3, 2), d.mean().shape());
        assertArrayEquals(mean, d.mean().toDoubleArray(), 1e-12, "mean");
        assertArrayEquals(variance, d.variance().toDoubleArray(), 1e-12, "variance");
    }

    @Test
    void drawsHaveTheSampleShapeThenTheBatchAndEventShapes() {
        Tensor logits = Tensor.zeros(DType.F64, 3);
        Tensor loc = Tensor.zeros(DType.F64, 2, 3, 4);
        MixtureSameFamily d = new MixtureSameFamily(Categorical.ofLogits(logits),
                new Independent(new Normal(loc, loc.add(1)), 1));
        assertEquals(Shape.of(2), d.batchShape());
        assertEquals(Shape.of(4), d.eventShape());
        assertEquals(Shape.of(5, 6, 2, 4), d.sample(5, 6).shape());
        assertFalse(d.hasRsample());
    }

    @Test
    void drawsHaveTheMixturesMeanAndCdf() {
        double[] weights = {0.2, 0.5, 0.3};
        MixtureSameFamily d = new MixtureSameFamily(Categorical.ofProbs(values(weights, 3)),
                new Normal(values(new double[] {-3, 0, 4}, 3), values(new double[] {0.5, 1, 2}, 3)));
        double[] x = d.sample(DRAWS).toDoubleArray();
        double mean = d.mean().item();
        assertEquals(-0.6 + 1.2, mean, 1e-12, "mean");
        double sampleMean = Arrays.stream(x).average().orElseThrow();
        assertEquals(mean, sampleMean, STANDARD_ERRORS * Math.sqrt(d.variance().item() / DRAWS), "sample mean");
        for (double point : new double[] {-3.5, -2, 0, 1, 5}) {
            double p = d.cdf(Tensor.full(point, DType.F64)).item();
            long below = Arrays.stream(x).filter(v -> v <= point).count();
            assertEquals(p, below / (double) DRAWS, STANDARD_ERRORS * Math.sqrt(p * (1 - p) / DRAWS),
                    "frequency of draws <= " + point);
        }
    }

    /** As in PyTorch 1.13, such a mixture is built and has a logProb, but its draws would need the mixture's axes. */
    @Test
    void drawingIsRefusedWhereTheMixtureBatchHasAxesTheBatchLacks() {
        Tensor ones = Tensor.ones(DType.F64, 3, 4);
        MixtureSameFamily d = new MixtureSameFamily(Categorical.ofLogits(Tensor.zeros(DType.F64, 2, 3, 4)),
                new Normal(ones, ones));
        assertEquals(Shape.of(3), d.batchShape());
        assertEquals(Shape.of(2, 3), d.logProb(Tensor.full(0, DType.F64)).shape());
        assertEquals("MixtureSameFamily(Categorical(logits: [2, 3, 4]), Normal(loc: [3, 4], scale: [3, 4])).sample:"
                + " the mixture's batch shape [2, 3] is wider than the batch shape [3] (the components' [3, 4] less"
                + " their last axis), so a draw has no place for its choices (PyTorch's sample fails too); expand the"
                + " components to batch shape [2, 3, 4]",
                assertThrows(UnsupportedOperationException.class, () -> d.sample(5)).getMessage());
    }

    @Test
    void drawingIsRefusedWhereTheMixtureBatchIsLongerThanTheBatchOnAnAxis() {
        Tensor ones = Tensor.ones(DType.F64, 1, 4);
        MixtureSameFamily d = new MixtureSameFamily(Categorical.ofLogits(Tensor.zeros(DType.F64, 2, 4)),
                new Normal(ones, ones));
        assertEquals("MixtureSameFamily(Categorical(logits: [2, 4]), Normal(loc: [1, 4], scale: [1, 4])).sample:"
                + " the mixture's batch shape [2] is wider than the batch shape [1] (the components' [1, 4] less"
                + " their last axis), so a draw has no place for its choices (PyTorch's sample fails too); expand the"
                + " components to batch shape [2, 4]",
                assertThrows(UnsupportedOperationException.class, d::sample).getMessage());
    }

    @Test
    void aMixtureOfAnotherComponentCountIsRefused() {
        Tensor four = Tensor.zeros(DType.F64, 4);
        Tensor ones = Tensor.ones(DType.F64, 2, 3);
        assertEquals("MixtureSameFamily: the mixture Categorical(logits: [4]) has 4 classes, the components"
                + " Normal(loc: [2, 3], scale: [2, 3]) 3 (the last axis of batch shape [2, 3])",
                assertThrows(IllegalArgumentException.class, () -> new MixtureSameFamily(Categorical.ofLogits(four),
                        new Normal(ones, ones))).getMessage());
    }

    @Test
    void aMixtureBatchThatDoesNotBroadcastAndComponentsWithoutABatchAreRefused() {
        Tensor ones = Tensor.ones(DType.F64, 2, 3);
        assertEquals("MixtureSameFamily: the mixture's batch shape [5] does not broadcast with the components' [2]"
                + " (their batch shape [2, 3] less the components' axis)",
                assertThrows(IllegalArgumentException.class, () -> new MixtureSameFamily(
                        Categorical.ofLogits(Tensor.zeros(DType.F64, 5, 3)), new Normal(ones, ones))).getMessage());
        Tensor one = Tensor.full(1, DType.F64);
        assertThrows(IllegalArgumentException.class, () -> new MixtureSameFamily(
                Categorical.ofLogits(Tensor.zeros(DType.F64, 1)), new Normal(one, one)));
    }
}
