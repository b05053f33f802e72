package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.ServiceLoader;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The samplers that run their rounds on only the elements still pending ({@link PendingRounds}) put each draw back at
 * its own element: batches whose parameters cycle through classes, some settled in the first round and others needing
 * many (Knuth's and inversion's as many as the count drawn), must give every class the moments of its own
 * distribution, within {@value #STANDARD_ERRORS} standard errors over its {@value #PER_CLASS} draws, and the classes
 * drawn in the most rounds its frequencies: a chi-square statistic within {@value #STANDARD_ERRORS} standard
 * deviations (sqrt(2 df)) of its mean df. A draw put at another element's position would mix the classes.
 */
class PendingRoundsSamplingTest {
    private static final int ELEMENTS = 500;
    private static final int SAMPLES = 200;
    private static final double STANDARD_ERRORS = 5;

    /** Draws of the memory tests: enough that the rounds' tensors dwarf everything else the backend holds. */
    private static final int LARGE = 100000;

    private static final int PER_CLASS = SAMPLES * ELEMENTS / 5;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(2026);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Rates 0 and 0.02 settle in round one, 9.9 takes Knuth's longest runs; 40 and 5000 go to PTRS. */
    @Test
    void poissonDrawsOfAMixedBatchFollowEachElementsOwnRate() {
        double[] rates = {0, 0.02, 9.9, 40, 5000};
        double[][] byClass = classes(new Poisson(cycle(rates)).sample(SAMPLES), rates.length);
        assertEquals(0, Arrays.stream(byClass[0]).map(Math::abs).max().orElseThrow(), "draws of rate 0");
        for (int c = 1; c < rates.length; c++) {
            assertMoments("rate " + rates[c], byClass[c], rates[c], rates[c], 3 + 1 / rates[c]);
        }
        Poisson slowest = new Poisson(Tensor.full(9.9, DType.F64));
        assertChiSquare("rate 9.9", byClass[2], k -> Math.exp(slowest.logProb(Tensor.full(k, DType.F64)).item()));
    }

    /**
     * 10 trials at 0.001 and 12 at 0 settle at once; 60 at 0.15 and 40 at 0.8 (mirrored to 0.2) take inversion's
     * long runs; 1000 at 0.5 goes to BTRS.
     */
    @Test
    void binomialDrawsOfAMixedBatchFollowEachElementsOwnParameters() {
        double[] totals = {10, 60, 40, 1000, 12};
        double[] probs = {0.001, 0.15, 0.8, 0.5, 0};
        double[][] byClass = classes(Binomial.ofProbs(cycle(totals), cycle(probs)).sample(SAMPLES), totals.length);
        for (int c = 0; c < totals.length; c++) {
            double n = totals[c];
            double p = probs[c];
            double variance = n * p * (1 - p);
            if (variance == 0) {
                assertEquals(0, Arrays.stream(byClass[c]).map(Math::abs).max().orElseThrow(),
                        "draws of " + n + " trials at " + p);
            } else {
                assertMoments(n + " trials at " + p, byClass[c], n * p, variance, 3 + (1 - 6 * p * (1 - p)) / variance);
            }
        }
        Binomial longest = Binomial.ofProbs(Tensor.full(60, DType.F64), Tensor.full(0.15, DType.F64));
        assertChiSquare("60 trials at 0.15", byClass[1],
                k -> Math.exp(longest.logProb(Tensor.full(k, DType.F64)).item()));
    }

    /** Concentration 0.05 is boosted, 1 and 30 are not; each class keeps its own mean and variance. */
    @Test
    void gammaDrawsOfAMixedBatchFollowEachElementsOwnConcentration() {
        double[] alphas = {0.05, 1, 30, 2, 0.5};
        double[][] byClass = classes(new Gamma(cycle(alphas), Tensor.full(1.0, DType.F64)).sample(SAMPLES),
                alphas.length);
        for (int c = 0; c < alphas.length; c++) {
            assertMoments("concentration " + alphas[c], byClass[c], alphas[c], alphas[c], 3 + 6 / alphas[c]);
        }
    }

    @Test
    void theSameSeedDrawsTheSameCountsThroughThePendingRounds() {
        Poisson poisson = new Poisson(cycle(new double[] {0.02, 9.9, 40}));
        Binomial binomial = Binomial.ofProbs(cycle(new double[] {60, 1000}), cycle(new double[] {0.15, 0.5}));
        Engine.seed(99);
        double[] counts = poisson.sample(20).toDoubleArray();
        double[] successes = binomial.sample(20).toDoubleArray();
        Engine.seed(99);
        assertArrayEquals(counts, poisson.sample(20).toDoubleArray(), 0);
        assertArrayEquals(successes, binomial.sample(20).toDoubleArray(), 0);
    }

    /**
     * A batch wholly on inversion's side of the switch makes none of BTRS's constants (two log-gammas of some thirty
     * tensors each), and the constants of the sampler it runs are kept without the intermediates they were made of:
     * 34 tensors of the draws' size at the peak, 163 when every constant's intermediates stayed through the rounds.
     */
    @Test
    void binomialSamplingHoldsNoUnusedSamplersConstantsNorTheirIntermediates() {
        try (Backend fresh = freshCpu()) {
            Tensor total = Tensor.full(90.0, DType.F64, LARGE).to(fresh);
            Tensor probs = Tensor.full(0.1, DType.F64, LARGE).to(fresh);
            Binomial.ofProbs(total, probs).sample();
            assertPeakBelow(fresh, 64, "Binomial");
        }
    }

    /** Knuth's batch makes none of PTRS's constants: 13 tensors of the draws' size at the peak, 28 when it did. */
    @Test
    void poissonSamplingHoldsNoUnusedSamplersConstantsNorTheirIntermediates() {
        try (Backend fresh = freshCpu()) {
            new Poisson(Tensor.full(3.0, DType.F64, LARGE).to(fresh)).sample();
            assertPeakBelow(fresh, 20, "Poisson");
        }
    }

    /**
     * Knuth's rounds at rate 9.9 number as many as the largest count drawn (some thirty); each round's carried product
     * is freed once the next round's replaces it: 14 tensors of the draws' size at the peak, 19 when they stayed.
     */
    @Test
    void poissonSamplingFreesEachRoundsCarriedTensorsOnceReplaced() {
        try (Backend fresh = freshCpu()) {
            new Poisson(Tensor.full(9.9, DType.F64, LARGE).to(fresh)).sample();
            assertPeakBelow(fresh, 16, "Poisson");
        }
    }

    /** A CPU backend of its own, which nothing else has used, so that its peak is the sampling's alone. */
    private static Backend freshCpu() {
        return ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cpu")).findFirst().orElseThrow().create();
    }

    private static void assertPeakBelow(Backend backend, int tensors, String what) {
        long tensor = (long) LARGE * Double.BYTES;
        long peak = backend.peakBytesInUse();
        assertTrue(peak < tensors * tensor, "sampling " + LARGE + " " + what + " draws held up to " + peak / tensor
                + " tensors of their size at once");
    }

    /** ELEMENTS values (F64) cycling through {@code values}. */
    private static Tensor cycle(double[] values) {
        double[] out = new double[ELEMENTS];
        for (int i = 0; i < ELEMENTS; i++) {
            out[i] = values[i % values.length];
        }
        return Tensor.fromArray(out, ELEMENTS);
    }

    /** Draws [SAMPLES, ELEMENTS] split by the class of their element (its position modulo {@code classes}). */
    private static double[][] classes(Tensor draws, int classes) {
        double[] x = draws.toDoubleArray();
        double[][] out = new double[classes][x.length / classes];
        int[] filled = new int[classes];
        for (int i = 0; i < x.length; i++) {
            int c = i % ELEMENTS % classes;
            out[c][filled[c]++] = x[i];
        }
        return out;
    }

    private static void assertMoments(String what, double[] x, double mean, double variance, double kurtosis) {
        double sampleMean = Arrays.stream(x).average().orElseThrow();
        double sampleVariance = Arrays.stream(x).map(v -> (v - sampleMean) * (v - sampleMean)).sum()
                / (x.length - 1);
        assertEquals(mean, sampleMean, STANDARD_ERRORS * Math.sqrt(variance / x.length), what + " sample mean");
        assertEquals(variance, sampleVariance, STANDARD_ERRORS * Math.sqrt((kurtosis - 1) / x.length) * variance,
                what + " sample variance");
    }

    /**
     * Pearson's statistic over the counts whose expected frequency is 5 or more, and one bin for all other counts
     * where theirs is 5 or more too, against its mean df (bins less one) within STANDARD_ERRORS of its standard
     * deviation sqrt(2 df).
     */
    private static void assertChiSquare(String what, double[] x, DoubleUnaryOperator probability) {
        int top = (int) Arrays.stream(x).max().orElseThrow();
        double[] observed = new double[top + 1];
        for (double v : x) {
            observed[(int) v]++;
        }
        double statistic = 0;
        double restObserved = x.length;
        double restExpected = x.length;
        int bins = 0;
        for (int k = 0; k <= top; k++) {
            double expected = probability.applyAsDouble(k) * x.length;
            if (expected >= 5) {
                double seen = observed[k];
                statistic += (seen - expected) * (seen - expected) / expected;
                restObserved -= seen;
                restExpected -= expected;
                bins++;
            }
        }
        if (restExpected >= 5) {
            statistic += (restObserved - restExpected) * (restObserved - restExpected) / restExpected;
            bins++;
        }
        int df = bins - 1;
        assertTrue(statistic < df + STANDARD_ERRORS * Math.sqrt(2 * df),
                what + ": chi-square " + statistic + " over " + df + " degrees of freedom");
    }
}
