package dev.kiln.engine;

/**
 * Dynamic int8 quantisation of linear layers for inference, PyTorch's {@code torch.ops.quantized.linear_dynamic}:
 * weights quantised once ({@link #pack}), each input quantised on the fly from its own range, the product taken in
 * integers and returned in F32. There is no backward pass, as PyTorch's quantized operators have none.
 */
public final class Int8Linear {
    private Int8Linear() {
    }

    /**
     * {@code weight} [out, in] (F32) quantised on its backend ({@link Backend#packInt8Linear}): symmetric int8, one
     * scale per output row. The caller closes the result.
     *
     * @throws IllegalArgumentException naming the shape or dtype when weight is not an F32 matrix
     */
    public static Int8LinearWeights pack(Tensor weight) {
        Checks.open("Int8Linear.pack", weight);
        if (weight.rank() != 2 || weight.dtype() != DType.F32) {
            throw new IllegalArgumentException("Int8Linear.pack: weight must be F32 [out, in], got " + weight.shape()
                    + " " + weight.dtype());
        }
        return weight.backend().packInt8Linear(weight);
    }

    /**
     * {@code input [batch, in] W^T + bias} with input and weight in int8 ({@link Backend#int8Linear}): F32
     * [batch, out]. Records no gradient.
     *
     * @throws IllegalArgumentException naming the shapes when input is not F32 [batch, in] or bias not F32 [out], or
     *     when the weights are closed or on another device
     * @throws IllegalStateException when gradients are enabled and input or bias needs one: the operation has no
     *     backward pass, so run it under {@link Autograd#noGrad()}
     */
    public static Tensor forward(Tensor input, Int8LinearWeights weights, Tensor bias) {
        String op = "Int8Linear.forward";
        Checks.open(op, input);
        if (weights.isClosed()) {
            throw new IllegalArgumentException(op + ": the packed weights [" + weights.outFeatures() + ", "
                    + weights.inFeatures() + "] are closed");
        }
        if (input.rank() != 2 || input.dtype() != DType.F32 || input.dim(1) != weights.inFeatures()) {
            throw new IllegalArgumentException(op + ": input must be F32 [batch, " + weights.inFeatures() + "], got "
                    + input.shape() + " " + input.dtype());
        }
        if (!input.device().equals(weights.backend().device())) {
            throw new IllegalArgumentException(op + ": input is on " + input.device() + " but the weights were packed on "
                    + weights.backend().device());
        }
        if (bias != null) {
            Checks.compatible(op, input, bias);
            if (bias.rank() != 1 || bias.dim(0) != weights.outFeatures()) {
                throw new IllegalArgumentException(op + ": bias must be [" + weights.outFeatures() + "], got "
                        + bias.shape());
            }
        }
        boolean needsGradient = input.requiresGrad() || (bias != null && bias.requiresGrad());
        if (Autograd.isEnabled() && needsGradient) {
            throw new IllegalStateException(op + ": int8 linear layers have no backward pass (as PyTorch's quantized"
                    + " ones), but the " + (input.requiresGrad() ? "input" : "bias") + " requires a gradient; run"
                    + " inference under Autograd.noGrad()");
        }
        Tensor out = input.emptyLike(Shape.of(input.dim(0), weights.outFeatures()), DType.F32);
        input.backend().int8Linear(input, weights, bias, out);
        return out;
    }
}
