"""Prints TransformerLayerPyTorchParityTest: post-norm and GELU Transformer layers against PyTorch 1.13."""
from parity import *
import textwrap

MEMORY_PADDING = torch.tensor([[False, True], [False, False]])
KEY_PADDING = torch.tensor([[False, False, True], [False, False, False]])
CAUSAL = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)

# (method prefix, norm_first, activation, layer_norm_eps)
CASES = [
    ("postNorm", False, "relu", 1e-5),
    ("postNormGelu", False, "gelu", 1e-3),
    ("preNormGelu", True, "gelu", 1e-3),
]


def keywords(norm_first, activation, eps):
    s = "dropout=0.0, activation=\"%s\", " % activation
    if eps != 1e-5:
        s += "layer_norm_eps=%r, " % eps
    return s + "batch_first=True, norm_first=%s" % norm_first


def options(norm_first, activation, eps):
    s = "TransformerLayerOptions.%s()" % ("preNorm" if norm_first else "postNorm")
    if activation != "relu":
        s += ".withActivation(\"%s\")" % activation
    if eps != 1e-5:
        s += ".withLayerNormEps(%r)" % eps
    return s


def begin(method, java_type, build, title, m):
    print("    @ParameterizedTest")
    print("    @EnumSource(value = DType.class, names = {\"F32\", \"F64\"})")
    print("    void %s(DType dtype) {" % method)
    for line in textwrap.wrap(title + ", PyTorch 1.13", 106, subsequent_indent="    "):
        print("        // " + line)
    print("        %s layer = (%s) new %s(4, 2, 6, 0.0,\n                %s).to(dtype);" % (java_type, java_type, java_type, build))
    emit_load("layer", load(m))


def encoder(prefix, norm_first, activation, eps):
    m = torch.nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, layer_norm_eps=eps, dropout=0.0,
                                         activation=activation, batch_first=True, norm_first=norm_first)
    begin(prefix + "EncoderLayerWithPaddingMatchesPyTorch", "TransformerEncoderLayer",
          options(norm_first, activation, eps),
          "torch.nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, %s)(x, src_key_padding_mask=[[F, F, T], "
          "[F, F, F]]) in training mode" % keywords(norm_first, activation, eps), m)
    x = tensor(100, 2, 3, 4)
    print("        Tensor x = tensor(dtype, 100, 2, 3, 4);")
    print("        Tensor keyPadding = Attention.paddingMask(new int[] {2, 3}, 3, dtype);")
    print("        Tensor y = layer.forward(x, keyPadding);")
    print("        backward(200, y);")
    y = m(x, src_key_padding_mask=KEY_PADDING)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_grads("layer", m)
    end_test()


def decoder(prefix, norm_first, activation, eps):
    m = torch.nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, layer_norm_eps=eps, dropout=0.0,
                                         activation=activation, batch_first=True, norm_first=norm_first)
    begin(prefix + "DecoderLayerWithCausalAndMemoryMasksMatchesPyTorch", "TransformerDecoderLayer",
          options(norm_first, activation, eps),
          "torch.nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, %s)(tgt, memory, tgt_mask=causal, "
          "memory_key_padding_mask=[[F, T], [F, F]]) in training mode" % keywords(norm_first, activation, eps), m)
    tgt = tensor(100, 2, 3, 4)
    mem = tensor(101, 2, 2, 4)
    print("        Tensor target = tensor(dtype, 100, 2, 3, 4);")
    print("        Tensor memory = tensor(dtype, 101, 2, 2, 4);")
    print("        Tensor memoryPadding = Attention.paddingMask(new int[] {1, 2}, 2, dtype);")
    print("        Tensor y = layer.forward(target, memory, Attention.causalMask(3, dtype), memoryPadding).output();")
    print("        backward(200, y);")
    y = m(tgt, mem, tgt_mask=CAUSAL, memory_key_padding_mask=MEMORY_PADDING)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("target gradient", "target.grad()", tgt.grad)
    emit_values("memory gradient", "memory.grad()", mem.grad)
    emit_grads("layer", m)
    end_test()


for case in CASES:
    encoder(*case)
for case in CASES:
    decoder(*case)
