"""Reference values for QuantizedTensorPyTorchParityTest: torch.quantize_per_tensor / quantize_per_channel,
int_repr, dequantize and quantize_per_tensor_dynamic of PyTorch 1.13 on tricky inputs (ties, values where x * (1 /
scale) and x / scale round differently, NaN, infinities, -0.0, values past the grid and past int64)."""
import textwrap

import numpy as np
import torch


def floats(name, values):
    emit("float", name, [java_float(v) for v in values])


def java_float(v):
    v = float(v)
    if np.isnan(v):
        return "Float.NaN"
    if np.isinf(v):
        return "Float.POSITIVE_INFINITY" if v > 0 else "Float.NEGATIVE_INFINITY"
    return repr(float(np.float32(v))) + "f" if repr(float(np.float32(v))) != "-0.0" else "-0.0f"


def ints(name, values):
    emit("int", name, [str(int(v)) for v in values])


def emit(kind, name, items):
    text = "    private static final %s[] %s = {%s};" % (kind, name, ", ".join(items))
    print("\n".join(textwrap.wrap(text, 118, subsequent_indent="            ", break_long_words=False)))


# Values near half-way points of the scale 0.1 grid, where the F32 reciprocal and the division disagree.
s32 = np.float32(0.1)
near = []
for k in range(-40, 40):
    base = np.float32((k + 0.5) * s32)
    near += [np.nextafter(base, np.float32(-1e9)), base, np.nextafter(base, np.float32(1e9))]
special = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 3e38, -3e38, 1e10, -1e10, 2.5, -2.5, 0.5, -0.5,
           16777216.0, 16777218.0, 123456789.0]
x = torch.tensor(np.array(near + special, dtype=np.float32))
floats("X", x.tolist())
for dt, zp, name in [(torch.quint8, 100, "QUINT8"), (torch.qint8, -3, "QINT8"), (torch.qint32, 7, "QINT32")]:
    q = torch.quantize_per_tensor(x, 0.1, zp, dt)
    ints("Q_" + name, q.int_repr().tolist())
    floats("DEQ_" + name, q.dequantize().tolist())
# Per channel along each axis of [2, 3, 4].
torch.manual_seed(0)
y = torch.randn(2, 3, 4) * 3
floats("Y", y.flatten().tolist())
for axis in range(3):
    n = y.shape[axis]
    scales = torch.tensor([0.05, 0.3, 0.7, 1 / 3][:n], dtype=torch.float64)
    zps = torch.tensor([0, 5, -2, 1][:n])
    for dt, name, shift in [(torch.quint8, "QUINT8", 100), (torch.qint8, "QINT8", 0)]:
        q = torch.quantize_per_channel(y, scales, zps + shift, axis, dt)
        ints("PC%d_%s" % (axis, name), q.int_repr().flatten().tolist())
        floats("PC%d_DEQ_%s" % (axis, name), q.dequantize().flatten().tolist())
# Dynamic qparams.
d = torch.tensor([-1.0, 0.5, 2.0, 0.25])
for dt, rr, name in [(torch.quint8, False, "U8"), (torch.quint8, True, "U8_REDUCED"), (torch.qint8, False, "I8")]:
    q = torch.quantize_per_tensor_dynamic(d, dt, rr)
    print("    // %s: scale %r, zero point %d" % (name, q.q_scale(), q.q_zero_point()))
    ints("DYN_" + name, q.int_repr().tolist())
# Ranges so small that their scale falls below ChooseQuantizationParams' SMALL_SCALE_THRESHOLD (6.1e-5f), which raises
# it and widens the range: from 0 up, from below 0 to 0, across 0 (reduce_range too).
for values, dt, rr, name in [([0.001, 0.002], torch.quint8, False, "TINY_U8"),
                             ([-0.001, 0.002], torch.quint8, False, "TINY_ACROSS_U8"),
                             ([-0.001, -0.0005], torch.qint8, False, "TINY_NEGATIVE_I8"),
                             ([-0.001, 0.002], torch.qint8, True, "TINY_ACROSS_I8_REDUCED")]:
    q = torch.quantize_per_tensor_dynamic(torch.tensor(values), dt, rr)
    print("    // %s: scale %r, zero point %d" % (name, q.q_scale(), q.q_zero_point()))
    ints("DYN_" + name, q.int_repr().tolist())
# An empty tensor has no range: 1.13 raises (min() of no elements), which Kiln's refusal follows.
try:
    torch.quantize_per_tensor_dynamic(torch.empty(0, 3), torch.quint8, False)
except RuntimeError as e:
    print("    // empty [0, 3]: RuntimeError " + str(e))
print("    // " + repr(torch.quantize_per_tensor(torch.tensor([[-1.0, 0.0], [0.5, 1.25]]), 0.1, 0, torch.qint8)).replace("\n", "\n    // "))
print("    // " + repr(torch.quantize_per_channel(torch.tensor([[-1.0, 0.0], [0.5, 1.25]]),
                                                torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 1,
                                                torch.quint8)).replace("\n", "\n    // "))


# QuantizedTensorReprTest: repr of quantised tensors, as Java string constants.
def java_string(name, text):
    pieces = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        chunks = [line[k:k + 80] for k in range(0, max(1, len(line)), 80)]
        if i < len(lines) - 1:
            chunks[-1] += "\\n"
        pieces += chunks
    body = "\n            + ".join('"%s"' % piece.replace('"', '\\"') for piece in pieces)
    print("    private static final String %s =\n            %s;" % (name, body))


ramp = torch.arange(1600.0)
for name, q in [
        ("EMPTY", torch.quantize_per_tensor(torch.zeros(0), 0.1, 0, torch.quint8)),
        ("EMPTY_ROWS", torch.quantize_per_tensor(torch.zeros(2, 0), 0.1, 0, torch.quint8)),
        ("SCALAR", torch.quantize_per_tensor(torch.tensor(2.5), 0.1, 3, torch.quint8)),
        ("INTEGERS", torch.quantize_per_tensor(ramp[:12].reshape(3, 4) * 1000, 0.1, 0, torch.qint32)),
        ("SCIENTIFIC", torch.quantize_per_tensor(torch.tensor([1e-5, 1.0]), 1e-5, 0, torch.qint32)),
        ("WRAPPED", torch.quantize_per_tensor(ramp[:30] / 7, 0.0002, 0, torch.qint32)),
        ("CUBE", torch.quantize_per_tensor(ramp[:8].reshape(2, 2, 2) / 3 - 1, 0.05, 10, torch.qint8)),
        ("PER_CHANNEL_WRAPPED", torch.quantize_per_channel(ramp[:24].reshape(2, 12) / 5, ramp[1:13] / 100,
                                                           torch.zeros(12, dtype=torch.long), 1, torch.qint8)),
        ("EMPTY_PER_CHANNEL", torch.quantize_per_channel(torch.zeros(0, 3), torch.zeros(0, dtype=torch.float64),
                                                         torch.zeros(0, dtype=torch.long), 0, torch.quint8)),
        ("SUMMARISED", torch.quantize_per_tensor(ramp[:1200], 1.0, 0, torch.qint32)),
        ("SUMMARISED_ROWS", torch.quantize_per_tensor(ramp.reshape(40, 40) / 7, 0.01, 0, torch.qint32))]:
    java_string(name, repr(q))
