package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The regression and ranking losses against what PyTorch 1.13 printed for the same F64 inputs
 * ({@code models/src/test/pytorch/loss_regression_ranking.py}): the loss and its inputs' gradients, the backward
 * pass taking the upstream gradient 1, 2, 3, ... in the loss's shape (1 for a scalar). The comment on each test
 * names the torch call.
 */
class RegressionAndRankingLossPyTorchTest {
    private static final double TOLERANCE = 1e-10;
    /** Differences OUTPUT - TARGET: 0.5, 0, -2, 3, -0.5, 0. */
    private static final double[] OUTPUT = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
    private static final double[] TARGET = {0.5, 2.0, 5.0, 1.0, 5.5, 6.0};

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A [2, 3] F64 leaf requiring a gradient. */
    private static Tensor leaf(double[] values) {
        return Tensor.fromArray(values.clone(), 2, 3).requiresGrad(true);
    }

    /** Backpropagates 1, 2, 3, ... in the loss's shape and compares the loss. */
    private static void backwardAndCheck(Tensor loss, double[] expected) {
        loss.backward(Tensor.arange(1, loss.size() + 1, 1, DType.F64).reshape(loss.shape().dims()));
        assertClose(expected, loss, "loss");
    }

    private static void assertClose(double[] expected, Tensor actual, String what) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, what + " element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], TOLERANCE * Math.max(1, Math.abs(expected[i])), what + " element " + i);
        }
    }

    /** {@code loss} of OUTPUT against TARGET: its value and the output's gradient. */
    private static void checkElementWise(Loss loss, double[] value, double[] grad) {
        Tensor output = leaf(OUTPUT);
        backwardAndCheck(loss.compute(output, leaf(TARGET).requiresGrad(false)), value);
        assertClose(grad, output.grad(), "gradient");
    }

    // ---- HuberLoss and SmoothL1Loss -------------------------------------------------------------

    @Test
    void huberMean() {
        // torch.nn.HuberLoss()(output, target), PyTorch 1.13
        checkElementWise(new HuberLoss(), new double[] {0.7083333333333334},
                new double[] {0.08333333333333333, 0.0, -0.16666666666666666, 0.16666666666666666,
                    -0.08333333333333333, 0.0});
    }

    @Test
    void huberSum() {
        // torch.nn.HuberLoss(reduction='sum')(output, target), PyTorch 1.13
        checkElementWise(new HuberLoss(1, Reduction.SUM), new double[] {4.25},
                new double[] {0.5, 0.0, -1.0, 1.0, -0.5, 0.0});
    }

    @Test
    void huberNone() {
        // torch.nn.HuberLoss(reduction='none')(output, target), PyTorch 1.13
        checkElementWise(new HuberLoss(1, Reduction.NONE), new double[] {0.125, 0.0, 1.5, 2.5, 0.125, 0.0},
                new double[] {0.5, 0.0, -3.0, 4.0, -2.5, 0.0});
    }

    @Test
    void huberWithTheDifferenceAtDeltaAndTheTargetsGradient() {
        // torch.nn.HuberLoss(delta=0.5)(output, target), gradients of both, PyTorch 1.13
        Tensor output = leaf(OUTPUT);
        Tensor target = leaf(TARGET);
        backwardAndCheck(new HuberLoss(0.5).compute(output, target), new double[] {0.4166666666666667});
        assertClose(new double[] {0.08333333333333333, 0.0, -0.08333333333333333, 0.08333333333333333,
                    -0.08333333333333333, 0.0},
                output.grad(), "output gradient");
        assertClose(new double[] {-0.08333333333333333, 0.0, 0.08333333333333333, -0.08333333333333333,
                    0.08333333333333333, 0.0},
                target.grad(), "target gradient");
    }

    @Test
    void huberWithALargeDelta() {
        // torch.nn.HuberLoss(delta=2.5)(output, target), PyTorch 1.13
        checkElementWise(new HuberLoss(2.5), new double[] {1.1041666666666667},
                new double[] {0.08333333333333333, 0.0, -0.3333333333333333, 0.41666666666666663,
                    -0.08333333333333333, 0.0});
    }

    @Test
    void smoothL1Mean() {
        // torch.nn.SmoothL1Loss()(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(), new double[] {0.7083333333333334},
                new double[] {0.08333333333333333, 0.0, -0.16666666666666666, 0.16666666666666666,
                    -0.08333333333333333, 0.0});
    }

    @Test
    void smoothL1Sum() {
        // torch.nn.SmoothL1Loss(reduction='sum')(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(1, Reduction.SUM), new double[] {4.25},
                new double[] {0.5, 0.0, -1.0, 1.0, -0.5, 0.0});
    }

    @Test
    void smoothL1None() {
        // torch.nn.SmoothL1Loss(reduction='none')(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(1, Reduction.NONE), new double[] {0.125, 0.0, 1.5, 2.5, 0.125, 0.0},
                new double[] {0.5, 0.0, -3.0, 4.0, -2.5, 0.0});
    }

    @Test
    void smoothL1WithTheDifferenceAtBeta() {
        // torch.nn.SmoothL1Loss(beta=0.5)(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(0.5), new double[] {0.8333333333333334},
                new double[] {0.16666666666666666, 0.0, -0.16666666666666666, 0.16666666666666666,
                    -0.16666666666666666, 0.0});
    }

    @Test
    void smoothL1WithALargeBeta() {
        // torch.nn.SmoothL1Loss(beta=2.5)(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(2.5), new double[] {0.44166666666666665},
                new double[] {0.03333333333333333, 0.0, -0.13333333333333333, 0.16666666666666666,
                    -0.03333333333333333, 0.0});
    }

    @Test
    void smoothL1WithBetaZeroIsL1WithPyTorchsGradientMinusOneAtZero() {
        // torch.nn.SmoothL1Loss(beta=0)(output, target), PyTorch 1.13
        checkElementWise(new SmoothL1Loss(0), new double[] {1.0},
                new double[] {0.16666666666666666, -0.16666666666666666, -0.16666666666666666,
                    0.16666666666666666, -0.16666666666666666, -0.16666666666666666});
    }
}
