package dev.kiln.autoencoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tied weights: the decoder multiplies by the encoder's own weight tensors, transposed, so a weight's gradient is
 * the sum of its two uses. The reference is the same network written out with separate leaves for the encoder
 * weights and the decoder's transposed copies.
 */
class TiedAutoencoderTest {
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

    private static TiedAutoencoder tiny() {
        TiedAutoencoder ae = new TiedAutoencoder(5, 4, 3);
        ae.to(DType.F64);
        try (Autograd.Guard g = Autograd.noGrad()) {
            ae.decoderBias(0).assign(Tensor.fromArray(new double[] {0.1, -0.2, 0.3, 0.05}, 4));
            ae.decoderBias(1).assign(Tensor.fromArray(new double[] {-0.1, 0.2, 0.0, 0.15, -0.3}, 5));
        }
        return ae;
    }

    private static Tensor leaf(Tensor t) {
        return t.detach().copy().requiresGrad(true);
    }

    @Test
    void theOnlyWeightsAreTheEncodersAndTheDecoderHasOnlyBiases() {
        try (TiedAutoencoder ae = tiny()) {
            // A module's own parameters come before its sub-modules', as in PyTorch's state_dict.
            assertEquals(List.of("decoder_bias_0", "decoder_bias_1", "encoder.1.weight", "encoder.1.bias",
                    "encoder.3.weight", "encoder.3.bias"), List.copyOf(ae.namedParameters().keySet()));
            assertEquals(5 * 4 + 4 + 4 * 3 + 3 + 4 + 5, ae.parameterCount());
        }
    }

    @Test
    void forwardAndGradientsMatchTheUntiedNetworkWithTransposedCopies() {
        try (TiedAutoencoder ae = tiny()) {
            Tensor x = Tensor.rand(DType.F64, 6, 5);
            Tensor w1 = ae.encoderLayer(0).weight();
            Tensor w2 = ae.encoderLayer(1).weight();
            Tensor e1 = leaf(w1);
            Tensor e2 = leaf(w2);
            Tensor d0 = leaf(w2.t());
            Tensor d1 = leaf(w1.t());
            Tensor code = x.matmul(e1.t()).add(ae.encoderLayer(0).bias()).relu().matmul(e2.t()).add(ae.encoderLayer(1).bias()).relu();
            Tensor reference = code.matmul(d0.t()).add(ae.decoderBias(0)).relu().matmul(d1.t()).add(ae.decoderBias(1)).sigmoid();

            Tensor reconstruction = ae.forward(x);
            assertArrayEquals(reference.toDoubleArray(), reconstruction.toDoubleArray(), 1e-12);

            Autoencoder.reconstructionError(reference, x).backward();
            ae.loss(x).backward();
            // d(loss)/dW1 = (use in the encoder) + (use in the decoder, as W1^T)^T.
            assertArrayEquals(e1.grad().add(d1.grad().t()).toDoubleArray(), w1.grad().toDoubleArray(), 1e-12);
            assertArrayEquals(e2.grad().add(d0.grad().t()).toDoubleArray(), w2.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void aCopyTiesItsDecoderToItsOwnEncoder() {
        try (TiedAutoencoder ae = tiny(); Module copy = ae.copy()) {
            TiedAutoencoder c = (TiedAutoencoder) copy;
            assertNotSame(ae.encoderLayer(0).weight(), c.encoderLayer(0).weight());
            Tensor x = Tensor.rand(DType.F64, 2, 5);
            assertArrayEquals(ae.forward(x).toDoubleArray(), c.forward(x).toDoubleArray());
            try (Autograd.Guard g = Autograd.noGrad()) {
                c.encoderLayer(0).weight().assign(Tensor.zeros(DType.F64, 4, 5));
            }
            double[] output = c.forward(x).toDoubleArray();
            // The decoder's last layer multiplies by the copy's W1, now 0, so the output is sigmoid(c1).
            double[] c1 = ae.decoderBias(1).toDoubleArray();
            for (int i = 0; i < output.length; i++) {
                assertEquals(1 / (1 + Math.exp(-c1[i % 5])), output[i], 1e-12);
            }
            assertFalse(Arrays.equals(output, ae.forward(x).toDoubleArray()), "the original keeps its own W1");
        }
    }
}
