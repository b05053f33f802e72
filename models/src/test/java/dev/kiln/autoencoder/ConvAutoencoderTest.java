package dev.kiln.autoencoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The convolutional autoencoder: shapes down and back up, output range, layout, objective and errors. */
class ConvAutoencoderTest {
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(5);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void imagesMapToCodesAndBackToFlatReconstructionsInZeroOne() {
        try (ConvAutoencoder ae = new ConvAutoencoder(1, 28, 28, 16)) {
            Tensor x = Tensor.rand(3, 1, 28, 28);
            assertArrayEquals(new int[] {3, 16}, ae.encode(x).shape().dims());
            Tensor r = ae.forward(x);
            assertArrayEquals(new int[] {3, 784}, r.shape().dims());
            for (double v : r.toDoubleArray()) {
                assertTrue(v > 0 && v < 1, "sigmoid output " + v);
            }
            assertEquals(784, ae.features());
            assertEquals(16, ae.codeSize());
        }
    }

    @Test
    void flatInputsAreTheSameImages() {
        try (ConvAutoencoder ae = new ConvAutoencoder(2, 8, 12, 4)) {
            Tensor x = Tensor.rand(2, 2, 8, 12);
            assertArrayEquals(ae.encode(x).toFloatArray(), ae.encode(x.reshape(2, 192)).toFloatArray(), 0f);
        }
    }

    @Test
    void stridedConvolutionsHalveAndTransposedOnesDoubleTheImageTwice() {
        try (ConvAutoencoder ae = new ConvAutoencoder(3, 8, 12, 4)) {
            Conv2d first = (Conv2d) ae.encoder().get(0);
            assertArrayEquals(new int[] {2, 2}, first.stride());
            assertArrayEquals(new int[] {16, 3, 3, 3}, first.weight().shape().dims());
            assertArrayEquals(new int[] {4, 32 * 2 * 3}, ae.stateDict().get("encoder.5.weight").shape().dims(),
                    "the dense layer reads 32 channels of 8 / 4 x 12 / 4");
            assertArrayEquals(new int[] {32, 16, 3, 3}, ((ConvTranspose2d) ae.decoder().get(3)).weight().shape().dims());
            assertArrayEquals(new int[] {16, 3, 3, 3}, ((ConvTranspose2d) ae.decoder().get(5)).weight().shape().dims());
            assertArrayEquals(new int[] {1, 3 * 8 * 12}, ae.forward(Tensor.rand(1, 3, 8, 12)).shape().dims());
        }
    }

    @Test
    void lossIsTheMeanSquaredErrorAgainstTheInput() {
        try (ConvAutoencoder ae = new ConvAutoencoder(1, 4, 4, 2)) {
            Tensor x = Tensor.rand(3, 1, 4, 4);
            double[] r = ae.forward(x).toDoubleArray();
            double[] in = x.toDoubleArray();
            double expected = 0;
            for (int i = 0; i < r.length; i++) {
                expected += (r[i] - in[i]) * (r[i] - in[i]) / r.length;
            }
            assertEquals(expected, ae.loss(x).item(), 1e-6);
        }
    }

    @Test
    void imageSidesThatAreNotMultiplesOfFourAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConvAutoencoder(1, 30, 28, 8));
        assertTrue(e.getMessage().contains("multiples of 4") && e.getMessage().contains("30 x 28"), e.getMessage());
    }

    @Test
    void anInputOfTheWrongSizeNamesTheExpectedFeatures() {
        try (ConvAutoencoder ae = new ConvAutoencoder(1, 8, 8, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ae.encode(Tensor.rand(3, 65)));
            assertTrue(e.getMessage().contains("[3, 65]") && e.getMessage().contains("64 elements"), e.getMessage());
        }
    }
}
