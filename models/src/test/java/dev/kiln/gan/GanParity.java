package dev.kiln.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the GAN parity tests share with {@code dcgan.py} and {@code wgan_gp.py}: the pattern weights they load, and
 * the twelve elements of a tensor they print and compare, at 1e-10.
 */
final class GanParity {
    private GanParity() {
    }

    /** Every parameter in state-dict order i (from 1) set to pattern(numel, i), as parity.py's load(). */
    static void loadPattern(Module model) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        int seed = 1;
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            state.put(p.getKey(), PyTorchParity.values(seed++, p.getValue().shape().dims()));
        }
        model.loadStateDict(state, false);
    }

    /** The gradient of {@code model}'s parameter by PyTorch's name, which must have one. */
    static Tensor grad(Module model, String parameter) {
        Tensor p = model.namedParameters().get(parameter);
        assertNotNull(p, parameter);
        assertNotNull(p.grad(), "gradient of " + parameter);
        return p.grad();
    }

    /** Twelve elements spread over t: those at k * (size / 12), as the scripts' spread(). */
    static Tensor spread(Tensor t) {
        double[] all = t.toDoubleArray();
        int step = Math.max(1, all.length / 12);
        double[] picked = new double[Math.min(12, (all.length + step - 1) / step)];
        for (int k = 0; k < picked.length; k++) {
            picked[k] = all[k * step];
        }
        return Tensor.fromArray(picked, picked.length);
    }

    /** Equal to 1e-10 of the larger of 1 and the expected value. */
    static void assertClose(String what, Tensor actual, double... expected) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count of " + what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-10 * Math.max(1, Math.abs(expected[i])),
                    "element " + i + " of " + what);
        }
    }
}
