from parity import *


def header(method, title, java_type, java_build, m):
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        %s layer = (%s) %s.to(DType.F64);" % (java_type, java_type, java_build))
    emit_load("layer", load(m))


kpm = torch.tensor([[False, False, True], [False, False, False]])
am = torch.tensor([[False, True, False], [False, False, True], [False, False, False]])
MASKS = [
    "        Tensor keyPadding = Attention.paddingMask(new int[] {2, 3}, 3, DType.F64);",
    "        Tensor attnMask = Tensor.fromArray(new double[] {0, 1, 0, 0, 0, 1, 0, 0, 0}, 1, 3, 3);",
]

m = torch.nn.MultiheadAttention(4, 2, batch_first=True)
header("multiHeadAttentionWithBothMasksMatchesPyTorch",
       "torch.nn.MultiheadAttention(4, 2, batch_first=True)(q, k, v, key_padding_mask=[[F, F, T], [F, F, F]], "
       "need_weights=True, attn_mask=[[F, T, F], [F, F, T], [F, F, F]])",
       "MultiHeadAttention", "new MultiHeadAttention(4, 2, 0.0)", m)
q, k, v = tensor(100, 2, 3, 4), tensor(101, 2, 3, 4), tensor(102, 2, 3, 4)
print("        Tensor q = tensor(100, 2, 3, 4);")
print("        Tensor k = tensor(101, 2, 3, 4);")
print("        Tensor v = tensor(102, 2, 3, 4);")
for l in MASKS:
    print(l)
print("        AttentionOutput out = layer.attend(q, k, v, keyPadding.add(attnMask));")
print("        backward(200, out.context(), out.weights());")
o, w = m(q, k, v, key_padding_mask=kpm, need_weights=True, attn_mask=am)
backward([o, w], [200, 201])
print()
emit_values("output", "out.context()", o)
emit_values("weights averaged over the heads", "out.weights()", w)
emit_values("query gradient", "q.grad()", q.grad)
emit_values("key gradient", "k.grad()", k.grad)
emit_values("value gradient", "v.grad()", v.grad)
emit_grads("layer", m)
end_test()

m = torch.nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True, norm_first=True)
header("preNormEncoderLayerWithPaddingMatchesPyTorch",
       "torch.nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True, norm_first=True)"
       "(x, src_key_padding_mask=[[F, F, T], [F, F, F]]) in training mode",
       "TransformerEncoderLayer", "new TransformerEncoderLayer(4, 2, 6, 0.0)", m)
x = tensor(100, 2, 3, 4)
print("        Tensor x = tensor(100, 2, 3, 4);")
print(MASKS[0])
print("        Tensor y = layer.forward(x, keyPadding);")
print("        backward(200, y);")
y = m(x, src_key_padding_mask=kpm)
backward([y], [200])
print()
emit_values("output", "y", y)
emit_values("input gradient", "x.grad()", x.grad)
emit_grads("layer", m)
end_test()

m = torch.nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True, norm_first=True)
header("preNormDecoderLayerWithCausalAndMemoryMasksMatchesPyTorch",
       "torch.nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True, norm_first=True)"
       "(tgt, memory, tgt_mask=causal, memory_key_padding_mask=[[F, T], [F, F]]) in training mode",
       "TransformerDecoderLayer", "new TransformerDecoderLayer(4, 2, 6, 0.0)", m)
tgt = tensor(100, 2, 3, 4)
mem = tensor(101, 2, 2, 4)
print("        Tensor target = tensor(100, 2, 3, 4);")
print("        Tensor memory = tensor(101, 2, 2, 4);")
print("        Tensor memoryPadding = Attention.paddingMask(new int[] {1, 2}, 2, DType.F64);")
print("        Tensor y = layer.forward(target, memory, Attention.causalMask(3, DType.F64), memoryPadding).output();")
print("        backward(200, y);")
causal = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
y = m(tgt, mem, tgt_mask=causal, memory_key_padding_mask=torch.tensor([[False, True], [False, False]]))
backward([y], [200])
print()
emit_values("output", "y", y)
emit_values("target gradient", "target.grad()", tgt.grad)
emit_values("memory gradient", "memory.grad()", mem.grad)
emit_grads("layer", m)
end_test()
