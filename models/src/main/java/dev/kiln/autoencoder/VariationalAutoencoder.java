package dev.kiln.autoencoder;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BCEWithLogitsLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.function.UnaryOperator;

/**
 * A variational autoencoder (Kingma and Welling 2014) with a Gaussian posterior and a Bernoulli decoder, as in
 * PyTorch's examples/vae: for sizes (features, hidden, latent) = (784, 400, 20)
 * <pre>
 * h            = relu(flatten(x) W + b)                        encoder   [batch, 400]
 * mean, logVar = h Wmu + bmu,  h Wlv + blv                     mean, log_var  [batch, 20] each
 * z            = mean + exp(logVar / 2) * eps,  eps ~ N(0, I)  the reparameterisation trick
 * logits       = relu(z V1 + c1) V2 + c2                       decoder   [batch, 784]
 * loss         = sum over pixels of BCE(logits, x) + KL(N(mean, exp(logVar)) || N(0, I)),  mean over the batch
 * </pre>
 * (the negative evidence lower bound per example, in nats). {@link #encode} samples z in training mode and
 * returns the mean in evaluation mode; {@link #decode} gives sigmoid(logits); {@link #sample} decodes draws
 * from the prior N(0, I).
 */
public class VariationalAutoencoder extends Autoencoder {
    private static final BCEWithLogitsLoss BCE = new BCEWithLogitsLoss();

    private final int features;
    private final int hidden;
    private final int latent;

    /** The posterior of a batch: mean and log-variance, each [batch, latent]. */
    public record Posterior(Tensor mean, Tensor logVar) {
    }

    public VariationalAutoencoder(int features, int hidden, int latent) {
        if (features <= 0 || hidden <= 0 || latent <= 0) {
            throw new IllegalArgumentException("VariationalAutoencoder: sizes must be positive, got features=" + features
                    + ", hidden=" + hidden + ", latent=" + latent);
        }
        this.features = features;
        this.hidden = hidden;
        this.latent = latent;
        registerModule("encoder", new Sequential(new Flatten(), new Linear(features, hidden), new ReLU()));
        registerModule("mean", new Linear(hidden, latent));
        registerModule("log_var", new Linear(hidden, latent));
        registerModule("decoder", new Sequential(new Linear(latent, hidden), new ReLU(), new Linear(hidden, features)));
    }

    @Override
    public int features() {
        return features;
    }

    @Override
    public int codeSize() {
        return latent;
    }

    /** The posterior's mean and log-variance for inputs x [batch, ...]. */
    public Posterior posterior(Tensor x) {
        checkInput(describe(), x, features);
        Tensor h = module("encoder").call(x);
        return new Posterior(module("mean").call(h), module("log_var").call(h));
    }

    /** {@code mean + exp(logVar / 2) * eps}: a differentiable draw from N(mean, exp(logVar)) given eps ~ N(0, I). */
    public static Tensor reparameterise(Tensor mean, Tensor logVar, Tensor eps) {
        return mean.add(logVar.mul(0.5).exp().mul(eps));
    }

    /**
     * {@code KL(N(mean, exp(logVar)) || N(0, I))} summed over the latent units and averaged over the batch:
     * {@code 0.5 * sum(mean^2 + exp(logVar) - 1 - logVar) / batch}; mean and logVar [batch, latent].
     */
    public static Tensor klDivergence(Tensor mean, Tensor logVar) {
        if (mean.rank() != 2 || !mean.shape().equals(logVar.shape())) {
            throw new IllegalArgumentException("klDivergence: mean " + mean.shape() + " and logVar " + logVar.shape()
                    + " must both be [batch, latent]");
        }
        return mean.square().add(logVar.exp()).sub(1).sub(logVar).sum().mul(0.5 / mean.dim(0));
    }

    /** A sample of the posterior in training mode, its mean in evaluation mode: [batch, latent]. */
    @Override
    public Tensor encode(Tensor x) {
        Posterior p = posterior(x);
        return isTraining() ? reparameterise(p.mean(), p.logVar(), Tensor.randn(p.mean().dtype(), p.mean().shape().dims())) : p.mean();
    }

    /** The decoder's logits [batch, features] for codes z [batch, latent]. */
    public Tensor decodeLogits(Tensor z) {
        if (z.rank() != 2 || z.dim(1) != latent) {
            throw new IllegalArgumentException(describe() + ": code " + z.shape() + " must be [batch, " + latent + "]");
        }
        return module("decoder").call(z);
    }

    /** Pixel probabilities sigmoid(logits) [batch, features]. */
    @Override
    public Tensor decode(Tensor z) {
        return decodeLogits(z).sigmoid();
    }

    /**
     * The negative ELBO of target given input, with fresh noise in training mode and at the posterior mean
     * (eps = 0) in evaluation mode (see {@link #loss(Tensor, Tensor)}), plus {@code penalty} of the code z:
     * what {@link #loss(Tensor)} is.
     */
    @Override
    protected Tensor objective(Tensor input, Tensor target, UnaryOperator<Tensor> penalty) {
        Posterior p = posterior(input);
        int[] dims = p.mean().shape().dims();
        Tensor eps = isTraining() ? Tensor.randn(p.mean().dtype(), dims) : Tensor.zeros(p.mean().dtype(), dims);
        Tensor z = code(p, eps);
        return withPenalty(negativeElbo(p, z, target), penalty.apply(z));
    }

    /**
     * The negative ELBO per example for inputs x [batch, ...] with the given standard-normal noise eps
     * [batch, latent]: {@code sum over pixels of BCE(decodeLogits(z), x) + KL}, averaged over the batch, with
     * {@code z = mean + exp(logVar / 2) * eps}. Deterministic given eps, for gradient checks.
     */
    public Tensor loss(Tensor x, Tensor eps) {
        Posterior p = posterior(x);
        return negativeElbo(p, code(p, eps), x);
    }

    private Tensor code(Posterior p, Tensor eps) {
        if (!eps.shape().equals(p.mean().shape())) {
            throw new IllegalArgumentException(describe() + ": noise " + eps.shape() + " must be " + p.mean().shape());
        }
        return reparameterise(p.mean(), p.logVar(), eps);
    }

    private Tensor negativeElbo(Posterior p, Tensor z, Tensor target) {
        Tensor reconstruction = BCE.compute(decodeLogits(z), flat(target)).mul(features);
        return reconstruction.add(klDivergence(p.mean(), p.logVar()));
    }

    /** {@code n} images decoded from draws of the prior N(0, I): [n, features] in (0, 1), without a graph. */
    public Tensor sample(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("VariationalAutoencoder.sample: n must be positive, got " + n);
        }
        try (Autograd.Guard g = Autograd.noGrad()) {
            Linear first = (Linear) ((Sequential) module("decoder")).get(0);
            return decode(Tensor.randn(first.weight().dtype(), n, latent));
        }
    }

    /** The encoder trunk followed by the mean layer (the modules themselves, shared with this autoencoder). */
    @Override
    public Sequential encoder() {
        Sequential trunk = (Sequential) module("encoder");
        Sequential out = new Sequential();
        for (int i = 0; i < trunk.size(); i++) {
            out.add(trunk.get(i));
        }
        return out.add(module("mean"));
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "VariationalAutoencoder(" + features + ", " + hidden + ", " + latent + ")";
    }
}
