package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Sequential;
import java.util.function.UnaryOperator;

/**
 * An autoencoder that changes how another one is trained (its input, its loss) but not its shapes or its
 * networks: everything is the inner autoencoder's (module {@code inner}) unless a subclass overrides it.
 */
public abstract class WrappedAutoencoder extends Autoencoder {
    protected WrappedAutoencoder(Autoencoder inner) {
        registerModule("inner", inner);
    }

    public Autoencoder inner() {
        return (Autoencoder) module("inner");
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

    /** The inner autoencoder's objective, so that wrapping keeps it (a VAE's negative ELBO stays one). */
    @Override
    protected Tensor objective(Tensor input, Tensor target, UnaryOperator<Tensor> penalty) {
        return inner().objective(input, target, penalty);
    }

    @Override
    protected Tensor penalty(Tensor code) {
        return inner().penalty(code);
    }

    @Override
    public Sequential encoder() {
        return inner().encoder();
    }
}
