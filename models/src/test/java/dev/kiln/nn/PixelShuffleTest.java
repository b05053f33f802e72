package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PixelShuffle} and {@link PixelUnshuffle} ({@link F#pixelShuffle} and {@link F#pixelUnshuffle}): where each
 * channel goes, each the other's inverse, finite-difference gradients and the errors. PyTorch's numbers are in
 * {@link UnfoldPixelShufflePyTorchParityTest}.
 */
class PixelShuffleTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(29);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void eachGroupOfFactorSquaredChannelsBecomesABlockOfPixelsRowByRow() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 4, 1, 2);
        Tensor y = new PixelShuffle(2).forward(x);
        assertArrayEquals(new int[] {1, 1, 2, 4}, y.shape().dims());
        assertValues(new double[] {1, 3, 2, 4, 5, 7, 6, 8}, y, 0);
    }

    @Test
    void unshuffleUndoesShuffleAndShuffleUndoesUnshuffle() {
        Tensor x = Tensor.randn(DType.F32, 2, 18, 2, 3);
        Tensor image = Tensor.randn(DType.F32, 2, 2, 6, 9);
        assertArrayEquals(x.toFloatArray(), F.pixelUnshuffle(F.pixelShuffle(x, 3), 3).toFloatArray(), 0f);
        assertArrayEquals(image.toFloatArray(), F.pixelShuffle(F.pixelUnshuffle(image, 3), 3).toFloatArray(), 0f);
    }

    @Test
    void aFactorOfOneGivesACopyThatLeavesTheInputAlone() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = F.pixelShuffle(x, 1);
        y.assign(Tensor.zeros(DType.F64, 1, 1, 2, 2));
        assertValues(new double[] {1, 2, 3, 4}, x, 0);
    }

    @Test
    void shuffleGradientsMatchFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 2, 8, 2, 3).requiresGrad(true);
        PixelShuffle shuffle = new PixelShuffle(2);
        GradCheck.check("PixelShuffle(2)", in -> shuffle.forward(in[0]), x);
    }

    @Test
    void unshuffleGradientsMatchFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 3, 1, 6, 3).requiresGrad(true);
        PixelUnshuffle unshuffle = new PixelUnshuffle(3);
        GradCheck.check("PixelUnshuffle(3) with two leading axes", in -> unshuffle.forward(in[0]), x);
    }

    @Test
    void channelsThatAreNotAMultipleOfTheFactorSquaredAreRefusedNamingBoth() {
        assertEquals("PixelShuffle(upscale_factor=2): pixelShuffle: input [1, 6, 2, 2] has 6 channels, not a multiple"
                        + " of the upscale factor squared 2 x 2 = 4",
                assertThrows(IllegalArgumentException.class,
                        () -> new PixelShuffle(2).forward(Tensor.zeros(1, 6, 2, 2))).getMessage());
    }

    @Test
    void aHeightOrWidthThatIsNotAMultipleOfTheFactorIsRefusedNamingBoth() {
        assertEquals("PixelUnshuffle(downscale_factor=2): pixelUnshuffle: input [1, 1, 4, 3] has height 4 and width"
                        + " 3, both must be multiples of the downscale factor 2",
                assertThrows(IllegalArgumentException.class,
                        () -> new PixelUnshuffle(2).forward(Tensor.zeros(1, 1, 4, 3))).getMessage());
    }

    @Test
    void fewerThanThreeDimensionsOrAFactorBelowOneAreRefused() {
        assertEquals("pixelShuffle: input [4, 2] must have at least 3 dimensions [..., channels, height, width]",
                assertThrows(IllegalArgumentException.class, () -> F.pixelShuffle(Tensor.zeros(4, 2), 2))
                        .getMessage());
        assertEquals("pixelUnshuffle: the downscale factor must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> F.pixelUnshuffle(Tensor.zeros(1, 2, 2), 0))
                        .getMessage());
        assertEquals("PixelShuffle: upscale factor must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new PixelShuffle(0)).getMessage());
        assertEquals("PixelUnshuffle: downscale factor must be at least 1, got -1",
                assertThrows(IllegalArgumentException.class, () -> new PixelUnshuffle(-1)).getMessage());
    }
}
