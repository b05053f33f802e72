"""Writes the ONNX graphs of models' OnnxImportMoreOpsTest into models/src/test/resources/onnx/ (more_*.onnx): one-op
graphs built with the onnx package (1.12) at opset 17 (TopK, ArgMax, ArgMin, GatherElements, ScatterElements,
CumSum, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum, ReduceLogSumExp, Tile, Trilu,
NonZero, ConvTranspose's output_shape) and three torch.onnx.export graphs (torch.arange's Range, torch.topk, an
LSTM on a batch packed with enforce_sorted=False), and prints OnnxImportMoreOpsFixtures.java: for each graph the
output on parity.pattern (seed 7, float32) and the gradient of sum(output * pattern(seed 11)) in that input (zeros
where the output is integer), computed by PyTorch 1.13 in float64 from ONNX's definitions. Run it with /usr/bin/python3 and redirect its output into the Java file."""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper

import parity

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "onnx")


def weight(seed, *dims):
    """pattern(seed) rounded to float32, as the graph stores it, back in float64 for the reference."""
    return parity.pattern(int(np.prod(dims)), seed).float().double().reshape(*dims)


def ints(*values):
    return np.array(values, dtype=np.int64)


def case(name, op, attrs, dims, reference, weights=None, consts=None, inputs=None, integer=False):
    """One node on input x of shape dims; consts are int64 initializers, weights float ones."""
    weights = weights or {}
    consts = consts or {}
    node = helper.make_node(op, inputs or ["x"] + list(weights) + list(consts), ["y"], **attrs)
    return (name, [node], weights, consts, dims, reference, integer)


def topk_case(name, k, axis, largest, dims):
    """TopK's values and its indices cast to float, side by side along the axis (one float output)."""
    nodes = [helper.make_node("TopK", ["x", "k"], ["values", "indices"], axis=axis, largest=largest),
             helper.make_node("Cast", ["indices"], ["float_indices"], to=TensorProto.FLOAT),
             helper.make_node("Concat", ["values", "float_indices"], ["y"], axis=axis)]

    def reference(x, p):
        values, indices = torch.topk(x, k, dim=axis, largest=bool(largest), sorted=True)
        return torch.cat([values, indices.double()], dim=axis)
    return (name, nodes, {}, {"k": ints(k)}, dims, reference, False)


def cumsum(x, axis, exclusive, reverse):
    """ONNX's CumSum: reverse sums from the end, exclusive leaves each element out of its own sum."""
    z = x.flip(axis) if reverse else x
    s = z.cumsum(axis)
    if exclusive:
        s = torch.cat([torch.zeros_like(s.narrow(axis, 0, 1)), s.narrow(axis, 0, s.shape[axis] - 1)], axis)
    return s.flip(axis) if reverse else s


def scatter_reference(x, p, index, axis, reduce):
    src = p["updates"]
    if reduce is None:
        return x.scatter(axis, index, src)
    return x.scatter_reduce(axis, index, src, reduce, include_self=True)


def conv_transpose_output_shape(x, p, stride, kernel, output_shape, upper):
    """ONNX's ConvTranspose with output_shape: the full output cropped by total = full - output_shape, the odd one at
    the beginning unless auto_pad is SAME_UPPER."""
    y = F.conv_transpose2d(x, p["w"], p["b"], stride=stride)
    for k in range(2):
        total = y.shape[2 + k] - output_shape[k]
        begin = total // 2 if upper else total - total // 2
        y = y.narrow(2 + k, begin, output_shape[k])
    return y


class TorchArange(torch.nn.Module):
    """x plus its last axis's positions: torch exports torch.arange of a dynamic size as Shape, Gather and Range."""

    def forward(self, x):
        return x + torch.arange(x.shape[-1], dtype=x.dtype) * 0.5


class TorchTopk(torch.nn.Module):
    """The two largest of each row and the values at the smallest's positions: TopK and GatherElements."""

    def forward(self, x):
        top, _ = torch.topk(x, 2, dim=-1)
        _, low = torch.topk(x, 2, dim=-1, largest=False)
        return torch.cat([top, torch.gather(x * 2, -1, low)], -1)


