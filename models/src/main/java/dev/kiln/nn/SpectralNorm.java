package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * Spectral normalisation of a module's weight (Miyato et al. 2018), as PyTorch 1.13's
 * {@code torch.nn.utils.parametrizations.spectral_norm}: the module reads {@code W / sigma(W)}, where sigma is the
 * largest singular value of W taken as a matrix [W.dim(dim), rest] (dim moved to the front), estimated by power
 * iteration: {@code sigma = u . (W v)} with u [rows] and v [columns] approximations of the first singular vectors.
 * A weight of rank 1 is divided by its 2-norm instead, exactly, with no u or v.
 *
 * <p>{@link #apply(Module, String, int, double, int)} registers this module as the weight's parametrization
 * ({@link Parametrizations}), with PyTorch's names: the trained tensor is the parameter
 * {@code parametrizations.weight.original} (the former {@code weight} itself), u and v are the buffers
 * {@code parametrizations.weight.0._u} and {@code ._v}, so a state dict matches PyTorch's key for key. u and v start
 * as normalised N(0, 1) draws of the engine's seeded generator followed by 15 power iterations, as PyTorch's do (the
 * draws differ from PyTorch's: load u and v to reproduce a PyTorch run). Each read of the weight in training mode
 * first runs {@code nPowerIterations} iterations, {@code u = normalize(W v)} then {@code v = normalize(W^T u)}, which
 * update the buffers in place without gradients; in evaluation mode the stored u and v are used as they are. Layers
 * read their weight once a forward pass; reading it besides (printing {@code weight()} in training mode, say) iterates
 * too, as in PyTorch. The gradient flows through W and sigma, u and v held constant.
 */
public final class SpectralNorm extends Module {
    private static final int INITIAL_ITERATIONS = 15;

    private final int dim;
    private final int nPowerIterations;
    private final double eps;

    private SpectralNorm(Tensor weight, int nPowerIterations, double eps, int dim) {
        this.dim = dim;
        this.nPowerIterations = nPowerIterations;
        this.eps = eps;
        if (weight.rank() > 1) {
            int rows = weight.dim(dim);
            int columns = (int) (weight.size() / rows);
            registerBuffer("_u", unscoped(() -> normalize(Tensor.randn(weight.dtype(), rows), eps)));
            registerBuffer("_v", unscoped(() -> normalize(Tensor.randn(weight.dtype(), columns), eps)));
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                powerIterations(matrix(weight), INITIAL_ITERATIONS);
            }
        }
    }

    /** {@link #apply(Module, String) apply(module, "weight")}. */
    public static <M extends Module> M apply(M module) {
        return apply(module, "weight");
    }

    /** {@link #apply(Module, String, int, double) apply(module, name, 1, 1e-12)}, PyTorch's defaults. */
    public static <M extends Module> M apply(M module, String name) {
        return apply(module, name, 1, 1e-12);
    }

    /**
     * {@link #apply(Module, String, int, double, int)} with PyTorch's default dim: 1 for a {@link ConvTranspose1d} or
     * {@link ConvTranspose2d}, whose weight is [in, out, ...], else 0.
     */
    public static <M extends Module> M apply(M module, String name, int nPowerIterations, double eps) {
        return apply(module, name, nPowerIterations, eps, module instanceof ConvTranspose1d || module instanceof ConvTranspose2d ? 1 : 0);
    }

    /**
     * Spectral-normalises {@code module}'s parameter {@code name}, PyTorch's {@code spectral_norm(module, name,
     * n_power_iterations, eps, dim)}; returns the module. {@code dim} is the weight's output axis, in
     * [-rank, rank); {@code eps} keeps the normalisations of u and v from dividing by zero. An optimizer made before
     * keeps training the weight, now {@code parametrizations.name.original}.
     *
     * @throws IllegalArgumentException naming the module when it has no parameter {@code name}, the parameter is
     *     normalised already, dim is out of range, nPowerIterations is below 1 or eps is not positive
     */
    public static <M extends Module> M apply(M module, String name, int nPowerIterations, double eps, int dim) {
        Tensor weight = Parametrizations.parameterToReplace("SpectralNorm.apply", module, name);
        int rank = weight.rank();
        if (dim < -rank || dim >= rank) {
            throw new IllegalArgumentException("SpectralNorm.apply: dim " + dim + " is out of range [" + -rank + ", "
                    + rank + ") for parameter '" + name + "' " + weight.shape() + " of " + module.describe());
        }
        if (nPowerIterations < 1) {
            throw new IllegalArgumentException("SpectralNorm.apply: nPowerIterations must be at least 1, got "
                    + nPowerIterations);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("SpectralNorm.apply: eps must be positive and finite, got " + eps);
        }
        int axis = dim < 0 ? dim + rank : dim;
        Parametrizations.register(module, name, new SpectralNorm(weight, nPowerIterations, eps, axis));
        return module;
    }

    /** {@link #remove(Module, String) remove(module, "weight")}. */
    public static <M extends Module> M remove(M module) {
        return remove(module, "weight");
    }

    /**
     * Ends the spectral normalisation of {@code module}'s parameter {@code name}, as PyTorch's
     * {@code remove_parametrizations(module, name)}: {@code name} is a plain parameter again (the tensor that was
     * {@code parametrizations.name.original}) holding the normalised weight (after every parametrization
     * {@link Parametrize} chained to it, which go too), computed in the module's current mode
     * (training mode runs one more power iteration first, as PyTorch's does; call {@code eval()} before to avoid it).
     * Returns the module.
     *
     * @throws IllegalArgumentException naming the module when {@code name} is not spectral-normalised
     */
    public static <M extends Module> M remove(M module, String name) {
        if (Parametrizations.parametrizations(module, name).stream().noneMatch(p -> p instanceof SpectralNorm)) {
            throw new IllegalArgumentException("SpectralNorm.remove: parameter '" + name + "' of " + module.describe()
                    + " is not spectral-normalised");
        }
        Parametrizations.remove(module, name, true);
        return module;
    }

    /**
     * {@code weight / sigma(weight)}, same shape; in training mode after updating u and v. A parametrization's forward
     * pass: the module calls it with its original weight at each read of the weight.
     */
    @Override
    public Tensor forward(Tensor weight) {
        if (weight.rank() == 1) {
            return normalize(weight, eps);
        }
        Tensor matrix = matrix(weight);
        if (isTraining()) {
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                powerIterations(matrix, nPowerIterations);
            }
        }
        // Copies: the next read updates the buffers in place, which must not change what this one's backward reads
        // (two forward passes before one backward, as a GAN's discriminator takes real and generated images).
        Tensor u = consume(buffer("_u").copy(), t -> t.reshape(1, -1));
        Tensor v = consume(buffer("_v").copy(), t -> t.reshape(-1, 1));
        Tensor sigma = consume(consume(matrix.matmul(v), wv -> u.matmul(wv)), t -> t.reshape());
        releaseConsumed(matrix, sigma, weight);
        releaseConsumed(u, sigma);
        releaseConsumed(v, sigma);
        return consume(sigma, weight::div);
    }

    /** {@code weight} as [weight.dim(dim), rest], its axis dim first. */
    private Tensor matrix(Tensor weight) {
        if (dim == 0) {
            return weight.reshape(weight.dim(0), -1);
        }
        int[] order = new int[weight.rank()];
        order[0] = dim;
        for (int a = 0, i = 1; a < weight.rank(); a++) {
            if (a != dim) {
                order[i++] = a;
            }
        }
        return consume(weight.permute(order), t -> t.reshape(weight.dim(dim), -1));
    }

    /** Power iterations on the buffers u and v, in place, gradients off; W^T u as (u^T W)^T, with no copy of W^T. */
    private void powerIterations(Tensor matrix, int iterations) {
        Tensor u = buffer("_u");
        Tensor v = buffer("_v");
        for (int i = 0; i < iterations; i++) {
            u.assign(normalize(matrix.matmul(v.reshape(-1, 1)).reshape(-1), eps));
            v.assign(normalize(u.reshape(1, -1).matmul(matrix).reshape(-1), eps));
        }
    }

    /** PyTorch's {@code F.normalize(x, dim=0, eps=eps)} of a vector: {@code x / max(||x||, eps)}. */
    private static Tensor normalize(Tensor x, double eps) {
        return consume(consume(x.norm(2), n -> n.clampMin(eps)), x::div);
    }

    /** PyTorch's name of the parametrization, {@code _SpectralNorm}, which prints no settings. */
    @Override
    protected String typeName() {
        return "_SpectralNorm";
    }
}
