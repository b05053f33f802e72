"""Prints AttentionMaskPyTorchParityTest: PyTorch's float attn_mask and key_padding_mask against PyTorch 1.13."""
from parity import *
import textwrap

KEY_PADDING = torch.tensor([[False, False, True], [False, False, False]])
MEMORY_PADDING = torch.tensor([[False, True], [False, False]])
TARGET_PADDING = torch.tensor([[False, False, False], [False, False, True]])
CAUSAL = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.pattern;
import static dev.kiln.nn.PyTorchParity.tensor;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link MultiHeadAttention}, {@link TransformerEncoderLayer} and {@link TransformerDecoderLayer} under PyTorch's
 * float {@code attn_mask} (an {@link AttentionMask} bias, 2-D and 3-D per head, with -inf entries) and its
 * {@code key_padding_mask}, against PyTorch's own numbers (printed by
 * {@code models/src/test/pytorch/attention_masks.py}): outputs, averaged weights, and the gradients of the inputs,
 * of the bias and of every parameter, as in {@link AttentionPyTorchParityTest}.
 */
class AttentionMaskPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }
'''

FOOTER = '''
    /** A leaf in {@code dtype} that requires a gradient: {@code pattern(numel, seed)} with -inf at {@code infinite}. */
    private static Tensor biasWithInfinities(DType dtype, int seed, int[] infinite, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        double[] values = pattern(n, seed);
        for (int i : infinite) {
            values[i] = Double.NEGATIVE_INFINITY;
        }
        return Tensor.fromArray(values, dims).to(dtype).requiresGrad(true);
    }
}'''


def begin(method, java_type, build, title, m):
    print()
    print("    @ParameterizedTest")
    print("    @EnumSource(value = DType.class, names = {\"F32\", \"F64\"})")
    print("    void %s(DType dtype) {" % method)
    for line in textwrap.wrap(title + ", PyTorch 1.13", 106, subsequent_indent="    "):
        print("        // " + line)
    print("        %s layer = (%s) %s.to(dtype);" % (java_type, java_type, build))
    emit_load("layer", load(m))


def finish():
    print("    }")


def bias_with_infinities(seed, infinite, *dims):
    n = 1
    for d in dims:
        n *= d
    values = pattern(n, seed)
    for i in infinite:
        values[i] = float("-inf")
    return values.reshape(*dims).requires_grad_()


def mha_case(method, title, java_setup, java_call, attn_mask, key_padding_mask, bias):
    m = torch.nn.MultiheadAttention(4, 2, batch_first=True)
    begin(method, "MultiHeadAttention", "new MultiHeadAttention(4, 2, 0.0)",
          "torch.nn.MultiheadAttention(4, 2, batch_first=True)(q, k, v, " + title + ")", m)
    q, k, v = tensor(100, 2, 3, 4), tensor(101, 2, 3, 4), tensor(102, 2, 3, 4)
    print("        Tensor q = tensor(dtype, 100, 2, 3, 4);")
    print("        Tensor k = tensor(dtype, 101, 2, 3, 4);")
    print("        Tensor v = tensor(dtype, 102, 2, 3, 4);")
    for line in java_setup:
        print("        " + line)
    print("        AttentionOutput out = layer.attend(q, k, v, %s);" % java_call)
    print("        backward(200, out.context(), out.weights());")
    o, w = m(q, k, v, key_padding_mask=key_padding_mask, need_weights=True, attn_mask=attn_mask)
    backward([o, w], [200, 201])
    print()
    emit_values("output", "out.context()", o)
    emit_values("weights averaged over the heads", "out.weights()", w)
    emit_values("query gradient", "q.grad()", q.grad)
    emit_values("key gradient", "k.grad()", k.grad)
    emit_values("value gradient", "v.grad()", v.grad)
    if bias is not None:
        emit_values("bias gradient", "bias.grad()", bias.grad)
    emit_grads("layer", m)
    finish()


KEY_PADDING_JAVA = "Tensor keyPadding = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 0}, 2, 3).to(dtype);"

print(HEADER, end="")

bias = bias_with_infinities(103, [2], 3, 3)
mha_case("multiHeadAttentionWithA2dFloatMaskMatchesPyTorch",
         "attn_mask=float [3, 3] with -inf at [0, 2]",
         ["Tensor bias = biasWithInfinities(dtype, 103, new int[] {2}, 3, 3);"],
         "AttentionMask.additive(bias), null", bias, None, bias)

bias = bias_with_infinities(104, [1, 23], 4, 3, 3)
mha_case("multiHeadAttentionWithA3dFloatMaskPerHeadMatchesPyTorch",
         "attn_mask=float [batch * heads = 4, 3, 3] with -inf at [0, 0, 1] and [2, 1, 2]",
         ["Tensor bias = biasWithInfinities(dtype, 104, new int[] {1, 23}, 4, 3, 3);"],
         "AttentionMask.additive(bias), null", bias, None, bias)

mha_case("multiHeadAttentionWithAKeyPaddingMaskMatchesPyTorch",
         "key_padding_mask=[[F, F, T], [F, F, F]]",
         [KEY_PADDING_JAVA],
         "null, keyPadding", None, KEY_PADDING, None)

bias = tensor(103, 3, 3)
mha_case("multiHeadAttentionWithAFloatMaskAndAKeyPaddingMaskMatchesPyTorch",
         "key_padding_mask=[[F, F, T], [F, F, F]], attn_mask=float [3, 3]",
         ["Tensor bias = tensor(dtype, 103, 3, 3);", KEY_PADDING_JAVA],
         "AttentionMask.additive(bias), keyPadding", bias, KEY_PADDING, bias)


def encoder_case(prefix, norm_first):
    m = torch.nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True, norm_first=norm_first)
    options = "TransformerLayerOptions.%s()" % ("preNorm" if norm_first else "postNorm")
    begin(prefix + "EncoderLayerWithAFloatSrcMaskAndSrcKeyPaddingMatchesPyTorch", "TransformerEncoderLayer",
          "new TransformerEncoderLayer(4, 2, 6, 0.0,\n                %s)" % options,
          "torch.nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True, norm_first=%s)"
          "(x, src_mask=float [3, 3], src_key_padding_mask=[[F, F, T], [F, F, F]]) in training mode" % norm_first, m)
    x = tensor(100, 2, 3, 4)
    bias = tensor(103, 3, 3)
    print("        Tensor x = tensor(dtype, 100, 2, 3, 4);")
    print("        Tensor bias = tensor(dtype, 103, 3, 3);")
    print("        " + KEY_PADDING_JAVA)
    print("        Tensor y = layer.forward(x, AttentionMask.additive(bias), keyPadding);")
    print("        backward(200, y);")
    y = m(x, src_mask=bias, src_key_padding_mask=KEY_PADDING)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_values("bias gradient", "bias.grad()", bias.grad)
    emit_grads("layer", m)
    finish()


def decoder_case(prefix, norm_first):
    m = torch.nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True, norm_first=norm_first)
    options = "TransformerLayerOptions.%s()" % ("preNorm" if norm_first else "postNorm")
    begin(prefix + "DecoderLayerWithFloatMasksAndKeyPaddingMatchesPyTorch", "TransformerDecoderLayer",
          "new TransformerDecoderLayer(4, 2, 6, 0.0,\n                %s)" % options,
          "torch.nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True, norm_first=%s)"
          "(tgt, memory, tgt_mask=float [3, 3] with -inf above the diagonal, memory_mask=float [3, 2], "
          "tgt_key_padding_mask=[[F, F, F], [F, F, T]], memory_key_padding_mask=[[F, T], [F, F]]) in training mode"
          % norm_first, m)
    tgt = tensor(100, 2, 3, 4)
    mem = tensor(101, 2, 2, 4)
    tgt_bias = tensor(105, 3, 3)
    mem_bias = tensor(106, 3, 2)
    print("        Tensor target = tensor(dtype, 100, 2, 3, 4);")
    print("        Tensor memory = tensor(dtype, 101, 2, 2, 4);")
    print("        Tensor targetBias = tensor(dtype, 105, 3, 3);")
    print("        Tensor memoryBias = tensor(dtype, 106, 3, 2);")
    print("        Tensor targetPadding = Tensor.fromArray(new double[] {0, 0, 0, 0, 0, 1}, 2, 3).to(dtype);")
    print("        Tensor memoryPadding = Tensor.fromArray(new double[] {0, 1, 0, 0}, 2, 2).to(dtype);")
    print("        Tensor y = layer.forward(target, memory, new AttentionMask(Attention.causalMask(3, dtype), targetBias),")
    print("                AttentionMask.additive(memoryBias), targetPadding, memoryPadding).output();")
    print("        backward(200, y);")
    y = m(tgt, mem, tgt_mask=tgt_bias.masked_fill(CAUSAL, float("-inf")), memory_mask=mem_bias,
          tgt_key_padding_mask=TARGET_PADDING, memory_key_padding_mask=MEMORY_PADDING)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("target gradient", "target.grad()", tgt.grad)
    emit_values("memory gradient", "memory.grad()", mem.grad)
    emit_values("target bias gradient", "targetBias.grad()", tgt_bias.grad)
    emit_values("memory bias gradient", "memoryBias.grad()", mem_bias.grad)
    emit_grads("layer", m)
    finish()


encoder_case("postNorm", False)
encoder_case("preNorm", True)
decoder_case("postNorm", False)
decoder_case("preNorm", True)
print(FOOTER)
