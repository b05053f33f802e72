package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalResponseNormTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void eachChannelIsDividedByItsWindowsZeroPaddedMeanSquareAsPyTorch() {
        // Channels 1, 2, 3 with size 2: windows (0, 1), (1, 2), (2, 3) with the zero before channel 0; alpha / size.
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3}, 1, 3, 1);
        double alpha = 0.5;
        double beta = 0.75;
        double k = 2;
        double[] expected = {
            1 / Math.pow(k + alpha * (0 + 1) / 2, beta),
            2 / Math.pow(k + alpha * (1 + 4) / 2, beta),
            3 / Math.pow(k + alpha * (4 + 9) / 2, beta)};
        assertValues(expected, new LocalResponseNorm(2, alpha, beta, k).forward(x), 1e-15);
    }

    /** torch.nn.LocalResponseNorm(2) of zeros(0, 4, 3) and of zeros(2, 4, 0), PyTorch 1.13: empty of the same shape. */
    @Test
    void anEmptyInputGivesAnEmptyOutputOfItsShape() {
        assertEquals(Shape.of(0, 4, 3), new LocalResponseNorm(2).forward(Tensor.zeros(0, 4, 3)).shape());
        assertEquals(Shape.of(2, 4, 0), new LocalResponseNorm(2).forward(Tensor.zeros(2, 4, 0)).shape());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (LocalResponseNorm lrn : new LocalResponseNorm[] {new LocalResponseNorm(3, 0.5, 0.75, 1),
                new LocalResponseNorm(4, 2, 0.5, 0.5)}) {
            GradCheck.check(lrn.toString(), in -> lrn.forward(in[0]), Tensor.randn(DType.F64, 2, 5, 3).requiresGrad(true));
        }
    }

    @Test
    void aSizeBelowOneAndInputsWithoutAnAxisAfterTheChannelsAreRefused() {
        assertEquals("LocalResponseNorm: size must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new LocalResponseNorm(0)).getMessage());
        assertEquals("LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0): input [2, 3] must be [batch, channels, ...]"
                + " with at least one axis after the channels", assertThrows(IllegalArgumentException.class,
                () -> new LocalResponseNorm(2).forward(Tensor.zeros(2, 3))).getMessage());
    }
}
