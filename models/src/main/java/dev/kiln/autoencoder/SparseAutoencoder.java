package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;

/**
 * A sparse autoencoder: another autoencoder whose loss (its own objective: squared error, or a VAE's negative
 * ELBO) also charges an L1 activity penalty on the codes, {@code l1 * sum |code| / batch} (summed over code
 * units, averaged over the batch, as Keras's activity regulariser), so that few code units are active for each
 * input. Shapes and {@link #encoder()} are the inner one's; module {@code inner}.
 */
public class SparseAutoencoder extends WrappedAutoencoder {
    private final double l1;

    /** @param l1 the penalty's weight, finite and >= 0 */
    public SparseAutoencoder(Autoencoder inner, double l1) {
        super(inner);
        if (!(l1 >= 0) || Double.isInfinite(l1)) {
            throw new IllegalArgumentException("SparseAutoencoder: l1 must be finite and >= 0, got " + l1);
        }
        this.l1 = l1;
    }

    public double l1() {
        return l1;
    }

    /** {@code l1 * sum |code| / batch}, plus the inner autoencoder's own penalty. */
    @Override
    protected Tensor penalty(Tensor code) {
        Tensor activity = code.abs().sum().mul(l1 / code.dim(0));
        Tensor inner = inner().penalty(code);
        return inner == null ? activity : inner.add(activity);
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "SparseAutoencoder(" + inner().describe() + ", l1=" + l1 + ")";
    }
}
