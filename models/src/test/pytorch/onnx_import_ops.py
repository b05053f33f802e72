"""Writes the one-op ONNX graphs of models' OnnxImportOpsTest into models/src/test/resources/onnx/ (ops_*.onnx), built
with the onnx package (1.12) at opset 17, weights from parity.py's pattern rounded to float32, and prints
OnnxImportOpsFixtures.java: for each graph the output on the pattern input (seed 7, float32) and the gradient of
sum(output * pattern(seed 11)) with respect to that input, computed by PyTorch 1.13 in float64 from ONNX's
definitions (auto_pad and pads arithmetic, AveragePool's divisors, ConvTranspose's groups, Einsum, the BOOL ops,
sequence_lens as packed sequences). Run it with /usr/bin/python3 and redirect its output into the Java file."""
import itertools
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper

import parity

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def weight(seed, *dims):
    """pattern(seed) rounded to float32, as the graph stores it, back in float64 for the reference."""
    return parity.pattern(int(np.prod(dims)), seed).float().double().reshape(*dims)


def same_pads(size, kernel, stride, dilation, mode):
    """ONNX's SAME_UPPER / SAME_LOWER for Conv and the pools: output ceil(in / stride), extra padding at the end
    (upper) or the beginning (lower)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    small = total // 2
    return (small, total - small) if mode == "SAME_UPPER" else (total - small, small)


def transposed_same_pads(size, kernel, stride, dilation, output_padding, mode):
    """ONNX's SAME_UPPER / SAME_LOWER for ConvTranspose: output in * stride, the odd one at the end (upper) or the
    beginning (lower)."""
    total = stride * (size - 1) + output_padding + (kernel - 1) * dilation + 1 - size * stride
    small = total // 2
    return (small, total - small) if mode == "SAME_UPPER" else (total - small, small)


def torch_pads(begin, end):
    """F.pad's order: the last axis's (begin, end) first."""
    return [p for k in reversed(range(len(begin))) for p in (begin[k], end[k])]


def crop(y, begin, end):
    for k in range(len(begin)):
        axis = 2 + k
        y = y.narrow(axis, begin[k], y.shape[axis] - begin[k] - end[k])
    return y


def pool_reference(x, kernel, stride, begin, end, dilation, ceil, kind, count_include_pad=False):
    """Pooling by its definition, window by window: max over the positions inside the input; the average over them
    (count_include_pad 0) or their sum over the whole kernel (count_include_pad 1, as ONNX Runtime)."""
    spatial = x.shape[2:]
    counts = []
    for k in range(len(spatial)):
        span = spatial[k] + begin[k] + end[k] - ((kernel[k] - 1) * dilation[k] + 1)
        counts.append((-(-span // stride[k]) if ceil else span // stride[k]) + 1)
    outputs = []
    for index in itertools.product(*[range(c) for c in counts]):
        taps = []
        for offsets in itertools.product(*[range(k) for k in kernel]):
            pos = [index[k] * stride[k] - begin[k] + offsets[k] * dilation[k] for k in range(len(spatial))]
            if all(0 <= pos[k] < spatial[k] for k in range(len(spatial))):
                taps.append(x[(slice(None), slice(None)) + tuple(pos)])
        stacked = torch.stack(taps, -1)
        if kind == "max":
            outputs.append(stacked.amax(-1))
        elif count_include_pad:
            outputs.append(stacked.sum(-1) / np.prod(kernel))
        else:
            outputs.append(stacked.mean(-1))
    return torch.stack(outputs, -1).reshape(*x.shape[:2], *counts)


def conv_same(x, p, kernel, stride, dilation, mode):
    pads = [same_pads(x.shape[2 + k], kernel[k], stride[k], dilation[k], mode) for k in range(len(kernel))]
    padded = F.pad(x, torch_pads([b for b, _ in pads], [e for _, e in pads]))
    conv = F.conv1d if len(kernel) == 1 else F.conv2d
    return conv(padded, p["w"], p.get("b"), stride=stride, dilation=dilation)


def conv_transpose(x, p, stride, begin, end, output_padding, dilation, groups):
    conv = F.conv_transpose1d if x.dim() == 3 else F.conv_transpose2d
    y = conv(x, p["w"], p.get("b"), stride=stride, output_padding=output_padding, dilation=dilation, groups=groups)
    return crop(y, begin, end)


def conv_transpose_same(x, p, kernel, stride, dilation, mode):
    pads = [transposed_same_pads(x.shape[2 + k], kernel[k], stride[k], dilation[k], 0, mode)
            for k in range(len(kernel))]
    return conv_transpose(x, p, stride, [b for b, _ in pads], [e for _, e in pads], [0] * len(kernel), dilation, 1)


def pool_same(x, kernel, stride, mode, kind, count_include_pad=False):
    pads = [same_pads(x.shape[2 + k], kernel[k], stride[k], 1, mode) for k in range(len(kernel))]
    return pool_reference(x, kernel, stride, [b for b, _ in pads], [e for _, e in pads], [1] * len(kernel), False,
                          kind, count_include_pad)


def lp_pool(x, kernel, stride, begin, end, p):
    """ONNX's LpPool: (sum over the window of |x|^p)^(1/p), padding adding nothing."""
    powered = pool_reference(x.abs() ** p, kernel, stride, begin, end, [1] * len(kernel), False, "avg", True)
    return (powered * np.prod(kernel)) ** (1.0 / p)


