"""Prints DynamicQuantizationPyTorchParityTest: torch.quantization.quantize_dynamic with per_channel_dynamic_qconfig
(qint8 weights, one scale per output row) on an MLP Sequential(Linear(20, 16), ReLU, Linear(16, 5)), F32.

The weights are parity.py's pattern (seed = index + 1), the input [7, 20] is 3 * pattern(140, 50) + 0.7 (so that
the zero point is inside the range). PyTorch 1.13 here runs its x86 engine, onednn (this build has no fbgemm); both
quantise inputs with reduce_range, to [0, 127]. It prints each layer's int8 values and scales, the quantised
model's output, and the tolerance: one input quantisation step in one element of each layer's input, carried
through the layers after it (a rounding that falls the other way between two F32 implementations moves no more).
"""
import torch
from parity import emit_load, emit_values, fmt, load, pattern

torch.backends.quantized.engine = "onednn"
model = torch.nn.Sequential(torch.nn.Linear(20, 16), torch.nn.ReLU(), torch.nn.Linear(16, 5))
keys = load(model)
model = model.float()
x = (3 * pattern(140, 50) + 0.7).reshape(7, 20).float()
quantised = torch.quantization.quantize_dynamic(
    model, {torch.nn.Linear: torch.quantization.per_channel_dynamic_qconfig}, dtype=torch.qint8)
with torch.no_grad():
    y = quantised(x)
    hidden = torch.relu(model[0](x))


def input_step(t):
    lo, hi = min(float(t.min()), 0.0), max(float(t.max()), 0.0)
    return (hi - lo) / 127


def largest(linear):
    return float(linear.weight.abs().max())


def row_sum(linear):
    return float(linear.weight.abs().sum(1).max())


def ints(values):
    parts = [str(int(v)) for v in values]
    lines = [", ".join(parts[k:k + 20]) for k in range(0, len(parts), 20)]
    return ",\n                    ".join(lines)


tolerance = input_step(x) * largest(model[0]) * row_sum(model[2]) + input_step(hidden) * largest(model[2])

print('''package dev.kiln.nn;

import static dev.kiln.nn.Int8WeightsAssertions.assertInts;
import static dev.kiln.nn.Int8WeightsAssertions.assertScales;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Quantization#quantizeDynamic} against PyTorch 1.13's {@code quantize_dynamic} with
 * {@code per_channel_dynamic_qconfig} (printed by {@code models/src/test/pytorch/quantize_dynamic.py}): the same int8
 * weights and scales exactly, and outputs within one input quantisation step carried through the layers.
 */
class DynamicQuantizationPyTorchParityTest {
    /** One input step in one element of each layer's input, carried through the layers after it (the script's). */
    private static final double TOLERANCE = %r;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void mlpMatchesPyTorch() {
        Sequential model = new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 5));''' % tolerance)
emit_load("model", keys)
print("        Sequential quantised = (Sequential) Quantization.quantizeDynamic(model);")
print("        try {")
for i in (0, 2):
    w = quantised[i].weight()
    print('            DynamicQuantizedLinear layer%d = (DynamicQuantizedLinear) quantised.get(%d);' % (i, i))
    print('            assertInts("layer %d int8 values", layer%d.packedWeight().values(),\n                    %s);'
          % (i, i, ints(w.int_repr().reshape(-1))))
    print('            assertScales("layer %d scales", layer%d.packedWeight().scales(),\n                    %s);'
          % (i, i, fmt(w.q_per_channel_scales())))
print("            Tensor x = values(50, 7, 20).mul(3).add(0.7).to(DType.F32);")
print("            Tensor y;")
print("            try (Autograd.Guard g = Autograd.noGrad()) {")
print("                y = quantised.forward(x);")
print("            }")
print("            double[] expected = {%s};" % fmt(y.reshape(-1)))
print("            double[] got = y.toDoubleArray();")
print("            for (int i = 0; i < expected.length; i++) {")
print('                assertEquals(expected[i], got[i], TOLERANCE, "output element " + i);')
print("            }")
print("        } finally {")
print("            quantised.close();")
print("            model.close();")
print("        }")
print("    }")
print("}")
