package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.CounterRandom;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Small helpers shared by the layer tests. */
final class Tensors {
    private Tensors() {
    }

    static void assertValues(double[] expected, Tensor actual, double tolerance) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count of " + actual.shape());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], tolerance, "element " + i + " of " + actual.shape());
        }
    }

    /** Overwrites a parameter's values (same shape) under noGrad. */
    static void set(Tensor parameter, double... values) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            parameter.assign(Tensor.fromArray(values, parameter.shape().dims()).to(parameter.dtype()));
        }
    }

    /**
     * Asserts that {@code second} run on x gives the output, the gradient of x (a leaf that requires one) and the
     * gradients of {@code secondModel}'s parameters that {@code first} gives with {@code firstModel}'s, bit for bit,
     * each from the same random state and upstream gradient: for a model and its copy run another way, such as
     * through checkpoints. Clears the gradients it made.
     */
    static void assertSameStep(Module firstModel, UnaryOperator<Tensor> first, Module secondModel,
                               UnaryOperator<Tensor> second, Tensor x) {
        long seed = Engine.get().seed();
        long counter = Engine.get().counter();
        List<double[]> expected = step(firstModel, first, x);
        Engine.restoreRandomState(seed, counter);
        List<double[]> actual = step(secondModel, second, x);
        List<String> names = new ArrayList<>(List.of("output", "input gradient"));
        names.addAll(secondModel.namedParameters().keySet());
        for (int k = 0; k < expected.size(); k++) {
            assertArrayEquals(expected.get(k), actual.get(k), names.get(k));
        }
    }

    /** The output, x's gradient and each parameter's gradient of one backward pass, the gradients then cleared. */
    private static List<double[]> step(Module model, UnaryOperator<Tensor> forward, Tensor x) {
        List<double[]> values = new ArrayList<>();
        try (Scope s = Scope.open()) {
            Tensor y = forward.apply(x);
            y.backward(upstream(y));
            values.add(y.toDoubleArray());
        }
        values.add(x.grad().toDoubleArray());
        x.clearGrad();
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            values.add(p.getValue().grad().toDoubleArray());
            p.getValue().clearGrad();
        }
        return values;
    }

    /** Fixed weights, distinct per element, so that a gradient routed to the wrong element shows. */
    private static Tensor upstream(Tensor like) {
        double[] w = new double[Math.toIntExact(like.size())];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5 + CounterRandom.uniform(0xC0FFEE, i);
        }
        return Tensor.fromArray(w, like.shape().dims()).to(like.dtype());
    }
}