def lp_pool_same(x, kernel, stride, mode, p):
    pads = [same_pads(x.shape[2 + k], kernel[k], stride[k], 1, mode) for k in range(len(kernel))]
    return lp_pool(x, kernel, stride, [b for b, _ in pads], [e for _, e in pads], p)


def boolean_ops(x, p):
    """Greater, Less, LessOrEqual, GreaterOrEqual, And, Or, Xor, Not and Cast to and from BOOL feeding Where."""
    positive = x > 0
    small = x < float(np.float32(0.3))
    inside = positive & small
    outside = (~positive) | (x >= float(np.float32(0.45)))
    odd = (x <= float(np.float32(-0.2))) ^ inside
    nonzero = torch.relu(x).bool()
    y = torch.where(inside, x * 2, x * outside.double()) + torch.where(odd, -x, x * x)
    return y + nonzero.double() + nonzero.long().double() * 0.5


def recurrent_reference(kind, bidirectional):
    """A torch recurrent layer on the padded batch as a packed sequence: Y zero past each length, Y_h (and Y_c) at
    each sequence's last valid step."""
    layer = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[kind](3, 4, bidirectional=bidirectional)
    with torch.no_grad():
        for i, (_, t) in enumerate(layer.named_parameters()):
            t.copy_(weight(i + 1, *t.shape))

    def run(x, p):
        packed = nn.utils.rnn.pack_padded_sequence(x, torch.tensor(LENGTHS), enforce_sorted=False)
        out, state = layer(packed)
        y, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=x.shape[0])
        states = list(state) if kind == "LSTM" else [state]
        return torch.cat([y.transpose(0, 1).flatten()] + [s.transpose(0, 1).flatten() for s in states])
    return layer, run


LENGTHS = [5, 2, 4]


