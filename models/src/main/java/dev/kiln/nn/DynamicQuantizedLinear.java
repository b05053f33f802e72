package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Int8Linear;
import dev.kiln.engine.Int8LinearWeights;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * A {@link Linear} layer for int8 inference, PyTorch's {@code torch.nn.quantized.dynamic.Linear}: the weight [out, in]
 * quantised once to symmetric int8 with one scale per output row, each input quantised on the fly to uint8 over its
 * own range, the product taken in integers ({@link Int8Linear}). Input [*, in] to [*, out], as Linear. Made by
 * {@link #from(Linear)} or {@link Quantization#quantizeDynamic(Module)}.
 *
 * <p>Inference only: it has no parameters and no backward pass (PyTorch's quantized modules have none), so a call
 * whose input needs a gradient is refused; run it under {@link Autograd#noGrad()}. Its state dict holds the bias
 * ({@code bias}, [out]) alone; the packed weights live in the backend's memory until {@link #close()}. It cannot be
 * copied ({@link #copy()} refuses it): quantise a copy of the F32 model instead.
 */
public final class DynamicQuantizedLinear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Int8LinearWeights packed;

    private DynamicQuantizedLinear(int inFeatures, int outFeatures, Int8LinearWeights packed, Tensor bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.packed = packed;
        registerBuffer("bias", bias);
    }

    /**
     * {@code linear}'s weight quantised and its bias copied, in its training mode; {@code linear} is left as it is.
     *
     * @throws IllegalArgumentException naming the layer when its weight is not F32 or is computed (weight norm,
     *     spectral norm, a parametrization), whose source would change without the packed copy
     */
    public static DynamicQuantizedLinear from(Linear linear) {
        if (linear.computedParameter("weight") != null || linear.computedParameter("bias") != null) {
            throw new IllegalArgumentException("DynamicQuantizedLinear.from(" + linear.describe()
                    + "): the weight or bias is"
                    + " computed (weight norm, spectral norm or a parametrization); remove that first");
        }
        DynamicQuantizedLinear q = of(linear.weight(), linear.bias());
        q.train(linear.isTraining());
        return q;
    }

    /**
     * The layer {@code x W^T + bias} with {@code weight} [out, in] (F32) quantised and {@code bias} ([out] or null)
     * copied: for the weight matrices of the quantised recurrent layers.
     */
    static DynamicQuantizedLinear of(Tensor weight, Tensor bias) {
        Int8LinearWeights packed = Int8Linear.pack(weight);
        Tensor copy = bias == null ? null : unscoped(bias::copy);
        return new DynamicQuantizedLinear(weight.dim(1), weight.dim(0), packed, copy);
    }

    /** [out], or null for a layer without bias. */
    public Tensor bias() {
        return buffer("bias");
    }

    /** The quantised weight: int8 values and per-row scales, held until this module closes. */
    public Int8LinearWeights packedWeight() {
        return packed;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) != inFeatures) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must end in " + inFeatures
                    + " features");
        }
        if (x.rank() == 2) {
            return Int8Linear.forward(x, packed, bias());
        }
        int[] outDims = x.shape().with(-1, outFeatures).dims();
        Tensor rows = consume(x.reshape(-1, inFeatures), t -> Int8Linear.forward(t, packed, bias()));
        return consume(rows, t -> t.reshape(outDims));
    }

    /** Its int8 weights take F32 inputs alone, so its bias stays F32: any other dtype is refused. */
    @Override
    void refuseConversion(String path, DType dtype) {
        if (dtype != DType.F32) {
            throw new IllegalArgumentException("to(" + dtype + "): " + (path.isEmpty() ? "" : "'" + path + "' is ")
                    + describe() + ", an int8 layer that runs in F32 only; convert the F32 model before quantising it");
        }
    }

    @Override
    protected void releaseResources() {
        packed.close();
    }

    /**
     * PyTorch's {@code extra_repr}: {@code in_features=4, out_features=3, dtype=torch.qint8,
     * qscheme=torch.per_channel_affine}, as PyTorch prints the layer that {@code per_channel_dynamic_qconfig} makes
     * (Kiln's weights: one symmetric scale per output row, which PyTorch's packed weight reports as per-channel
     * affine).
     */
    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures
                + ", dtype=torch.qint8, qscheme=torch.per_channel_affine";
    }
}
