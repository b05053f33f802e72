package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The fixtures of the tests that compare layers with numbers printed by PyTorch: weights, inputs and output
 * weightings all come from {@link #pattern}, which the Python side computes the same way
 * ({@code 0.5 * sin(0.7 * k + 1.3 * seed + 0.1)} for element k), so that a test needs literals only for
 * PyTorch's results, which come from PyTorch 1.13 in float64 (each test quotes its torch call). Each test runs
 * in F64, compared to 1e-10, and in F32, compared to 1e-5. {@link #pattern} and {@link #values} serve the parity
 * tests of other packages too.
 */
public final class PyTorchParity {
    private PyTorchParity() {
    }

    /** A state-dict entry as PyTorch names and shapes it, filled with {@code pattern(numel, seed)}. */
    record Key(String name, int seed, int[] dims) {
    }

    static Key key(String name, int seed, int... dims) {
        return new Key(name, seed, dims);
    }

    /** parity.py's {@code pattern(n, seed)}: element k is {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)}. */
    public static double[] pattern(int n, int seed) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = 0.5 * Math.sin(0.7 * k + 1.3 * seed + 0.1);
        }
        return v;
    }

    /** A leaf in {@code dtype} that requires a gradient, filled with {@code pattern(numel, seed)}. */
    static Tensor tensor(DType dtype, int seed, int... dims) {
        return values(seed, dims).to(dtype).requiresGrad(true);
    }

    /** An F64 tensor of shape {@code dims} filled with {@code pattern(numel, seed)}, parity.py's reshaped pattern. */
    public static Tensor values(int seed, int... dims) {
        int n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        return Tensor.fromArray(pattern(n, seed), dims);
    }

    /**
     * Loads the entries into {@code module} through {@link Module#loadStateDict}, after checking
     * that its parameters have exactly these names, as PyTorch's do. Buffers keep their values.
     */
    static void load(Module module, Key... keys) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Key k : keys) {
            state.put(k.name(), values(k.seed(), k.dims()));
        }
        assertEquals(new TreeSet<>(state.keySet()), new TreeSet<>(module.namedParameters().keySet()),
                "parameter names of " + module);
        module.loadStateDict(state, false);
    }

    /** A buffer by its state-dict name, failing when there is none. */
    static Tensor buffer(Module module, String name) {
        Tensor b = module.namedBuffers().get(name);
        assertNotNull(b, "buffer " + name + " of " + module);
        return b;
    }

    /** Back-propagates the sum of each output times {@code pattern(numel, firstSeed + i)}. */
    static void backward(int firstSeed, Tensor... outputs) {
        Tensor loss = null;
        for (int i = 0; i < outputs.length; i++) {
            Tensor o = outputs[i];
            Tensor weights = Tensor.fromArray(pattern((int) o.size(), firstSeed + i), o.shape().dims()).to(o.dtype());
            Tensor term = o.mul(weights).sum();
            loss = loss == null ? term : loss.add(term);
        }
        loss.backward();
    }

    static void assertValues(String what, Tensor actual, double... expected) {
        assertNotNull(actual, what);
        double tolerance = actual.dtype() == DType.F64 ? 1e-10 : 1e-5;
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count of " + what + " " + actual.shape());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], tolerance, "element " + i + " of " + what + " " + actual.shape());
        }
    }

    /** The gradient of a parameter by PyTorch's name. */
    static void assertGradient(Module module, String parameter, double... expected) {
        Tensor p = module.namedParameters().get(parameter);
        assertNotNull(p, "parameter " + parameter + " of " + module);
        assertNotNull(p.grad(), "gradient of " + parameter);
        assertValues("gradient of " + parameter, p.grad(), expected);
    }
}
