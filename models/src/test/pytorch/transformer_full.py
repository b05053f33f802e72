"""Prints TransformerPyTorchParityTest: the whole torch.nn.Transformer (both final norms) against PyTorch 1.13."""
from parity import *
import textwrap

PADDING = torch.tensor([[False, False, True], [False, False, False]])
GRADIENTS = ["encoder.layers.0.self_attn.in_proj_bias", "encoder.norm.weight",
             "decoder.layers.0.multihead_attn.out_proj.weight", "decoder.norm.bias"]


def begin(method, title, build, m):
    print("    @ParameterizedTest")
    print("    @EnumSource(value = DType.class, names = {\"F32\", \"F64\"})")
    print("    void %s(DType dtype) {" % method)
    for line in textwrap.wrap(title + ", PyTorch 1.13", 106, subsequent_indent="    "):
        print("        // " + line)
    print("        Transformer model = Transformer.builder().dModel(8).nhead(2).numEncoderLayers(1).numDecoderLayers(1)")
    print("                .dimFeedforward(16).dropout(0.0)%s.build();" % build)
    print("        model.to(dtype);")
    emit_load("model", load(m))


def finish(m, y, src, tgt):
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("src gradient", "src.grad()", src.grad)
    emit_values("tgt gradient", "tgt.grad()", tgt.grad)
    params = dict(m.named_parameters())
    for name in GRADIENTS:
        print('        assertGradient(model, "%s",\n                %s);' % (name, fmt(params[name].grad.reshape(-1))))
    end_test()


def post_norm_sequence_first():
    m = torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0)
    begin("postNormSequenceFirstWithMasksMatchesPyTorch",
          "torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0)(src [3, 2, 8], tgt [4, 2, 8], "
          "tgt_mask=generate_square_subsequent_mask(4), src_key_padding_mask=memory_key_padding_mask=[[F, F, T], "
          "[F, F, F]]) in training mode", "", m)
    src = tensor(100, 3, 2, 8)
    tgt = tensor(101, 4, 2, 8)
    print("        Tensor src = tensor(dtype, 100, 3, 2, 8);")
    print("        Tensor tgt = tensor(dtype, 101, 4, 2, 8);")
    print("        Tensor padding = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 0}, 2, 3).to(dtype);")
    print("        AttentionMask causal = AttentionMask.additive(Transformer.generateSquareSubsequentMask(4, dtype));")
    print("        Tensor y = model.forward(src, tgt, null, causal, null, padding, null, padding);")
    print("        backward(200, y);")
    mask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    y = m(src, tgt, tgt_mask=mask, src_key_padding_mask=PADDING, memory_key_padding_mask=PADDING)
    finish(m, y, src, tgt)


def pre_norm_batch_first():
    m = torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0, activation="gelu", layer_norm_eps=1e-3,
                             batch_first=True, norm_first=True)
    begin("preNormBatchFirstGeluMatchesPyTorch",
          "torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0, activation=\"gelu\", "
          "layer_norm_eps=1e-3, batch_first=True, norm_first=True)(src [2, 3, 8], tgt [2, 4, 8], "
          "tgt_mask=generate_square_subsequent_mask(4)) in training mode",
          "\n                .activation(\"gelu\").layerNormEps(1e-3).batchFirst(true).normFirst(true)", m)
    src = tensor(100, 2, 3, 8)
    tgt = tensor(101, 2, 4, 8)
    print("        Tensor src = tensor(dtype, 100, 2, 3, 8);")
    print("        Tensor tgt = tensor(dtype, 101, 2, 4, 8);")
    print("        Tensor y = model.forward(src, tgt,")
    print("                AttentionMask.additive(Transformer.generateSquareSubsequentMask(4, dtype)));")
    print("        backward(200, y);")
    y = m(src, tgt, tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4))
    finish(m, y, src, tgt)


def unbatched():
    m = torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0)
    begin("unbatchedWithMasksMatchesPyTorch",
          "torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0)(src [3, 8], tgt [4, 8], "
          "tgt_mask=generate_square_subsequent_mask(4), src_key_padding_mask=memory_key_padding_mask=[F, F, T]) "
          "in training mode", "", m)
    src = tensor(100, 3, 8)
    tgt = tensor(101, 4, 8)
    print("        Tensor src = tensor(dtype, 100, 3, 8);")
    print("        Tensor tgt = tensor(dtype, 101, 4, 8);")
    print("        Tensor padding = Tensor.fromArray(new double[] {0, 0, 1}, 3).to(dtype);")
    print("        AttentionMask causal = AttentionMask.additive(Transformer.generateSquareSubsequentMask(4, dtype));")
    print("        Tensor y = model.forward(src, tgt, null, causal, null, padding, null, padding);")
    print("        backward(200, y);")
    print("        assertArrayEquals(new int[] {4, 8}, y.shape().dims());")
    mask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    y = m(src, tgt, tgt_mask=mask, src_key_padding_mask=PADDING[0], memory_key_padding_mask=PADDING[0])
    assert list(y.shape) == [4, 8]
    finish(m, y, src, tgt)


def callable_activation():
    m = torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0, activation=torch.nn.functional.silu,
                             batch_first=True)
    begin("callableActivationMatchesPyTorch",
          "torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0, activation=F.silu, batch_first=True)"
          "(src [2, 3, 8], tgt [2, 4, 8]) in training mode",
          "\n                .activation(Tensor::silu).batchFirst(true)", m)
    src = tensor(100, 2, 3, 8)
    tgt = tensor(101, 2, 4, 8)
    print("        Tensor src = tensor(dtype, 100, 2, 3, 8);")
    print("        Tensor tgt = tensor(dtype, 101, 2, 4, 8);")
    print("        Tensor y = model.forward(src, tgt);")
    print("        backward(200, y);")
    y = m(src, tgt)
    finish(m, y, src, tgt)


def state_dict_keys():
    m = torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16)
    print("    /** torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16).state_dict().keys(), PyTorch 1.13. */")
    print("    private static final List<String> PYTORCH_STATE_DICT_KEYS = List.of(")
    print(",\n".join('            "%s"' % k for k in m.state_dict().keys()) + ");")
    print()


state_dict_keys()
post_norm_sequence_first()
pre_norm_batch_first()
unbatched()
callable_activation()
