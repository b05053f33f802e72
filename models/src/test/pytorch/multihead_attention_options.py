"""Prints MultiHeadAttentionOptionsPyTorchParityTest: nn.MultiheadAttention's constructor options (kdim, vdim, bias,
add_bias_kv, add_zero_attn, batch_first) and forward options (need_weights, average_attn_weights) against PyTorch
1.13."""
from parity import *
import textwrap

KEY_PADDING = torch.tensor([[False, False, True], [False, False, False]])
ATTN_MASK = torch.tensor([[False, True, False], [False, False, True], [False, False, False]])

KEY_PADDING_JAVA = "Tensor keyPadding = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 0}, 2, 3).to(dtype);"
ATTN_MASK_JAVA = "Tensor attnMask = Tensor.fromArray(new double[] {0, 1, 0, 0, 0, 1, 0, 0, 0}, 3, 3).to(dtype);"

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link MultiHeadAttention} built with PyTorch's options ({@code kdim}, {@code vdim}, {@code bias},
 * {@code add_bias_kv}, {@code add_zero_attn}, {@code batch_first}) and called with its forward options
 * ({@code need_weights}, {@code average_attn_weights}), against PyTorch's own numbers (printed by
 * {@code models/src/test/pytorch/multihead_attention_options.py}): outputs, weights, and the gradients of the inputs
 * and of every parameter, with PyTorch's state dict loaded key for key, as in {@link AttentionPyTorchParityTest}.
 */