class TorchUnsortedPackedLstm(torch.nn.Module):
    """An LSTM on a batch packed with enforce_sorted=False: torch exports the sorting and its inverse as Gather and
    ScatterElements of the lengths' order."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 4)

    def forward(self, x):
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor([3, 5, 2]), enforce_sorted=False)
        out, (h, c) = self.lstm(packed)
        y, _ = torch.nn.utils.rnn.pad_packed_sequence(out, total_length=x.shape[0])
        return torch.cat([y.transpose(0, 1).flatten(1), h[0], c[0]], dim=1)


def torch_case(name, cls, dims, dynamic_batch=True):
    """A module torch.onnx.export writes (opset 17, constant folding, pattern weights rounded to float32); the
    reference is the same module in float64."""
    model = cls()
    with torch.no_grad():
        for i, (_, t) in enumerate(model.named_parameters()):
            t.copy_(weight(i + 1, *t.shape))
    path = os.path.join(OUT, "more_%s.onnx" % name)
    torch.onnx.export(model.float(), torch.zeros(*dims, dtype=torch.float32), path, opset_version=17,
                      do_constant_folding=True, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}} if dynamic_batch else None)
    model.double()
    return (name, None, {}, {}, dims, lambda x, p: model(x), False)


GATHER_INDEX = ints(2, 0, 3, 3, 1, 0, 4, 2, 1, 0, 0, 3, 3, 4, 1, 2, 2, 0).reshape(2, 3, 3)
SCATTER_INDEX = ints(0, 1, 2, 2, 0, 1, 1, 2, 0, 0, 1, 2).reshape(2, 2, 3)
ADD_INDEX = ints(1, 1, 0, 2, 0, 1, 2, 2, 0, 1, 1, 1).reshape(2, 2, 3)

CASES = [
    topk_case("topk_largest", 3, -1, 1, (2, 3, 6)),
    topk_case("topk_smallest_axis1", 2, 1, 0, (2, 4, 3)),
    case("argmax_keepdims", "ArgMax", dict(axis=1), (2, 4, 3), lambda x, p: x.argmax(1, keepdim=True),
         integer=True),
    case("argmin_last_index", "ArgMin", dict(axis=-1, keepdims=0, select_last_index=1), (2, 3, 5),
         lambda x, p: (x.shape[-1] - 1 - x.flip(-1).argmin(-1)), integer=True),
    case("gather_elements", "GatherElements", dict(axis=2), (2, 3, 5),
         lambda x, p: torch.gather(x, 2, torch.tensor(GATHER_INDEX)), consts={"index": GATHER_INDEX}),
    case("scatter_elements", "ScatterElements", dict(axis=1), (2, 3, 3),
         lambda x, p: scatter_reference(x, p, torch.tensor(SCATTER_INDEX), 1, None),
         weights={"updates": weight(3, 2, 2, 3)}, consts={"index": SCATTER_INDEX}, inputs=["x", "index", "updates"]),
    case("scatter_elements_add", "ScatterElements", dict(axis=-1, reduction="add"), (2, 2, 4),
         lambda x, p: scatter_reference(x, p, torch.tensor(ADD_INDEX), 2, "sum"),
         weights={"updates": weight(3, 2, 2, 3)}, consts={"index": ADD_INDEX}, inputs=["x", "index", "updates"]),
    case("cumsum", "CumSum", {}, (2, 3, 4), lambda x, p: cumsum(x, 1, False, False), consts={"axis": ints(1)}),
    case("cumsum_exclusive_reverse", "CumSum", dict(exclusive=1, reverse=1), (2, 3, 4),
         lambda x, p: cumsum(x, 2, True, True), consts={"axis": ints(-1)}),
    case("reduce_min", "ReduceMin", dict(axes=[1, 2], keepdims=0), (2, 3, 4), lambda x, p: x.amin((1, 2))),
    case("reduce_prod", "ReduceProd", dict(axes=[-1]), (2, 3, 4), lambda x, p: x.prod(-1, keepdim=True)),
    case("reduce_l1", "ReduceL1", dict(axes=[0, 2]), (2, 3, 4), lambda x, p: x.abs().sum((0, 2), keepdim=True)),
    case("reduce_l2", "ReduceL2", dict(keepdims=0), (2, 3, 4), lambda x, p: x.square().sum().sqrt()),
    case("reduce_sum_square", "ReduceSumSquare", dict(axes=[1]), (2, 3, 4),
         lambda x, p: x.square().sum(1, keepdim=True)),
    case("reduce_log_sum", "ReduceLogSum", dict(axes=[2], keepdims=0), (2, 3, 4),
         lambda x, p: x.sum(2).log()),
    case("reduce_log_sum_exp", "ReduceLogSumExp", dict(axes=[1, 2]), (2, 3, 4),
         lambda x, p: x.logsumexp((1, 2), keepdim=True)),
    case("tile", "Tile", {}, (2, 3, 2), lambda x, p: x.repeat(1, 2, 3), consts={"repeats": ints(1, 2, 3)}),
    case("trilu_lower", "Trilu", dict(upper=0), (2, 4, 5), lambda x, p: x.tril(-1), consts={"k": ints(-1)}),
    case("trilu_upper", "Trilu", {}, (2, 4, 5), lambda x, p: x.triu()),
    case("nonzero", "NonZero", {}, (2, 3, 4), lambda x, p: (x > 0.1).nonzero().t(), integer=True),
    case("conv_transpose_output_shape", "ConvTranspose", dict(strides=[2, 2], output_shape=[6, 8]), (2, 2, 3, 4),
         lambda x, p: conv_transpose_output_shape(x, p, [2, 2], [3, 3], [6, 8], False),
         weights={"w": weight(1, 2, 3, 3, 3), "b": weight(2, 3)}),
    case("conv_transpose_output_shape_same_upper", "ConvTranspose",
         dict(strides=[2, 2], output_shape=[5, 8], auto_pad="SAME_UPPER"), (2, 2, 3, 4),
         lambda x, p: conv_transpose_output_shape(x, p, [2, 2], [3, 3], [5, 8], True),
         weights={"w": weight(1, 2, 3, 3, 3), "b": weight(2, 3)}),
    torch_case("torch_arange", TorchArange, (2, 3, 5)),
    torch_case("torch_topk", TorchTopk, (2, 3, 5)),
    torch_case("torch_unsorted_packed_lstm", TorchUnsortedPackedLstm, (5, 3, 3), dynamic_batch=False),
]


def fix_special_inputs(name, nodes):
    """ReduceLogSum's graph adds 1 first so that every sum is positive; NonZero's compares with 0.1 first."""
    if name == "reduce_log_sum":
        nodes.insert(0, helper.make_node("Add", ["x0", "one"], ["x1"]))
        nodes[1].input[0] = "x1"
        return {"one": torch.ones(1)}
    if name == "nonzero":
        nodes.insert(0, helper.make_node("Greater", ["x0", "threshold"], ["x1"]))
        nodes[1].input[0] = "x1"
        return {"threshold": torch.full((1,), 0.1)}
    return {}


def write(name, nodes, weights, consts, dims, out_dims, integer):
    extra = fix_special_inputs(name, nodes)
    source = "x0" if extra else "x"
    initializers = [helper.make_tensor(n, TensorProto.FLOAT, list(t.shape), t.float().flatten().tolist())
                    for n, t in list(weights.items()) + list(extra.items())]
    initializers += [helper.make_tensor(n, TensorProto.INT64, list(a.shape), a.flatten().tolist())
                     for n, a in consts.items()]
    x = helper.make_tensor_value_info(source, TensorProto.FLOAT, list(dims))
    # NonZero's count of indices depends on the values, so the graph declares it symbolic.
    y = helper.make_tensor_value_info("y", TensorProto.INT64 if integer else TensorProto.FLOAT,
                                      [out_dims[0], "count"] if name == "nonzero" else list(out_dims))
    graph = helper.make_graph(nodes, name, [x], [y], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="onnx_import_more_ops.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "more_%s.onnx" % name))


def main():
    print("package dev.kiln.onnx.importer;")
    print()
    print("import java.util.List;")
    print()
    print("/** Printed by models/src/test/pytorch/onnx_import_more_ops.py (PyTorch 1.13, float64 from float32 weights")
    print(" * and inputs): for each resources/onnx/more_NAME.onnx the input shape, the output on parity.pattern(n, 7)")
    print(" * and the gradient of sum(output * pattern(seed 11)) in the input (zeros for an integer output). */")
    print("final class OnnxImportMoreOpsFixtures {")
    print("    private OnnxImportMoreOpsFixtures() {")
    print("    }")
    print()
    print("    /** One graph: its name, its input's shape, PyTorch's output shape, output and input gradient; integer")
    print("     * when the output is I64 (no gradient). */")
    print("    record Case(String name, int[] inputShape, int[] outputShape, double[] output, double[] inputGradient,")
    print("            boolean integer) {")
    print("        @Override")
    print("        public String toString() {")
    print("            return name;")
    print("        }")
    print("    }")
    print()
    print("    static final List<Case> CASES = List.of(")
    entries = []
    for name, nodes, weights, consts, dims, reference, integer in CASES:
        x = parity.pattern(int(np.prod(dims)), 7).float().double().reshape(*dims).requires_grad_(True)
        source = x + 1 if name == "reduce_log_sum" else x
        out = reference(source, weights)
        if integer:
            grad = torch.zeros(x.numel())
        else:
            (out * parity.pattern(out.numel(), 11).reshape(out.shape)).sum().backward()
            grad = x.grad.reshape(-1)
        if nodes is not None:
            write(name, nodes, weights, consts, dims, out.shape, integer)
        entries.append('            new Case("%s", new int[] {%s}, new int[] {%s},\n                    new double[] {\n'
                       '                %s},\n                    new double[] {\n                %s}, %s)' % (
                           name, ", ".join(str(d) for d in dims), ", ".join(str(d) for d in out.shape),
                           parity.fmt(out.detach().double().reshape(-1)), parity.fmt(grad),
                           "true" if integer else "false"))
        print(name, list(out.shape), file=sys.stderr)
    print(",\n".join(entries) + ");")
    print("}")


main()
