package dev.kiln.engine;

import java.util.function.Function;

/**
 * Compares autograd's gradients with central finite differences, in F64. The function's output is
 * projected to a scalar with fixed random weights, so every output element's gradient is checked.
 */
public final class GradCheck {
    private static final double EPS = 1e-6;
    private static final double ABSOLUTE_TOLERANCE = 1e-6;
    private static final double RELATIVE_TOLERANCE = 1e-5;

    private GradCheck() {
    }

    /**
     * Checks {@code f} at {@code inputs} (F64 tensors; those with {@code requiresGrad} are checked).
     *
     * @throws AssertionError naming the op, input, element and both values at the first mismatch
     */
    public static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in.requiresGrad() && in.dtype() != DType.F64) {
                throw new IllegalArgumentException("GradCheck " + name + ": inputs must be F64, got " + in.dtype());
            }
        }
        try (Scope scope = Scope.open()) {
            Tensor out = f.apply(inputs);
            if (!out.requiresGrad()) {
                throw new AssertionError(name + ": output records no graph");
            }
            double[] weights = projection(out.size());
            for (Tensor in : inputs) {
                in.clearGrad();
            }
            out.backward(Tensor.fromArray(weights, out.shape().dims()));
            for (int k = 0; k < inputs.length; k++) {
                if (inputs[k].requiresGrad()) {
                    compare(name, k, f, inputs, weights);
                }
            }
        }
    }

    private static void compare(String name, int k, Function<Tensor[], Tensor> f, Tensor[] inputs, double[] weights) {
        Tensor input = inputs[k];
        if (input.grad() == null) {
            throw new AssertionError(name + ": input " + k + " " + input.shape() + " received no gradient");
        }
        double[] analytic = input.grad().toDoubleArray();
        double[] values = input.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            double original = values[i];
            values[i] = original + EPS;
            double plus = projected(f, inputs, input, values, weights);
            values[i] = original - EPS;
            double minus = projected(f, inputs, input, values, weights);
            values[i] = original;
            input.markWrittenInPlace();
            input.backend().copyFromHost(java.nio.DoubleBuffer.wrap(values), input);
            double numeric = (plus - minus) / (2 * EPS);
            if (Math.abs(numeric - analytic[i]) > ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(numeric)) {
                throw new AssertionError(name + ": gradient of input " + k + " " + input.shape() + " at element " + i
                        + ": autograd " + analytic[i] + ", finite differences " + numeric);
            }
        }
    }

    private static double projected(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor input, double[] values,
                                    double[] weights) {
        input.markWrittenInPlace();
        input.backend().copyFromHost(java.nio.DoubleBuffer.wrap(values), input);
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            double[] out = f.apply(inputs).toDoubleArray();
            double sum = 0;
            for (int i = 0; i < out.length; i++) {
                sum += out[i] * weights[i];
            }
            return sum;
        }
    }

    /** Fixed weights in [0.5, 1.5): distinct per element, so a gradient routed to the wrong place shows. */
    private static double[] projection(long n) {
        double[] w = new double[Math.toIntExact(n)];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5 + CounterRandom.uniform(0xC0FFEE, i);
        }
        return w;
    }
}
