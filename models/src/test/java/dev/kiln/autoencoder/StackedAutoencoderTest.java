package dev.kiln.autoencoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stacked symmetric autoencoder: shapes, layer layout, output range and the reconstruction objective. */
class StackedAutoencoderTest {
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(3);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void imagesMapToCodesAndBackToFlatReconstructionsInZeroOne() {
        try (StackedAutoencoder ae = new StackedAutoencoder(784, 32, 8)) {
            Tensor x = Tensor.rand(5, 1, 28, 28);
            assertArrayEquals(new int[] {5, 8}, ae.encode(x).shape().dims());
            Tensor r = ae.forward(x);
            assertArrayEquals(new int[] {5, 784}, r.shape().dims());
            for (double v : r.toDoubleArray()) {
                assertTrue(v > 0 && v < 1, "sigmoid output " + v);
            }
            assertEquals(784, ae.features());
            assertEquals(8, ae.codeSize());
        }
    }

    @Test
    void theDecoderMirrorsTheEncoder() {
        try (StackedAutoencoder ae = new StackedAutoencoder(10, 6, 3)) {
            assertEquals(List.of("encoder.1.weight", "encoder.1.bias", "encoder.3.weight", "encoder.3.bias",
                    "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"), List.copyOf(ae.stateDict().keySet()));
            assertArrayEquals(new int[] {6, 10}, ((Linear) ae.encoder().get(1)).weight().shape().dims());
            assertArrayEquals(new int[] {3, 6}, ((Linear) ae.encoder().get(3)).weight().shape().dims());
            assertArrayEquals(new int[] {6, 3}, ((Linear) ae.decoder().get(0)).weight().shape().dims());
            assertArrayEquals(new int[] {10, 6}, ((Linear) ae.decoder().get(2)).weight().shape().dims());
        }
    }

    @Test
    void lossIsTheMeanSquaredErrorAgainstTheInput() {
        try (StackedAutoencoder ae = new StackedAutoencoder(6, 4, 2)) {
            Tensor x = Tensor.rand(3, 6);
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
    void anInputOfTheWrongSizeNamesTheExpectedFeatures() {
        try (StackedAutoencoder ae = new StackedAutoencoder(6, 4, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ae.encode(Tensor.rand(3, 7)));
            assertTrue(e.getMessage().contains("[3, 7]") && e.getMessage().contains("6 elements"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new StackedAutoencoder(6));
        }
    }
}