class MultiHeadAttentionOptionsPyTorchParityTest {
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


def case(method, torch_args, java_build, shapes, call_title, call_kwargs, java_call, self_attention=False,
         need_weights=True, average=True, masks=True):
    """One parameterized test: q, k, v of `shapes` (seeds 100, 101, 102; one tensor x when self_attention)."""
    m = torch.nn.MultiheadAttention(**torch_args)
    title = "torch.nn.MultiheadAttention(%s)(%s)" % (
        ", ".join("%s=%s" % (k, v) if k not in ("embed_dim", "num_heads") else str(v) for k, v in torch_args.items()),
        call_title)
    print()
    print("    @ParameterizedTest")
    print("    @EnumSource(value = DType.class, names = {\"F32\", \"F64\"})")
    print("    void %s(DType dtype) {" % method)
    for line in textwrap.wrap(title + ", PyTorch 1.13", 106, subsequent_indent="    "):
        print("        // " + line)
    line = "        MultiHeadAttention layer = (MultiHeadAttention) %s.to(dtype);" % java_build
    if len(line) > 120:
        cut = line.rindex(".", 0, 112)
        line = line[:cut] + "\n                " + line[cut:]
    print(line)
    emit_load("layer", load(m))
    names = ["x"] if self_attention else ["q", "k", "v"]
    inputs = []
    for i, (name, shape) in enumerate(zip(names, shapes)):
        inputs.append(tensor(100 + i, *shape))
        print("        Tensor %s = tensor(dtype, %d, %s);" % (name, 100 + i, ", ".join(str(d) for d in shape)))
    if masks:
        print("        " + KEY_PADDING_JAVA)
        print("        " + ATTN_MASK_JAVA)
    print("        AttentionOutput out = %s;" % java_call)
    q, k, v = (inputs[0], inputs[0], inputs[0]) if self_attention else inputs
    kwargs = dict(call_kwargs)
    if masks:
        kwargs.update(key_padding_mask=KEY_PADDING, attn_mask=ATTN_MASK)
    o, w = m(q, k, v, need_weights=need_weights, average_attn_weights=average, **kwargs)
    if need_weights:
        print("        backward(200, out.context(), out.weights());")
        backward([o, w], [200, 201])
    else:
        print("        backward(200, out.context());")
        backward([o], [200])
    print()
    emit_values("output", "out.context()", o)
    if need_weights:
        emit_values("weights averaged over the heads" if average else "weights of each head", "out.weights()", w)
    else:
        print('        assertNull(out.weights(), "weights with needWeights false");')
    for name, t in zip(names, inputs):
        label = {"x": "input", "q": "query", "k": "key", "v": "value"}[name]
        emit_values(label + " gradient", name + ".grad()", t.grad)
    emit_grads("layer", m)
    print("    }")


BATCH_FIRST_SHAPES = [(2, 3, 4), (2, 3, 4), (2, 3, 4)]
MASKS_TITLE = "key_padding_mask=[[F, F, T], [F, F, F]], attn_mask=[[F, T, F], [F, F, T], [F, F, F]]"
FULL_CALL = "layer.attend(q, k, v, AttentionMask.masking(attnMask), keyPadding, true, true)"

print(HEADER, end="")

case("separateKeyAndValueWidthsMatchPyTorch",
     dict(embed_dim=4, num_heads=2, kdim=3, vdim=5, batch_first=True),
     "MultiHeadAttention.builder(4, 2).kdim(3).vdim(5).batchFirst(true).build()",
     [(2, 3, 4), (2, 3, 3), (2, 3, 5)], "q, k, v, " + MASKS_TITLE, {}, FULL_CALL)

case("keyWidthAloneDifferentMatchesPyTorch",
     dict(embed_dim=4, num_heads=2, kdim=3, batch_first=True),
     "MultiHeadAttention.builder(4, 2).kdim(3).batchFirst(true).build()",
     [(2, 3, 4), (2, 3, 3), (2, 3, 4)], "q, k, v, " + MASKS_TITLE, {}, FULL_CALL)

case("noBiasMatchesPyTorch",
     dict(embed_dim=4, num_heads=2, bias=False, batch_first=True),
     "MultiHeadAttention.builder(4, 2).bias(false).batchFirst(true).build()",
     BATCH_FIRST_SHAPES, "q, k, v, " + MASKS_TITLE, {}, FULL_CALL)

case("noBiasSelfAttentionInOneProjectionMatchesPyTorch",
     dict(embed_dim=4, num_heads=2, bias=False, batch_first=True),
     "MultiHeadAttention.builder(4, 2).bias(false).batchFirst(true).build()",
     [(2, 3, 4)], "x, x, x", {}, "layer.attend(x, x, x, null, null, true, true)", self_attention=True, masks=False)

case("biasKeyAndValueMatchPyTorch",
     dict(embed_dim=4, num_heads=2, add_bias_kv=True, batch_first=True),
     "MultiHeadAttention.builder(4, 2).addBiasKv(true).batchFirst(true).build()",
     BATCH_FIRST_SHAPES, "q, k, v, " + MASKS_TITLE, {}, FULL_CALL)

case("zeroAttentionMatchesPyTorch",
     dict(embed_dim=4, num_heads=2, add_zero_attn=True, batch_first=True),
     "MultiHeadAttention.builder(4, 2).addZeroAttn(true).batchFirst(true).build()",
     BATCH_FIRST_SHAPES, "q, k, v, " + MASKS_TITLE, {}, FULL_CALL)

case("biasKeyAndValueThenZeroAttentionInSelfAttentionMatchPyTorch",
     dict(embed_dim=4, num_heads=2, add_bias_kv=True, add_zero_attn=True, batch_first=True),
     "MultiHeadAttention.builder(4, 2).addBiasKv(true).addZeroAttn(true).batchFirst(true).build()",
     [(2, 3, 4)], "x, x, x, " + MASKS_TITLE, {}, "layer.attend(x, x, x, AttentionMask.masking(attnMask), keyPadding, "
     "true, true)", self_attention=True)

case("weightsOfEachHeadMatchPyTorch",
     dict(embed_dim=4, num_heads=2, batch_first=True),
     "MultiHeadAttention.builder(4, 2).batchFirst(true).build()",
     BATCH_FIRST_SHAPES, "q, k, v, " + MASKS_TITLE + ", average_attn_weights=False", {},
     "layer.attend(q, k, v, AttentionMask.masking(attnMask), keyPadding, true, false)", average=False)

case("noWeightsMatchesPyTorch",
     dict(embed_dim=4, num_heads=2, batch_first=True),
     "MultiHeadAttention.builder(4, 2).batchFirst(true).build()",
     BATCH_FIRST_SHAPES, "q, k, v, " + MASKS_TITLE + ", need_weights=False", {},
     "layer.attend(q, k, v, AttentionMask.masking(attnMask), keyPadding, false, true)", need_weights=False)

case("sequenceFirstWithEveryOptionMatchesPyTorch",
     dict(embed_dim=4, num_heads=2, bias=False, add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=5),
     "MultiHeadAttention.builder(4, 2).bias(false).addBiasKv(true).addZeroAttn(true).kdim(3).vdim(5).build()",
     [(3, 2, 4), (3, 2, 3), (3, 2, 5)], "q, k, v, " + MASKS_TITLE + ", average_attn_weights=False", {},
     "layer.attend(q, k, v, AttentionMask.masking(attnMask), keyPadding, true, false)", average=False)

def java_mask(name, t):
    """A Java line making `name` from mask t: a bool mask's True as 1, a float mask's values as they are."""
    values = ", ".join(("1" if v else "0") if t.dtype == torch.bool else repr(float(v)) for v in t.reshape(-1).tolist())
    dims = ", ".join(str(d) for d in t.shape)
    line = "        Tensor %s = Tensor.fromArray(new double[] {%s}, %s).to(dtype);" % (name, values, dims)
    if len(line) <= 120:
        return line
    cut = line.rindex(", ", 0, 112) + 1
    return line[:cut] + "\n                " + line[cut + 1:]


def edge_case(method, torch_args, java_build, shapes, title, attn_mask=None, key_padding=None, additive=False,
              average=True):
    """Like case, with masks of any shape: attn_mask (bool, or float where additive) and key_padding (bool)."""
    m = torch.nn.MultiheadAttention(**torch_args)
    print()
    print("    @ParameterizedTest")
    print("    @EnumSource(value = DType.class, names = {\"F32\", \"F64\"})")
    print("    void %s(DType dtype) {" % method)
    for line in textwrap.wrap(title + ", PyTorch 1.13", 106, subsequent_indent="    "):
        print("        // " + line)
    line = "        MultiHeadAttention layer = (MultiHeadAttention) %s.to(dtype);" % java_build
    if len(line) > 120:
        cut = line.rindex(".", 0, 112)
        line = line[:cut] + "\n                " + line[cut:]
    print(line)
    emit_load("layer", load(m))
    inputs = []
    for i, (name, shape) in enumerate(zip(["q", "k", "v"], shapes)):
        inputs.append(tensor(100 + i, *shape))
        print("        Tensor %s = tensor(dtype, %d, %s);" % (name, 100 + i, ", ".join(str(d) for d in shape)))
    java_attn = "null"
    if attn_mask is not None:
        print(java_mask("attnMask", attn_mask))
        java_attn = "AttentionMask.%s(attnMask)" % ("additive" if additive else "masking")
    if key_padding is not None:
        print(java_mask("keyPadding", key_padding))
    print("        AttentionOutput out = layer.attend(q, k, v, %s, %s, true, %s);"
          % (java_attn, "keyPadding" if key_padding is not None else "null", "true" if average else "false"))
    o, w = m(*inputs, key_padding_mask=key_padding, attn_mask=attn_mask, average_attn_weights=average)
    print("        backward(200, out.context(), out.weights());")
    backward([o, w], [200, 201])
    print()
    emit_values("output", "out.context()", o)
    emit_values("weights averaged over the heads" if average else "weights of each head", "out.weights()", w)
    for name, t in zip(["query", "key", "value"], inputs):
        emit_values(name + " gradient", name[0] + ".grad()", t.grad)
    emit_grads("layer", m)
    print("    }")


CROSS_MASK = torch.tensor([[False, True, False, True], [True, False, False, False]])
ALL_PADDED = torch.tensor([[False, False, False, True], [True, True, True, True], [False, False, False, False]])
edge_case("crossAttentionOfOtherLengthsWithAppendedKeysAndAFullyPaddedSequenceMatchesPyTorch",
          dict(embed_dim=4, num_heads=2, add_bias_kv=True, add_zero_attn=True),
          "MultiHeadAttention.builder(4, 2).addBiasKv(true).addZeroAttn(true).build()",
          [(2, 3, 4), (4, 3, 4), (4, 3, 4)],
          "q [T 2, batch 3], k, v [S 4, batch 3], attn_mask [2, 4], key_padding_mask with sequence 1 all padded",
          attn_mask=CROSS_MASK, key_padding=ALL_PADDED)

PER_HEAD = torch.zeros(4, 2, 3, dtype=torch.bool)
for b, t, s in [(0, 0, 1), (1, 1, 0), (2, 0, 2), (3, 1, 1), (3, 0, 0)]:
    PER_HEAD[b, t, s] = True
edge_case("aMaskPerHeadWithBiasKeyAndValueMatchesPyTorch",
          dict(embed_dim=4, num_heads=2, add_bias_kv=True, batch_first=True),
          "MultiHeadAttention.builder(4, 2).addBiasKv(true).batchFirst(true).build()",
          [(2, 2, 4), (2, 3, 4), (2, 3, 4)], "q [2, 2, 4], k, v [2, 3, 4], attn_mask [batch * heads, 2, 3]",
          attn_mask=PER_HEAD, average=False)

edge_case("anAdditiveMaskWithZeroAttentionAndKeyPaddingMatchesPyTorch",
          dict(embed_dim=4, num_heads=2, add_zero_attn=True, batch_first=True),
          "MultiHeadAttention.builder(4, 2).addZeroAttn(true).batchFirst(true).build()",
          [(2, 2, 4), (2, 3, 4), (2, 3, 4)],
          "q [2, 2, 4], k, v [2, 3, 4], float attn_mask [[0.5, -1, 0], [-2, 0.25, 1]], key_padding_mask [[F, T, F],"
          " [F, F, F]]",
          attn_mask=torch.tensor([[0.5, -1.0, 0.0], [-2.0, 0.25, 1.0]]),
          key_padding=torch.tensor([[False, True, False], [False, False, False]]), additive=True)

print("}")
