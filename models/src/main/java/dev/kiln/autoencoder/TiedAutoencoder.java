package dev.kiln.autoencoder;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;

/**
 * A symmetric autoencoder with tied weights: the decoder has no weight matrices of its own but multiplies by the
 * encoder's, transposed. For sizes {@code (784, 256, 64)} with encoder weights W1 [256, 784] and W2 [64, 256]:
 * <pre>
 * code           = relu(relu(x W1^T + b1) W2^T + b2)                          [batch, 64]
 * reconstruction = sigmoid(relu(code W2 + c0) W1 + c1)                        [batch, 784]
 * </pre>
 * so each weight receives the gradient of both its uses in the one tensor, and the model has about half the
 * parameters of a {@link StackedAutoencoder}. The decoder biases {@code decoder_bias_0} [256] and
 * {@code decoder_bias_1} [784] (zeros at first) are its only own parameters; the encoder is the module
 * {@code encoder} (flatten, dense, ReLU, ...), as in the stacked autoencoder.
 */
public class TiedAutoencoder extends DenseAutoencoder {
    /** @param sizes input features, then each hidden width down to the code size; at least two, all positive */
    public TiedAutoencoder(int... sizes) {
        super(sizes);
        for (int j = 0; j + 1 < sizes.length; j++) {
            int width = sizes[sizes.length - 2 - j];
            registerParameter("decoder_bias_" + j, unscoped(() -> Tensor.zeros(DType.F32, width)));
        }
    }

    /** The encoder's {@code i}-th dense layer, from the input (0) to the code. */
    public Linear encoderLayer(int i) {
        return (Linear) encoder().get(2 * i + 1);
    }

    /** The bias of decoder layer {@code j} (0 next to the code), [sizes[L-1-j]] for L dense layers. */
    public Tensor decoderBias(int j) {
        return param("decoder_bias_" + j);
    }

    @Override
    public Tensor decode(Tensor code) {
        int layers = sizes().length - 1;
        if (code.rank() != 2 || code.dim(1) != codeSize()) {
            throw new IllegalArgumentException(describe() + ": code " + code.shape() + " must be [batch, " + codeSize()
                    + "]");
        }
        Tensor h = code;
        for (int j = 0; j < layers; j++) {
            h = h.matmul(encoderLayer(layers - 1 - j).weight()).add(decoderBias(j));
            h = j == layers - 1 ? h.sigmoid() : h.relu();
        }
        return h;
    }
}
