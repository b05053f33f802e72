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

class ChannelShuffleTest {
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
    void outputChannelJTimesGroupsPlusIIsInputChannelITimesNPlusJ() {
        // Channels 0..5 in 2 groups of 3: 0, 3, 1, 4, 2, 5 (torch.nn.ChannelShuffle(2), PyTorch 1.13).
        Tensor x = Tensor.arange(12).reshape(1, 6, 2).to(DType.F64);
        assertValues(new double[] {0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11}, new ChannelShuffle(2).forward(x), 0);
    }

    /** torch.nn.ChannelShuffle(2) of zeros(0, 4, 3) and of zeros(2, 4, 0), PyTorch 1.13: empty of the same shape. */
    @Test
    void anEmptyInputGivesAnEmptyOutputOfItsShape() {
        assertEquals(Shape.of(0, 4, 3), new ChannelShuffle(2).forward(Tensor.zeros(0, 4, 3)).shape());
        assertEquals(Shape.of(2, 4, 0), new ChannelShuffle(2).forward(Tensor.zeros(2, 4, 0)).shape());
    }

    @Test
    void theGradientIsTheInversePermutation() {
        Tensor x = Tensor.zeros(DType.F64, 1, 6, 1).requiresGrad(true);
        new ChannelShuffle(3).forward(x).backward(Tensor.arange(6).reshape(1, 6, 1).to(DType.F64));
        // Output channel j * 3 + i holds input channel i * 2 + j.
        assertValues(new double[] {0, 3, 1, 4, 2, 5}, x.grad(), 0);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradCheck.check("ChannelShuffle(2)", in -> new ChannelShuffle(2).forward(in[0]),
                Tensor.randn(DType.F64, 2, 4, 2, 3).requiresGrad(true));
    }

    @Test
    void inputsWithoutAnAxisAfterTheChannelsOrWithChannelsTheGroupsDoNotDivideAreRefused() {
        ChannelShuffle shuffle = new ChannelShuffle(2);
        assertEquals("ChannelShuffle(groups=2): input [2, 6] must be [batch, channels, ...] with at least one axis after"
                + " the channels", assertThrows(IllegalArgumentException.class,
                () -> shuffle.forward(Tensor.zeros(2, 6))).getMessage());
        assertEquals("ChannelShuffle(groups=2): input [1, 5, 2] has 5 channels, which 2 groups do not divide",
                assertThrows(IllegalArgumentException.class, () -> shuffle.forward(Tensor.zeros(1, 5, 2))).getMessage());
        assertEquals("ChannelShuffle: groups must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new ChannelShuffle(0)).getMessage());
    }
}
