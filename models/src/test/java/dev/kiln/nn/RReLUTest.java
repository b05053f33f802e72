package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RReLU}'s random slopes in training and its fixed one in evaluation. */
class RReLUTest {
    private static final int N = 100_000;
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** -1 - i / N: every input negative, so that each output over its input is the slope it drew. */
    private static Tensor negatives() {
        double[] x = new double[N];
        for (int i = 0; i < N; i++) {
            x[i] = -1 - i / (double) N;
        }
        return Tensor.fromArray(x, N).requiresGrad(true);
    }

    @Test
    void trainingDrawsEachNegativeSlopeUniformlyFromLowerToUpper() {
        Engine.seed(4);
        Tensor x = negatives();
        double[] slopes = new RReLU(0.1, 0.3).forward(x).div(x).toDoubleArray();
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double s : slopes) {
            assertTrue(s >= 0.1 - 1e-15 && s <= 0.3 + 1e-15, "slope " + s + " outside [0.1, 0.3]");
            sum += s;
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        // Uniform on [0.1, 0.3]: standard deviation 0.058, so the mean of 1e5 draws is 0.2 within 2e-4 (one sigma).
        assertEquals(0.2, sum / N, 0.002);
        assertTrue(min < 0.101 && max > 0.299, "slopes span the range: " + min + " to " + max);
    }

    @Test
    void trainingKeepsPositivesAndTheGradientIsTheDrawnSlope() {
        Engine.seed(5);
        Tensor x = Tensor.fromArray(new double[] {-2, -1, 0, 1, 2}, 5).requiresGrad(true);
        Tensor y = new RReLU().forward(x);
        y.sum().backward();
        double[] out = y.toDoubleArray();
        double[] gradient = x.grad().toDoubleArray();
        assertEquals(-2 * gradient[0], out[0], 1e-15);
        assertEquals(-gradient[1], out[1], 1e-15);
        assertEquals(0, out[2]);
        assertTrue(gradient[2] >= 0.125 && gradient[2] <= 1.0 / 3, "x = 0 takes a drawn slope, as PyTorch's: " + gradient[2]);
        assertValues(new double[] {1, 2}, y.narrow(0, 3, 2), 0);
        assertValues(new double[] {1, 1}, x.grad().narrow(0, 3, 2), 0);
    }

    @Test
    void theSameSeedDrawsTheSameSlopes() {
        RReLU rrelu = new RReLU();
        Tensor x = Tensor.randn(DType.F32, 4, 50);
        Engine.seed(6);
        double[] first = rrelu.forward(x).toDoubleArray();
        Engine.seed(6);
        assertValues(first, rrelu.forward(x), 0);
    }

    @Test
    void evaluationIsDeterministicWithTheMeanSlope() {
        RReLU rrelu = new RReLU(0.1, 0.3);
        rrelu.eval();
        Tensor x = negatives();
        double[] first = rrelu.forward(x).toDoubleArray();
        assertValues(first, rrelu.forward(x), 0);
        assertValues(x.mul(0.2).toDoubleArray(), rrelu.forward(x), 1e-15);
    }
}
