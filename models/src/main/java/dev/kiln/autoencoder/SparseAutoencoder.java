package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Sequential;

/**
 * A sparse autoencoder: another autoencoder whose loss also charges an L1 activity penalty on the codes,
 * {@code l1 * sum |code| / batch} (summed over code units, averaged over the batch, as Keras's activity
 * regulariser), so that few code units are active for each input. Shapes and {@link #encoder()} are the inner
 * one's; module {@code inner}.
 */
public class SparseAutoencoder extends Autoencoder {
    private final double l1;

    /** @param l1 the penalty's weight, finite and >= 0 */
    public SparseAutoencoder(Autoencoder inner, double l1) {
        if (!(l1 >= 0) || Double.isInfinite(l1)) {
            throw new IllegalArgumentException("SparseAutoencoder: l1 must be finite and >= 0, got " + l1);
        }
        this.l1 = l1;
        registerModule("inner", inner);
    }

    public Autoencoder inner() {
        return (Autoencoder) module("inner");
    }

    public double l1() {
        return l1;
    }

    @Override
    public int features() {
        return inner().features();
    }

    @Override
    public int codeSize() {
        return inner().codeSize();
    }

    @Override
    public Tensor encode(Tensor x) {
        return inner().encode(x);
    }

    @Override
    public Tensor decode(Tensor code) {
        return inner().decode(code);
    }

    /** {@code l1 * sum |code| / batch}, plus the inner autoencoder's own penalty. */
    @Override
    protected Tensor penalty(Tensor code) {
        Tensor activity = code.abs().sum().mul(l1 / code.dim(0));
        Tensor inner = inner().penalty(code);
        return inner == null ? activity : inner.add(activity);
    }

    @Override
    public Sequential encoder() {
        return inner().encoder();
    }

    @Override
    public String toString() {
        return "SparseAutoencoder(" + inner() + ", l1=" + l1 + ")";
    }
}
