package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixtures of the tests that compare the torchvision models with numbers that the scripts in
 * {@code models/src/test/pytorch/} printed (resnet.py, vgg_alexnet.py, mobilenet_squeezenet.py): the same pattern
 * weights and inputs, and the same spread of a few elements over a large tensor.
 */
final class TorchvisionParity {
    private TorchvisionParity() {
    }

    /** The state dict as "key [shape]" lines, in order, as the scripts print torchvision's. */
    static List<String> keysAndShapes(Module model) {
        return model.stateDict().entrySet().stream().map(e -> e.getKey() + " " + e.getValue().shape()).toList();
    }

    /** Every parameter in state-dict order i (from 1) set to pattern(numel, i), as parity.py's load(). */
    static void loadPattern(Module model) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        int seed = 1;
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            state.put(p.getKey(), pattern(seed++, p.getValue().shape().dims()));
        }
        model.loadStateDict(state, false);
    }

    static Tensor pattern(int seed, int... dims) {
        return PyTorchParity.values(seed, dims);
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

    static Tensor grad(Module model, String parameter) {
        Tensor p = model.namedParameters().get(parameter);
        assertNotNull(p, parameter);
        assertNotNull(p.grad(), "gradient of " + parameter);
        return p.grad();
    }

    static Tensor buffer(Module model, String name) {
        Tensor b = model.namedBuffers().get(name);
        assertNotNull(b, name);
        return b;
    }

    /** Equal to 1e-9 of the larger of 1 and the expected value (F64 outputs reach 1e10 without batch norm). */
    static void assertClose(String what, Tensor actual, double... expected) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count of " + what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-9 * Math.max(1, Math.abs(expected[i])), "element " + i + " of " + what);
        }
    }
}
