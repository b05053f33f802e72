"""Prints StaticQuantizationObserversTest: PyTorch 1.13's MinMaxObserver (quint8, per_tensor_affine, with and without
reduce_range) and PerChannelMinMaxObserver (qint8, per_channel_symmetric, axis 0) on parity.py's patterns, F32: the
running minimum and maximum and calculate_qparams' scales and zero points, including the zero-range case (all zeros),
an all-positive and an all-negative input.
"""
import warnings
import torch

warnings.filterwarnings("ignore")
from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver
from parity import pattern


def batch(seed, n, scale, shift):
    return (scale * pattern(n, seed) + shift).float()


def minmax_case(name, reduce_range, batches):
    obs = MinMaxObserver(dtype=torch.quint8, reduce_range=reduce_range)
    for b in batches:
        obs(b)
    scale, zero = obs.calculate_qparams()
    args = ", ".join("batch(%d, %d, %r, %r)" % spec for spec in batches_spec[name])
    print('''
    @Test
    void %s() {
        MinMaxObserver observer = new MinMaxObserver(%s);
        observeAll(observer, %s);
        assertEquals(%rf, observer.minVal());
        assertEquals(%rf, observer.maxVal());
        Uint8Grid grid = observer.calculateQParams();
        assertEquals(%rf, grid.scale());
        assertEquals(%d, grid.zeroPoint());
    }''' % (name, "true" if reduce_range else "false", args, float(obs.min_val), float(obs.max_val),
            float(scale[0]), int(zero[0])))


batches_spec = {
    "mixedSignsOverTwoBatches": [(1, 40, 3.0, 0.7), (2, 30, 5.0, -0.4)],
    "reduceRangeHalvesTheSteps": [(1, 40, 3.0, 0.7), (2, 30, 5.0, -0.4)],
    "allPositiveKeepsZeroInRange": [(3, 25, 1.0, 2.0)],
    "allNegativeTakesTheTopZeroPoint": [(4, 25, 1.0, -2.0)],
    "zeroRangeTakesEpsilon": [(5, 10, 0.0, 0.0)],
}
print('''package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MinMaxObserver} and {@link PerChannelMinMaxObserver} against PyTorch 1.13's observers of the same names
 * (printed by {@code models/src/test/pytorch/static_quantization_observers.py}): the running ranges and
 * {@code calculate_qparams}' scales and zero points, exactly.
 */
class StaticQuantizationObserversTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).float()}. */
    private static Tensor batch(int seed, int n, double scale, double shift) {
        return PyTorchParity.values(seed, n).mul(scale).add(shift).to(DType.F32);
    }

    private static void observeAll(MinMaxObserver observer, Tensor... batches) {
        for (Tensor b : batches) {
            observer.forward(b);
        }
    }''')
for case, rr in [("mixedSignsOverTwoBatches", False), ("reduceRangeHalvesTheSteps", True),
                 ("allPositiveKeepsZeroInRange", False), ("allNegativeTakesTheTopZeroPoint", False),
                 ("zeroRangeTakesEpsilon", False)]:
    minmax_case(case, rr, [batch(*spec) for spec in batches_spec[case]])

# Per channel: a weight [4, 3, 2, 2] whose channel 2 is all zeros, observed in one call.
w = (2 * pattern(48, 6)).float().reshape(4, 3, 2, 2)
w[2] = 0
pc = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
pc(w)
scales, zeros = pc.calculate_qparams()
assert all(int(z) == 0 for z in zeros)
print('''
    @Test
    void perChannelSymmetricScales() {
        double[] values = PyTorchParity.pattern(48, 6);
        for (int k = 0; k < values.length; k++) {
            values[k] = k / 12 == 2 ? 0 : 2 * values[k];
        }
        Tensor weight = Tensor.fromArray(values, 4, 3, 2, 2).to(DType.F32);
        PerChannelMinMaxObserver observer = new PerChannelMinMaxObserver();
        observer.forward(weight);
        assertArrayEquals(new float[] {%s}, observer.minVals());
        assertArrayEquals(new float[] {%s}, observer.maxVals());
        assertArrayEquals(new float[] {%s}, observer.calculateScales());
    }''' % (", ".join("%rf" % float(v) for v in pc.min_val), ", ".join("%rf" % float(v) for v in pc.max_val),
            ", ".join("%rf" % float(v) for v in scales)))
print('}')
