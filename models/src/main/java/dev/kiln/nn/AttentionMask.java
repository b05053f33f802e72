package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * PyTorch's {@code attn_mask} for a {@link MultiHeadAttention} or a Transformer layer, which PyTorch reads by its
 * dtype: a boolean mask removes keys, a float mask is added to the scaled scores before the softmax (ALiBi,
 * relative position biases, -inf entries). Kiln's masks have no boolean dtype, so the two are named:
 * {@code mask} is non-zero where a key must not be attended to (PyTorch's boolean {@code attn_mask} with
 * True = masked, {@link #masking}) and {@code bias} is added to the scores (PyTorch's float {@code attn_mask},
 * {@link #additive}); either may be null, and both together (a causal mask and an ALiBi bias, say) act as PyTorch's
 * float mask with -inf where {@code mask} is set.
 *
 * <p>Shapes, for queries [batch, T, E] over S keys with h heads: each part broadcasts to [batch, T, S] (such as
 * [T, S] or [1, T, S] shared by the batch, [batch, 1, S] or [batch, T, S] per sequence), applying to every head,
 * or is [batch * h, T, S], one slice per head (PyTorch's 3-D {@code attn_mask}, head i of sequence b at
 * b * h + i). The key padding mask [batch, S], PyTorch's {@code key_padding_mask}, is passed beside this value;
 * non-zero marks padding, as True does in PyTorch's boolean one.
 *
 * <p>Masked scores (by {@code mask} or key padding) become Kiln's finite {@code MASKED_SCORE}, -1e9, rather than
 * PyTorch's -inf, so that no inf - inf appears. The weights agree with PyTorch's unless every key of a query is
 * masked: PyTorch gives NaN there, Kiln weighs the masked keys equally (or, where the bias is -inf at every key
 * the mask leaves, the masked keys alone). A bias of -inf at every key of a query gives NaN, as in PyTorch.
 */
public record AttentionMask(Tensor mask, Tensor bias) {
    /** PyTorch's boolean {@code attn_mask}: {@code mask} non-zero where a key must not be attended to. */
    public static AttentionMask masking(Tensor mask) {
        return new AttentionMask(mask, null);
    }

    /** PyTorch's float {@code attn_mask}: {@code bias} added to the scaled scores before the softmax. */
    public static AttentionMask additive(Tensor bias) {
        return new AttentionMask(null, bias);
    }

    /**
     * Throws, naming {@code owner} and the mask ({@code name}) with the expected and actual shapes, unless each
     * part is null, broadcasts to [batch, steps, keySteps] or is [batch * heads, steps, keySteps].
     */
    void check(String owner, String name, int batch, int heads, int steps, int keySteps) {
        checkPart(owner, name, mask, batch, heads, steps, keySteps);
        checkPart(owner, name + " bias", bias, batch, heads, steps, keySteps);
    }

    /** Throws, naming {@code owner} and the mask ({@code name}), unless {@code keyPadding} is null or [batch, keySteps]. */
    static void checkKeyPadding(String owner, String name, Tensor keyPadding, int batch, int keySteps) {
        if (keyPadding != null && (keyPadding.rank() != 2 || keyPadding.dim(0) != batch || keyPadding.dim(1) != keySteps)) {
            throw new IllegalArgumentException(owner + ": " + name + " " + keyPadding.shape() + " must be [batch, S] = ["
                    + batch + ", " + keySteps + "]");
        }
    }

    /** Whether {@code part} broadcasts to [batch, steps, keySteps] or is [batch * heads, steps, keySteps]. */
    static boolean fits(Tensor part, int batch, int heads, int steps, int keySteps) {
        if (part.rank() < 1 || part.rank() > 3) {
            return false;
        }
        int[] target = {batch, steps, keySteps};
        for (int i = 1; i <= part.rank(); i++) {
            int dim = part.dim(part.rank() - i);
            boolean perHead = i == 3 && dim == batch * heads;
            if (dim != 1 && dim != target[3 - i] && !perHead) {
                return false;
            }
        }
        return true;
    }

    private static void checkPart(String owner, String name, Tensor part, int batch, int heads, int steps, int keySteps) {
        if (part != null && !fits(part, batch, heads, steps, keySteps)) {
            throw new IllegalArgumentException(owner + ": " + name + " " + part.shape()
                    + " must broadcast to [batch, T, S] = [" + batch + ", " + steps + ", " + keySteps
                    + "] or be [batch * heads, T, S] = [" + batch * heads + ", " + steps + ", " + keySteps + "]");
        }
    }
}
