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
 * {@link AdaptiveAvgPool1d} and {@link AdaptiveMaxPool1d}: PyTorch's windows, unbatched inputs, gradients against
 * finite differences and errors (PyTorch's numbers are in {@link UnpoolBagPyTorchParityTest}).
 */
class AdaptivePool1dTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(5);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Length 5 to 3: windows [0, 2), [1, 4), [3, 5), which overlap. */
    @Test
    void unevenWindowsFollowPyTorchsStartAndEnd() {
        Tensor x = Tensor.fromArray(new float[] {1, 4, 2, 8, 5}, 1, 1, 5);
        assertArrayEquals(new float[] {2.5f, 14 / 3f, 6.5f}, new AdaptiveAvgPool1d(3).forward(x).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {4, 8, 8}, new AdaptiveMaxPool1d(3).forward(x).toFloatArray());
    }

    @Test
    void anUnbatchedInputGivesAnUnbatchedOutput() {
        assertArrayEquals(new int[] {4, 3}, new AdaptiveMaxPool1d(3).forward(Tensor.randn(4, 7)).shape().dims());
        assertArrayEquals(new int[] {2, 4, 3}, new AdaptiveAvgPool1d(3).forward(Tensor.randn(2, 4, 9)).shape().dims());
    }

    @Test
    void avgPoolGradientsMatchFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 7).requiresGrad(true);
        AdaptiveAvgPool1d pool = new AdaptiveAvgPool1d(3);
        GradCheck.check("AdaptiveAvgPool1d", in -> pool.forward(in[0]), x);
    }

    @Test
    void maxPoolGradientsMatchFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 7).requiresGrad(true);
        AdaptiveMaxPool1d pool = new AdaptiveMaxPool1d(3);
        GradCheck.check("AdaptiveMaxPool1d", in -> pool.forward(in[0]), x);
    }

    @Test
    void errorsNameTheLayerAndTheInputShape() {
        IllegalArgumentException image = assertThrows(IllegalArgumentException.class,
                () -> new AdaptiveAvgPool1d(2).forward(Tensor.zeros(1, 2, 4, 4)));
        assertEquals("AdaptiveAvgPool1d(output_size=2): input [1, 2, 4, 4] must be [batch, channels, length] or"
                + " unbatched [channels, length] with a length of at least 1", image.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> new AdaptiveMaxPool1d(0));
        assertEquals("AdaptiveMaxPool1d: output size must be at least 1, got 0", size.getMessage());
    }

    @Test
    void toStringNamesTheOutputSizeAsPyTorchDoesAndThereIsNoState() {
        assertEquals("AdaptiveMaxPool1d(output_size=4)", new AdaptiveMaxPool1d(4).toString());
        assertEquals(0, new AdaptiveAvgPool1d(4).stateDict().size());
    }
}
