package dev.kiln.cli;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.train.Json;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code kiln bench unary}: element-wise functions of one F32 tensor of 2^20 elements, forward alone and, for the
 * activations, forward with backward (a gradient of ones); milliseconds per call, median of 50 after 100 warm-ups
 * (ten left the JIT still compiling the float routines).
 * bench/pytorch_unary.py times the same calls in PyTorch.
 */
final class UnaryBench {
    static final int ELEMENTS = 1 << 20;
    private static final int WARM_UPS = 100;
    private static final int RUNS = 50;

    private UnaryBench() {
    }

    /** The functions timed, each on inputs where it is defined and not saturated. */
    private record Case(String name, boolean positiveInput, boolean backward, UnaryOperator<Tensor> f) {
    }

    private static final Case[] CASES = {
        new Case("exp", false, false, Tensor::exp),
        new Case("log", true, false, Tensor::log),
        new Case("sin", false, false, Tensor::sin),
        new Case("tan", false, false, Tensor::tan),
        new Case("erf", false, false, Tensor::erf),
        new Case("pow_2.5", true, false, x -> x.pow(2.5)),
        new Case("sigmoid", false, true, Tensor::sigmoid),
        new Case("tanh", false, true, Tensor::tanh),
        new Case("gelu", false, true, Tensor::gelu),
        new Case("gelu_tanh", false, true, Tensor::geluTanh),
        new Case("elu", false, true, x -> x.elu(1)),
        new Case("silu", false, true, Tensor::silu),
    };

    static int run(PrintStream out) {
        Backend backend = Engine.get().backend();
        Engine.seed(1);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", "unary");
        r.put("elements", ELEMENTS);
        try (Scope s = Scope.open()) {
            Tensor normal = Tensor.randn(ELEMENTS);
            Tensor positive = Tensor.rand(ELEMENTS).mul(3).add(0.1);
            for (Case c : CASES) {
                Tensor x = c.positiveInput() ? positive : normal;
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