def onnx_recurrent_weights(kind, layer, directions):
    """The torch layer's weights in ONNX's layout and gate order (LSTM i o f c from torch's i f g o, GRU z r h from
    torch's r z n)."""
    gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]
    order = {"RNN": [0], "LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}[kind]

    def reorder(t):
        return torch.cat([t.chunk(gates, 0)[g] for g in order], 0)
    suffixes = ["", "_reverse"][:directions]
    w = torch.stack([reorder(getattr(layer, "weight_ih_l0" + s)) for s in suffixes])
    r = torch.stack([reorder(getattr(layer, "weight_hh_l0" + s)) for s in suffixes])
    b = torch.stack([torch.cat([reorder(getattr(layer, "bias_ih_l0" + s)), reorder(getattr(layer, "bias_hh_l0" + s))])
                     for s in suffixes])
    return {"W": w.detach(), "R": r.detach(), "B": b.detach()}


def recurrent_case(name, kind, bidirectional):
    layer, run = recurrent_reference(kind, bidirectional)
    directions = 2 if bidirectional else 1
    weights = onnx_recurrent_weights(kind, layer, directions)
    attrs = {"hidden_size": 4, "direction": "bidirectional" if bidirectional else "forward"}
    if kind == "GRU":
        attrs["linear_before_reset"] = 1
    outputs = ["Y", "Y_h"] + (["Y_c"] if kind == "LSTM" else [])
    nodes = [helper.make_node(kind, ["x", "W", "R", "B", "lens"], outputs, **attrs)]
    # Y [seq, dirs, batch, hidden] to [batch, seq * dirs * hidden] as the reference flattens it, then all outputs as one.
    nodes.append(helper.make_node("Transpose", ["Y"], ["Yt"], perm=[2, 0, 1, 3]))
    flat = ["Yf"]
    nodes.append(helper.make_node("Reshape", ["Yt", "flat_shape"], ["Yf"]))
    for k, o in enumerate(outputs[1:]):
        nodes.append(helper.make_node("Transpose", [o], [o + "t"], perm=[1, 0, 2]))
        nodes.append(helper.make_node("Reshape", [o + "t", "flat_shape"], [o + "f"]))
        flat.append(o + "f")
    nodes.append(helper.make_node("Concat", flat, ["y"], axis=0))
    ints = {"lens": np.array(LENGTHS, dtype=np.int32), "flat_shape": np.array([-1], dtype=np.int64)}
    return (name, nodes, weights, ints, (5, 3, 3), run)


def case(name, op, attrs, sample, reference, weights=None, inputs=None):
    """One node on input x of a batch of 2 samples of shape {@code sample}."""
    weights = weights or {}
    node = helper.make_node(op, inputs or ["x"] + list(weights), ["y"], **attrs)
    return (name, [node], weights, {}, (2, *sample), reference)


def bool_case():
    zero = helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0])
    names = {"small": 0.3, "big": 0.45, "low": -0.2}
    nodes = [helper.make_node("Constant", [], ["zero"], value=zero)]
    for n, v in names.items():
        nodes.append(helper.make_node("Constant", [], [n], value=helper.make_tensor(n, TensorProto.FLOAT, [], [v])))
    nodes += [
        helper.make_node("Greater", ["x", "zero"], ["positive"]),
        helper.make_node("Less", ["x", "small"], ["below"]),
        helper.make_node("And", ["positive", "below"], ["inside"]),
        helper.make_node("Not", ["positive"], ["nonpositive"]),
        helper.make_node("GreaterOrEqual", ["x", "big"], ["large"]),
        helper.make_node("Or", ["nonpositive", "large"], ["outside"]),
        helper.make_node("LessOrEqual", ["x", "low"], ["negative"]),
        helper.make_node("Xor", ["negative", "inside"], ["odd"]),
        helper.make_node("Relu", ["x"], ["relu"]),
        helper.make_node("Cast", ["relu"], ["nonzero"], to=TensorProto.BOOL),
        helper.make_node("Cast", ["outside"], ["outside_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x", "two"], ["twice"]),
        helper.make_node("Mul", ["x", "outside_f"], ["kept"]),
        helper.make_node("Where", ["inside", "twice", "kept"], ["first"]),
        helper.make_node("Neg", ["x"], ["minus"]),
        helper.make_node("Mul", ["x", "x"], ["square"]),
        helper.make_node("Where", ["odd", "minus", "square"], ["second"]),
        helper.make_node("Cast", ["nonzero"], ["nonzero_f"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["nonzero"], ["nonzero_i"], to=TensorProto.INT64),
        helper.make_node("Cast", ["nonzero_i"], ["nonzero_if"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["nonzero_if", "half"], ["halves"]),
        helper.make_node("Add", ["first", "second"], ["sum1"]),
        helper.make_node("Add", ["sum1", "nonzero_f"], ["sum2"]),
        helper.make_node("Add", ["sum2", "halves"], ["y"]),
    ]
    weights = {"two": torch.tensor(2.0), "half": torch.tensor(0.5)}
    return ("bool_masks", nodes, weights, {}, (2, 3, 10), lambda x, p: boolean_ops(x, p))


class TorchMasks(nn.Module):
    """As torch exports masks: a grouped ConvTranspose2d, comparisons (Greater, Less), ~ and & (Not, And),
    masked_fill (Cast to BOOL, Where), torch.where and einsum."""
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2)

    def forward(self, x):
        y = self.up(x)
        keep = (y > -0.1) & ~(y > 0.4)
        y = y.masked_fill(~keep, 0.0)
        y = torch.where(y.abs() < 0.05, y * 3, y)
        return torch.einsum("bchw,bdhw->bcd", y, y).flatten(1)


class TorchPackedLstm(nn.Module):
    """A bidirectional nn.LSTM on a padded batch packed with pack_padded_sequence (lengths sorted, as
    enforce_sorted=True exports; the unsorted form needs TopK and ScatterElements): torch exports the lengths as
    sequence_lens. Y (as pad_packed_sequence gives it) and h_n, batch first and flattened."""
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 4, bidirectional=True)

    def forward(self, x):
        packed = nn.utils.rnn.pack_padded_sequence(x, torch.tensor([5, 4, 2]))
        out, (h, c) = self.lstm(packed)
        y, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=x.shape[0])
        return torch.cat([y.transpose(0, 1).flatten(1), h.transpose(0, 1).flatten(1)], dim=1)


