package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * GELU, element-wise (any shape, e.g. [batch, features] to the same), like PyTorch's {@code torch.nn.GELU}: by
 * default the exact x * Phi(x) (Phi the standard normal CDF, {@code approximate='none'}); with
 * {@code approximate = "tanh"} the approximation 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) of GPT-style
 * models. No parameters.
 */
public class GELU extends Module {
    private final String approximate;

    /** The exact GELU, PyTorch's default {@code approximate='none'}. */
    public GELU() {
        this("none");
    }

    /** {@code approximate} "none" (exact) or "tanh", as PyTorch's argument of that name. */
    public GELU(String approximate) {
        if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
            throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        }
        this.approximate = approximate;
    }

    /** "none" (exact) or "tanh". */
    public String approximate() {
        return approximate;
    }

    @Override
    public Tensor forward(Tensor x) {
        return approximate.equals("tanh") ? x.geluTanh() : x.gelu();
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return "approximate='" + approximate + "'";
    }
}
