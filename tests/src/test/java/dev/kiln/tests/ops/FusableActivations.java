package dev.kiln.tests.ops;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import dev.kiln.engine.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The activations a dense layer, a convolution or a batch norm fuses ({@link UnaryOp#derivativeFromOutput}), with
 * the unfused op each fused result is compared with.
 */
final class FusableActivations {
    /** {op, param} pairs: every fusable activation, leaky ReLU with a slope and without. */
    static final Object[][] ALL = {{UnaryOp.RELU, 0.0}, {UnaryOp.TANH, 0.0}, {UnaryOp.SIGMOID, 0.0},
            {UnaryOp.LEAKY_RELU, 0.1}, {UnaryOp.LEAKY_RELU, 0.0}, {UnaryOp.ELU, 1.3}};

    private FusableActivations() {
    }

    /** (op, param, dtype) for every activation of {@link #ALL} in F32 and F64. */
    static Stream<Arguments> withDtypes() {
        List<Arguments> cases = new ArrayList<>();
        for (Object[] a : ALL) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                cases.add(Arguments.of(a[0], a[1], dtype));
            }
        }
        return cases.stream();
    }

    /** (op, param, dtype, flag): {@link #withDtypes} with a test's own switch (a bias, training) on and off. */
    static Stream<Arguments> withDtypesAndSwitch() {
        return withDtypes().flatMap(a -> Stream.of(true, false).map(flag -> Arguments.of(a.get()[0], a.get()[1],
                a.get()[2], flag)));
    }

    /**
     * How far a fused result may be from the composed one: nothing on the CPU, whose fused and composed paths add in
     * the same order; on another backend (CUDA: cuDNN's algorithms, its own bias reductions) a few units in the
     * last place of a sum's terms.
     */
    static double tolerance(DType dtype) {
        if (Engine.get().backend() instanceof CpuBackend) {
            return 0;
        }
        return dtype == DType.F32 ? 1e-4 : 1e-12;
    }

    /** {@code op} with {@code param} applied to t through the tensor API: the reference for a fused op. */
    static Tensor apply(Tensor t, UnaryOp op, double param) {
        return switch (op) {
            case RELU -> t.relu();
            case TANH -> t.tanh();
            case SIGMOID -> t.sigmoid();
            case LEAKY_RELU -> t.leakyRelu(param);
            case ELU -> t.elu(param);
            default -> throw new IllegalArgumentException("not a fusable activation: " + op);
        };
    }
}
