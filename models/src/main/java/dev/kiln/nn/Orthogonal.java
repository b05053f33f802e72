package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * An orthogonal parametrization of a matrix or a batch of matrices {@code [..., m, n]}, as PyTorch 1.13's
 * {@code torch.nn.utils.parametrizations.orthogonal}: the module reads Q with orthonormal columns ({@code Q^T Q = I_n})
 * when m &ge; n, orthonormal rows ({@code Q Q^T = I_m}) when m &lt; n (a wide matrix is handled transposed, as a tall
 * one). In terms of the trained original X (taken transposed when wide, so [..., n, k] with n &ge; k):
 * <ul>
 * <li>{@code "matrix_exp"}: {@code Q = exp(A)[..., :k]} with the skew-symmetric {@code A = L - L^T}, L the lower
 * triangle of X padded with zero columns to [..., n, n];
 * <li>{@code "cayley"}: {@code Q = ((I - A/2)^-1 (I + A/2))[..., :k]}, A as above;
 * <li>{@code "householder"}: the product of the reflectors below X's diagonal ({@link Linalg#householderProduct},
 * {@code tau = 2 / (1 + |v|^2)}), its columns times the signs held on X's diagonal (truncated to integers, without a
 * gradient, so training leaves the diagonal alone).
 * </ul>
 *
 * <p>With trivialization (PyTorch's default), Q is {@code base @ Q(X)}, {@code base} an orthogonal [..., n, n] buffer:
 * registration sets base to the weight orthogonalised (the weight itself when it is square and orthogonal already,
 * else the Q of its QR factorisation with a positive diagonal of R; a tall weight is first completed to a square one
 * with N(0, 1) columns of the engine's generator, which PyTorch draws from its own: load base to reproduce a PyTorch
 * run) and X to the negated identity, which every map takes to the identity, so the module starts with that weight.
 * {@link Parametrize#assign} does the same. A base that registration did not set (an orthogonal map chained after
 * another parametrization) is the identity. Without trivialization the householder map's right inverse keeps the
 * reflectors of the weight's QR factorisation; matrix_exp and cayley have none: X keeps the weight's value.
 *
 * <p>State-dict names are PyTorch's: the original is {@code parametrizations.weight.original}, base
 * {@code parametrizations.weight.0.base}.
 */
public final class Orthogonal extends Module implements Parametrize.RightInverse {
    private static final List<String> MAPS = List.of("matrix_exp", "cayley", "householder");
    private static final double ALLCLOSE_RTOL = 1e-5;

    private final String map;
    private final boolean trivialization;
    private final Shape shape;
    private final String owner;

    private Orthogonal(Tensor weight, String map, boolean trivialization, String owner) {
        this.map = map;
        this.trivialization = trivialization;
        this.shape = weight.shape();
        this.owner = owner;
        if (trivialization) {
            int n = Math.max(weight.dim(-2), weight.dim(-1));
            registerBuffer("base", unscoped(() -> identity(weight, n)));
        }
    }

    /** {@link #apply(Module, String) apply(module, "weight")}. */
    public static <M extends Module> M apply(M module) {
        return apply(module, "weight");
    }

    /** {@link #apply(Module, String, String, boolean)} with PyTorch's default map and trivialization. */
    public static <M extends Module> M apply(M module, String name) {
        return apply(module, name, null, true);
    }

    /** {@link #apply(Module, String, String, boolean)} with trivialization. */
    public static <M extends Module> M apply(M module, String name, String map) {
        return apply(module, name, map, true);
    }

    /**
     * PyTorch's {@code orthogonal(module, name, orthogonal_map=map, use_trivialization=useTrivialization)}: makes
     * {@code module}'s parameter {@code name} [..., m, n] read as an orthogonal matrix (see the class comment) through
     * {@link Parametrize}; returns the module. {@code map} is "matrix_exp", "cayley" or "householder", or null for
     * PyTorch's default: matrix_exp for a square matrix, householder otherwise. An optimizer made before keeps
     * training the original, {@code parametrizations.name.original}.
     *
     * @throws IllegalArgumentException naming the module and the parameter when it has no such parameter, it has fewer
     *     than 2 axes, or the map is none of the three
     */
    public static <M extends Module> M apply(M module, String name, String map, boolean useTrivialization) {
        boolean chained = Parametrize.isParametrized(module, name);
        Tensor weight = chained ? module.param(name) : Parametrizations.parameterToReplace("Orthogonal.apply", module,
                name);
        String owner = "parameter '" + name + "' " + weight.shape() + " of " + module.describe();
        if (weight.rank() < 2) {
            throw new IllegalArgumentException("Orthogonal.apply: " + owner
                    + " is no matrix or batch of matrices; expected at least 2 axes, got " + weight.rank());
        }
        String chosen = map != null ? map : weight.dim(-2) == weight.dim(-1) ? "matrix_exp" : "householder";
        if (!MAPS.contains(chosen)) {
            throw new IllegalArgumentException("Orthogonal.apply: map of " + owner + " must be one of " + MAPS
                    + ", got \"" + chosen + "\"");
        }
        Orthogonal orthogonal = new Orthogonal(weight, chosen, useTrivialization, owner);
        if (!chained && !orthogonal.invertible()) {
            // PyTorch's registration passes over a right inverse that raises NotImplementedError: X keeps the weight.
            Parametrizations.register(module, name, orthogonal);
        } else {
            Parametrize.registerParametrization(module, name, orthogonal, true);
        }
        return module;
    }

    /** Whether {@link #rightInverse} exists: with trivialization, or for householder. */
    private boolean invertible() {
        return trivialization || map.equals("householder");
    }

    /** The orthogonal matrices Q(X) [..., m, n] of the original X [..., m, n], with base applied. */
    @Override
    public Tensor forward(Tensor x) {
        boolean transposed = x.dim(-2) < x.dim(-1);
        Tensor tall = transposed ? x.transpose(-2, -1) : x;
        Tensor q = map.equals("householder") ? householder(tall) : skewMap(tall);
        if (trivialization) {
            q = consume(q, buffer("base")::matmul);
        }
        return transposed ? consume(q, t -> t.transpose(-2, -1)) : q;
    }

    /** matrix_exp or cayley of tall X [..., n, k]: the first k columns of an orthogonal [..., n, n]. */
    private Tensor skewMap(Tensor x) {
        int n = x.dim(-2);
        int k = x.dim(-1);
        Tensor lower = x.tril(0);
        if (n != k) {
            Tensor zeros = x.fullLike(0, x.shape().with(-1, n - k));
            lower = consume(lower, l -> Tensor.cat(List.of(l, zeros), -1));
        }
        Tensor a = consume(lower, l -> l.sub(l.transpose(-2, -1)));
        Tensor q;
        if (map.equals("matrix_exp")) {
            q = consume(a, Linalg::matrixExp);
        } else {
            Tensor eye = identity(a, n);
            Tensor half = a.mul(0.5);
            q = Linalg.solve(eye.sub(half), eye.add(half));
        }
        return n != k ? consume(q, t -> t.narrow(-1, 0, k)) : q;
    }

    /** householder of tall X [..., n, k]: the reflectors' product, its columns times X's integer diagonal. */
    private static Tensor householder(Tensor x) {
        Tensor reflectors = x.tril(-1);
        Tensor tau = consume(consume(reflectors.square().sum(-2, false), s -> s.add(1)), s -> s.reciprocal().mul(2));
        Tensor q = Linalg.householderProduct(reflectors, tau);
        Tensor signs = x.detach().diagonal(0, -2, -1).trunc().unsqueeze(-2);
        return consume(q, t -> t.mul(signs));
    }

    /**
     * PyTorch's {@code right_inverse}: an original that this parametrization maps to {@code q} [..., m, n] (see the
     * class comment); with trivialization it sets base.
     *
     * @throws IllegalArgumentException naming the parameter when q has another shape than the parameter, or the map
     *     has no right inverse (matrix_exp and cayley without trivialization)
     */
    @Override
    public Tensor rightInverse(Tensor q) {
        if (!q.shape().equals(shape)) {
            throw new IllegalArgumentException("Orthogonal.rightInverse: expected a matrix or batch of matrices of the"
                    + " shape of " + owner + ", got " + q.shape());
        }
        if (!invertible()) {
            throw new IllegalArgumentException("Orthogonal.rightInverse: " + owner + " cannot be assigned: the " + map
                    + " map has no right inverse without trivialization");
        }
        try (Autograd.Guard g = Autograd.noGrad()) {
            boolean transposed = q.dim(-2) < q.dim(-1);
            Tensor tall = transposed ? q.transpose(-2, -1) : q;
            Tensor x = trivialization ? setBase(tall) : HouseholderReflectors.of(tall);
            return transposed ? x.transpose(-2, -1) : x;
        }
    }

    /** Sets base to tall q [..., n, k] orthogonalised and completed to [..., n, n]; returns the negated identity. */
    private Tensor setBase(Tensor q) {
        int n = q.dim(-2);
        int k = q.dim(-1);
        Tensor square = q;
        if (n != k) {
            Tensor completion = Tensor.randn(q.dtype(), q.shape().with(-1, n - k).dims());
            square = Tensor.cat(List.of(q, completion), -1);
        }
        buffer("base").assign(n == k && isOrthogonal(square) ? square : positiveQ(square));
        Tensor negatedIdentity = identity(q, k).neg();
        return n == k ? negatedIdentity : Tensor.cat(List.of(negatedIdentity, q.fullLike(0, q.shape().with(-2, n - k))),
                -2);
    }

    /** PyTorch's {@code _is_orthogonal}: {@code allclose(Q^T Q, I, atol=10 n eps)} over the whole batch. */
    private static boolean isOrthogonal(Tensor q) {
        int n = q.dim(-2);
        double eps = q.dtype() == DType.F64 ? Math.ulp(1.0) : Math.ulp(1.0f);
        Tensor eye = identity(q, n);
        Tensor gram = q.transpose(-2, -1).matmul(q);
        return gram.sub(eye).abs().sub(eye.mul(ALLCLOSE_RTOL)).le(10 * n * eps).all().item() != 0;
    }

    /** PyTorch's {@code _make_orthogonal}: the Q of A's QR factorisation, signed so that R's diagonal is positive. */
    private static Tensor positiveQ(Tensor a) {
        Linalg.QR qr = Linalg.qr(a);
        return qr.q().mul(qr.r().diagonal(0, -2, -1).sign().unsqueeze(-2));
    }

    /** Identity matrices [..., n, n], the batch axes of like [..., r, c], in its dtype. */
    private static Tensor identity(Tensor like, int n) {
        Shape batch = like.shape().without(-1).with(-1, n);
        return like.fullLike(1, batch).diagEmbed(0, -2, -1);
    }

    /** PyTorch's name of the parametrization, {@code _Orthogonal}, which prints no settings. */
    @Override
    protected String typeName() {
        return "_Orthogonal";
    }
}
