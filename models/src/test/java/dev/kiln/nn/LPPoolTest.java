package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LPPool1d} and {@link LPPool2d}: the power mean of each window, the gradient where a window is all zeros,
 * gradients against finite differences and errors (PyTorch's numbers are in {@link UnpoolBagPyTorchParityTest}).
 */
class LPPoolTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(3);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void eachWindowIsThePNormOfItsValues() {
        Tensor x = Tensor.fromArray(new float[] {3, -4, 1, 2, 2, 1}, 1, 1, 6);
        assertArrayEquals(new float[] {5, (float) Math.sqrt(5), (float) Math.sqrt(5)},
                new LPPool1d(2, 2).forward(x).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {-1, 3, 3}, new LPPool1d(1, 2).forward(x).toFloatArray(), 1e-6f);
    }

    @Test
    void aWindowOfZerosPassesNoGradientWhereItsRootWouldBeInfinite() {
        Tensor x = Tensor.fromArray(new float[] {0, 0, 0, 0, 3, 4, 0, 0}, 1, 1, 2, 4).requiresGrad(true);
        Tensor y = new LPPool2d(2, 2).forward(x);
        assertArrayEquals(new float[] {5, 0}, y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {0, 0, 0, 0, 0.6f, 0.8f, 0, 0}, x.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        Tensor image = Tensor.rand(DType.F64, 2, 2, 5, 5).add(0.5).requiresGrad(true);
        LPPool2d pool2d = new LPPool2d(3, 3, 2, true);
        GradCheck.check("LPPool2d", in -> pool2d.forward(in[0]), image);
        Tensor row = Tensor.randn(DType.F64, 2, 2, 7).requiresGrad(true);
        LPPool1d pool1d = new LPPool1d(2, 3, 2);
        GradCheck.check("LPPool1d", in -> pool1d.forward(in[0]), row);
    }

    @Test
    void errorsNameTheLayer() {
        IllegalArgumentException norm = assertThrows(IllegalArgumentException.class, () -> new LPPool2d(0, 2));
        assertEquals("LPPool2d: norm type must be positive and finite, got 0.0", norm.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> new LPPool1d(2, 3).forward(Tensor.zeros(2, 5)));
        assertEquals("LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False): input [2, 5]: expected a 3-D input"
                + " [batch, channels, length]", rank.getMessage());
    }

    @Test
    void describesItsSettingsAndHasNoState() {
        assertEquals("LPPool2d(norm_type=1.5, kernel_size=3, stride=2, ceil_mode=True)",
                new LPPool2d(1.5, 3, 2, true).toString());
        assertEquals(0, new LPPool1d(2, 2).stateDict().size());
    }
}
