package dev.kiln.cli;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.train.Json;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code kiln bench unary}: element-wise functions of one F32 tensor of 2^20 elements, forward alone and, for the
 * activations, the inverse trigonometric and hyperbolic functions and the integer powers, forward with backward (a
 * gradient of ones); milliseconds per call, median of 50 after 100 warm-ups (ten left the JIT still compiling the
 * float routines); {@code --functions exp,silu} times those cases alone.
 * bench/pytorch_unary.py times the same calls in PyTorch.
 */
final class UnaryBench {
    static final int ELEMENTS = 1 << 20;
    private static final int WARM_UPS = 100;
    private static final int RUNS = 50;

    private UnaryBench() {
    }

    /** The inputs a case draws from: where its function is defined, its derivative finite, and it is not saturated. */
    private enum Input {
        /** Standard normal. */
        NORMAL,
        /** U(0.1, 3.1). */
        POSITIVE,
        /** U(-0.9, 0.9): inside asin's, acos's and atanh's domain, away from their infinite slopes at +-1. */
        INSIDE_UNIT,
        /** U(1.1, 4.1): inside acosh's domain, away from its infinite slope at 1. */
        ABOVE_ONE
    }

    /** The functions timed, each on its input. */
    private record Case(String name, Input input, boolean backward, UnaryOperator<Tensor> f) {
    }

    private static final Case[] CASES = {
        new Case("exp", Input.NORMAL, false, Tensor::exp),
        new Case("log", Input.POSITIVE, false, Tensor::log),
        new Case("sin", Input.NORMAL, false, Tensor::sin),
        new Case("tan", Input.NORMAL, false, Tensor::tan),
        new Case("erf", Input.NORMAL, false, Tensor::erf),
        new Case("pow_2.5", Input.POSITIVE, false, x -> x.pow(2.5)),
        new Case("sigmoid", Input.NORMAL, true, Tensor::sigmoid),
        new Case("tanh", Input.NORMAL, true, Tensor::tanh),
        new Case("gelu", Input.NORMAL, true, Tensor::gelu),
        new Case("gelu_tanh", Input.NORMAL, true, Tensor::geluTanh),
        new Case("elu", Input.NORMAL, true, x -> x.elu(1)),
        new Case("silu", Input.NORMAL, true, Tensor::silu),
        new Case("asin", Input.INSIDE_UNIT, true, Tensor::asin),
        new Case("acos", Input.INSIDE_UNIT, true, Tensor::acos),
        new Case("atan", Input.NORMAL, true, Tensor::atan),
        new Case("asinh", Input.NORMAL, true, Tensor::asinh),
        new Case("acosh", Input.ABOVE_ONE, true, Tensor::acosh),
        new Case("atanh", Input.INSIDE_UNIT, true, Tensor::atanh),
        new Case("pow_3", Input.NORMAL, true, x -> x.pow(3)),
        new Case("pow_4", Input.NORMAL, true, x -> x.pow(4)),
        new Case("pow_-2", Input.NORMAL, true, x -> x.pow(-2)),
    };

    /** The cases' names, in the order they run: what {@code --functions} takes. */
    static List<String> names() {
        return Arrays.stream(CASES).map(Case::name).toList();
    }

    /**
     * Times the cases named in {@code functions} (all of them when it is empty).
     *
     * @throws IllegalArgumentException naming a function that is not a case, and the cases
     */
    static int run(List<String> functions, PrintStream out) {
        for (String f : functions) {
            if (!names().contains(f)) {
                throw new IllegalArgumentException("bench unary: --functions names '" + f + "', which is not one of "
                        + String.join(", ", names()));
            }
        }
        Backend backend = Engine.get().backend();
        Engine.seed(1);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", "unary");
        r.put("elements", ELEMENTS);
        try (Scope s = Scope.open()) {
            Map<Input, Tensor> inputs = new EnumMap<>(Input.class);
            inputs.put(Input.NORMAL, Tensor.randn(ELEMENTS));
            inputs.put(Input.POSITIVE, Tensor.rand(ELEMENTS).mul(3).add(0.1));
            inputs.put(Input.INSIDE_UNIT, Tensor.rand(ELEMENTS).mul(1.8).sub(0.9));
            inputs.put(Input.ABOVE_ONE, Tensor.rand(ELEMENTS).mul(3).add(1.1));
            for (Case c : CASES) {
                if (!functions.isEmpty() && !functions.contains(c.name())) {
                    continue;
                }
                Tensor x = inputs.get(c.input());
                double forward = BenchCommand.medianMillis(backend, WARM_UPS, RUNS, () -> {
                    try (Autograd.Guard g = Autograd.noGrad()) {
                        c.f().apply(x);
                    }
                }).total();
                r.put(c.name() + "_ms", round(forward));
                if (c.backward()) {
                    Tensor leaf = x.detach().requiresGrad(true);
                    double both = BenchCommand.medianMillis(backend, WARM_UPS, RUNS, () -> {
                        leaf.clearGrad();
                        c.f().apply(leaf).sum().backward();
                    }).total();
                    r.put(c.name() + "_forward_backward_ms", round(both));
                    out.printf("%-10s forward %.3f ms, forward and backward %.3f ms%n", c.name(), forward, both);
                } else {
                    out.printf("%-10s forward %.3f ms%n", c.name(), forward);
                }
            }
        }
        r.put("backend", backend.name());
        r.put("device", backend.deviceName());
        r.put("threads", Integer.getInteger("kiln.threads", Runtime.getRuntime().availableProcessors()));
        out.println(Json.line(r));
        return 0;
    }

    private static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }
}
