package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Fully connected layer {@code y = x W^T + b}, like PyTorch's {@code torch.nn.Linear}: input
 * [batch, in] (or [..., in]; leading dimensions are kept), output [batch, out]. Weight [out, in] and
 * bias [out] in PyTorch's layout and with its default initialisation: kaiming-uniform with
 * {@code a = sqrt(5)}, i.e. uniform in +-1/sqrt(in), for both weight and bias (weight drawn first).
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    /** A layer with a bias. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    /** A layer with or without a bias. */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: features must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = 1 / Math.sqrt(inFeatures);
        registerParameter("weight", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outFeatures, inFeatures)));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outFeatures)) : null);
    }

    /** [out, in]. */
    public Tensor weight() {
        return param("weight");
    }

    /** [out], or null for a layer without bias. */
    public Tensor bias() {
        return param("bias");
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        if (x.rank() == 2) {
            return F.linear(x, weight(), bias());
        }
        int[] outDims = x.shape().with(-1, outFeatures).dims();
        Tensor rows = consume(x.reshape(-1, inFeatures), t -> F.linear(t, weight(), bias()));
        return consume(rows, t -> t.reshape(outDims));
    }

    /**
     * This layer followed by {@code activation}, with the bias and the activation in one pass after the GEMM:
     * what {@link Sequential} runs for a plain Linear followed by a {@link FusableActivation}. Input as for
     * {@link #forward(Tensor)}.
     */
    Tensor forward(Tensor x, FusableActivation activation) {
        checkInput(x);
        if (x.rank() == 2) {
            return F.linear(x, weight(), bias(), activation.op(), activation.param());
        }
        int[] outDims = x.shape().with(-1, outFeatures).dims();
        Tensor rows = consume(x.reshape(-1, inFeatures), t -> F.linear(t, weight(), bias(), activation.op(), activation.param()));
        return consume(rows, t -> t.reshape(outDims));
    }

    private void checkInput(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(" + inFeatures + ", " + outFeatures + "): input " + x.shape()
                    + " must end in " + inFeatures + " features" + flattenHint(x));
        }
    }

    /** Where the input's axes after the batch hold the features, the advice to flatten them, as nn.Flatten() does. */
    private String flattenHint(Tensor x) {
        long perExample = 1;
        for (int d = 1; d < x.rank(); d++) {
            perExample *= x.dim(d);
        }
        return x.rank() > 2 && perExample == inFeatures
                ? "; its axes after the first hold " + inFeatures + ": flatten them first (a Flatten() before the Linear)"
                : "";
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias="
                + PythonRepr.bool(bias() != null);
    }
}