def torch_case(name, cls, dims):
    """A module torch.onnx.export writes (opset 17, float32, constant folding); the reference is the same module in
    float64 on the float32-rounded weights."""
    model = cls()
    with torch.no_grad():
        for i, (_, t) in enumerate(model.named_parameters()):
            t.copy_(weight(i + 1, *t.shape))
    path = os.path.join(HERE, "..", "resources", "onnx", "ops_%s.onnx" % name)
    torch.onnx.export(model.float(), torch.zeros(*dims, dtype=torch.float32), path, opset_version=17,
                      do_constant_folding=True, input_names=["x"], output_names=["y"])
    model.double()
    return (name, None, {}, {}, dims, lambda x, p: model(x))


CASES = [
    case("conv2d_same_upper", "Conv", dict(auto_pad="SAME_UPPER", strides=[2, 1], dilations=[1, 2]), (2, 7, 6),
         lambda x, p: conv_same(x, p, [4, 3], [2, 1], [1, 2], "SAME_UPPER"),
         {"w": weight(1, 3, 2, 4, 3), "b": weight(2, 3)}),
    case("conv1d_same_lower", "Conv", dict(auto_pad="SAME_LOWER", strides=[2]), (3, 9),
         lambda x, p: conv_same(x, p, [4], [2], [1], "SAME_LOWER"), {"w": weight(1, 2, 3, 4)}),
    case("conv_transpose2d_same_upper", "ConvTranspose", dict(auto_pad="SAME_UPPER", strides=[2, 2]), (2, 3, 4),
         lambda x, p: conv_transpose_same(x, p, [3, 2], [2, 2], [1, 1], "SAME_UPPER"),
         {"w": weight(1, 2, 3, 3, 2), "b": weight(2, 3)}),
    case("conv_transpose1d_same_lower", "ConvTranspose", dict(auto_pad="SAME_LOWER", strides=[2], dilations=[2]),
         (2, 5), lambda x, p: conv_transpose_same(x, p, [3], [2], [2], "SAME_LOWER"), {"w": weight(1, 2, 2, 3)}),
    case("conv_transpose1d_uneven_pads", "ConvTranspose", dict(pads=[2, 1], strides=[3], output_padding=[1]),
         (2, 5), lambda x, p: conv_transpose(x, p, [3], [2], [1], [1], [1], 1),
         {"w": weight(1, 2, 2, 3), "b": weight(2, 2)}),
    case("conv_transpose2d_grouped", "ConvTranspose",
         dict(group=2, strides=[2, 1], pads=[1, 0, 1, 1], output_padding=[1, 0], dilations=[1, 2]), (4, 3, 4),
         lambda x, p: conv_transpose(x, p, [2, 1], [1, 0], [1, 1], [1, 0], [1, 2], 2),
         {"w": weight(1, 4, 3, 3, 2), "b": weight(2, 6)}),
    case("conv_transpose1d_grouped_uneven", "ConvTranspose", dict(group=3, strides=[2], pads=[0, 2]), (6, 4),
         lambda x, p: conv_transpose(x, p, [2], [0], [2], [0], [1], 3), {"w": weight(1, 6, 1, 3)}),
    case("max_pool2d_same_upper", "MaxPool", dict(auto_pad="SAME_UPPER", kernel_shape=[3, 2], strides=[2, 1]),
         (2, 7, 6), lambda x, p: pool_same(x, [3, 2], [2, 1], "SAME_UPPER", "max")),
    case("max_pool1d_uneven_pads", "MaxPool", dict(kernel_shape=[3], strides=[2], pads=[2, 1]), (3, 8),
         lambda x, p: pool_reference(x, [3], [2], [2], [1], [1], False, "max")),
    case("max_pool2d_uneven_dilated", "MaxPool", dict(kernel_shape=[2, 2], dilations=[2, 1], pads=[0, 1, 1, 0]),
         (2, 6, 5), lambda x, p: pool_reference(x, [2, 2], [1, 1], [0, 1], [1, 0], [2, 1], False, "max")),
    case("average_pool2d_same_lower", "AveragePool", dict(auto_pad="SAME_LOWER", kernel_shape=[3, 4], strides=[2, 1]),
         (2, 7, 6), lambda x, p: pool_same(x, [3, 4], [2, 1], "SAME_LOWER", "avg")),
    case("average_pool2d_same_upper_counting_pads", "AveragePool",
         dict(auto_pad="SAME_UPPER", kernel_shape=[2, 3], strides=[2, 2], count_include_pad=1), (2, 5, 6),
         lambda x, p: pool_same(x, [2, 3], [2, 2], "SAME_UPPER", "avg", True)),
    case("average_pool2d_uneven_counting_pads", "AveragePool",
         dict(kernel_shape=[2, 3], strides=[1, 2], pads=[1, 0, 0, 2], count_include_pad=1), (2, 4, 5),
         lambda x, p: pool_reference(x, [2, 3], [1, 2], [1, 0], [0, 2], [1, 1], False, "avg", True)),
    case("average_pool1d_uneven_ceil", "AveragePool", dict(kernel_shape=[3], strides=[2], pads=[1, 0], ceil_mode=1),
         (3, 9), lambda x, p: pool_reference(x, [3], [2], [1], [0], [1], True, "avg")),
    case("lp_pool2d_same_upper", "LpPool", dict(auto_pad="SAME_UPPER", kernel_shape=[2, 3], strides=[2, 2], p=3),
         (2, 5, 6), lambda x, p: lp_pool_same(x, [2, 3], [2, 2], "SAME_UPPER", 3)),
    case("lp_pool1d_uneven_pads", "LpPool", dict(kernel_shape=[3], strides=[1], pads=[2, 0]), (3, 6),
         lambda x, p: lp_pool(x, [3], [1], [2], [0], 2)),
    case("einsum_batched_product", "Einsum", dict(equation="bij,kj->bik"), (3, 4),
         lambda x, p: torch.einsum("bij,kj->bik", x, p["w"]), {"w": weight(1, 5, 4)}),
    case("einsum_self_scores", "Einsum", dict(equation="bhqd,bhkd->bhqk"), (2, 3, 4),
         lambda x, p: torch.einsum("bhqd,bhkd->bhqk", x, x), inputs=["x", "x"]),
    case("einsum_implicit_trace", "Einsum", dict(equation="bii"), (3, 3),
         lambda x, p: torch.einsum("bii", x)),
    case("einsum_ellipsis", "Einsum", dict(equation="...ij,j->...i"), (2, 3, 4),
         lambda x, p: torch.einsum("...ij,j->...i", x, p["v"]), {"v": weight(3, 4)}),
    bool_case(),
    recurrent_case("lstm_sequence_lens", "LSTM", True),
    recurrent_case("gru_sequence_lens", "GRU", False),
    recurrent_case("rnn_sequence_lens", "RNN", True),
    torch_case("torch_masks", TorchMasks, (2, 4, 3, 3)),
    torch_case("torch_packed_lstm", TorchPackedLstm, (5, 3, 3)),
]


