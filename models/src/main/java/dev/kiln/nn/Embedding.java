package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * A lookup table of vectors, like PyTorch's {@code torch.nn.Embedding}: indices (I64 or I32) of any shape,
 * each in [0, numEmbeddings), to [...indices, embeddingDim]. Parameter {@code weight}
 * [numEmbeddings, embeddingDim], drawn from N(0, 1) as in PyTorch.
 *
 * <p>With a padding index, that row starts at zero and never receives a gradient, so padding tokens map
 * to a fixed vector; a negative padding index counts from the end, as in PyTorch.
 *
 * <p>With {@link #sparse(boolean) sparse gradients} (PyTorch's {@code sparse=True}) a backward pass leaves the weight's
 * gradient in {@code weight().sparseGrad()}, the looked-up rows alone, for {@link dev.kiln.optim.SparseAdam},
 * {@link dev.kiln.optim.SGD} or {@link dev.kiln.optim.AdaGrad}: {@code new Embedding(1_000_000, 64).sparse(true)}.
 */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final int paddingIdx;
    private boolean sparse;

    /** A table without a padding row. */
    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null);
    }

    /** A table whose row {@code paddingIdx} (in [-numEmbeddings, numEmbeddings)) is zero and untrained. */
    public Embedding(int numEmbeddings, int embeddingDim, int paddingIdx) {
        this(numEmbeddings, embeddingDim, Integer.valueOf(paddingIdx));
    }

    private Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got " + numEmbeddings + " x " + embeddingDim);
        }
        if (paddingIdx != null && (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
            throw new IllegalArgumentException("Embedding(" + numEmbeddings + ", " + embeddingDim + "): padding index "
                    + paddingIdx + " is outside [-" + numEmbeddings + ", " + numEmbeddings + ")");
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        registerParameter("weight", table(numEmbeddings, embeddingDim, this.paddingIdx));
    }

    /**
     * A new [rows, dim] table drawn from N(0, 1), as PyTorch draws it, with row {@code paddingIdx} (none when
     * negative) zero; outside every scope.
     */
    static Tensor table(int rows, int dim, int paddingIdx) {
        Tensor weight = unscoped(() -> Tensor.normal(0, 1, DType.F32, rows, dim));
        if (paddingIdx >= 0) {
            float[] v = weight.toFloatArray();
            Arrays.fill(v, paddingIdx * dim, (paddingIdx + 1) * dim, 0f);
            try (Autograd.Guard g = Autograd.noGrad(); Tensor values = Tensor.fromArray(v, rows, dim)) {
                weight.assign(values);
            }
        }
        return weight;
    }

    /** [numEmbeddings, embeddingDim]. */
    public Tensor weight() {
        return param("weight");
    }

    /** The padding row, or -1 for none. */
    public int paddingIdx() {
        return paddingIdx;
    }

    /**
     * Makes the weight's gradient sparse (PyTorch's {@code sparse=True}) or dense again: with sparse gradients a
     * backward pass adds the looked-up rows' gradients to {@code weight().sparseGrad()} and leaves
     * {@code weight().grad()} alone ({@link F#sparseEmbedding}), so that a step of a large table costs the rows looked
     * up; optimizers that cannot step a sparse gradient refuse it. Returns this.
     */
    public Embedding sparse(boolean sparse) {
        this.sparse = sparse;
        return this;
    }

    /** Whether the weight's gradient is sparse ({@link #sparse(boolean)}). */
    public boolean isSparse() {
        return sparse;
    }

    @Override
    public Tensor forward(Tensor indices) {
        if (sparse) {
            return paddingIdx >= 0 ? F.sparseEmbedding(indices, weight(), paddingIdx) : F.sparseEmbedding(indices, weight());
        }
        return paddingIdx >= 0 ? F.embedding(indices, weight(), paddingIdx) : F.embedding(indices, weight());
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "")
                + (sparse ? ", sparse=True" : "");
    }
}