def write(name, nodes, weights, ints, dims, out_dims):
    initializers = [helper.make_tensor(n, TensorProto.FLOAT, list(t.shape), t.float().flatten().tolist())
                    for n, t in weights.items()]
    initializers += [helper.make_tensor(n, TensorProto.INT32 if a.dtype == np.int32 else TensorProto.INT64,
                                        list(a.shape), a.flatten().tolist()) for n, a in ints.items()]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(dims))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_dims))
    graph = helper.make_graph(nodes, name, [x], [y], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="onnx_import_ops.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "..", "resources", "onnx", "ops_%s.onnx" % name))


def main():
    print("package dev.kiln.onnx.importer;")
    print()
    print("import java.util.List;")
    print()
    print("/** Printed by models/src/test/pytorch/onnx_import_ops.py (PyTorch 1.13, float64 from float32 weights and")
    print(" * inputs): for each resources/onnx/ops_NAME.onnx the input shape, the output on parity.pattern(n, 7) and the")
    print(" * gradient of sum(output * pattern(seed 11)) in the input. */")
    print("final class OnnxImportOpsFixtures {")
    print("    private OnnxImportOpsFixtures() {")
    print("    }")
    print()
    print("    /** One graph: its name, its input's shape, PyTorch's output shape, output and input gradient. */")
    print("    record Case(String name, int[] inputShape, int[] outputShape, double[] output, double[] inputGradient) {")
    print("        @Override")
    print("        public String toString() {")
    print("            return name;")
    print("        }")
    print("    }")
    print()
    print("    static final List<Case> CASES = List.of(")
    entries = []
    for name, nodes, weights, ints, dims, reference in CASES:
        x = parity.pattern(int(np.prod(dims)), 7).float().double().reshape(*dims).requires_grad_(True)
        out = reference(x, weights)
        (out * parity.pattern(out.numel(), 11).reshape(out.shape)).sum().backward()
        if nodes is not None:
            write(name, nodes, weights, ints, dims, out.shape)
        entries.append('            new Case("%s", new int[] {%s}, new int[] {%s},\n                    new double[] {\n'
                       '                %s},\n                    new double[] {\n                %s})' % (
                           name, ", ".join(str(d) for d in dims), ", ".join(str(d) for d in out.shape),
                           parity.fmt(out.detach().reshape(-1)), parity.fmt(x.grad.reshape(-1))))
        print(name, list(out.shape), file=sys.stderr)
    print(",\n".join(entries) + ");")
    print("}")


main()
