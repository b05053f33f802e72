package dev.kiln.tests.ops;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The differentiable element-wise functions after the activations (sin ... rsqrt), each with an interval inside its
 * domain where it is smooth, for the gradient checks: (name, op, low, high).
 */
final class ElementaryFunctionCases {
    private ElementaryFunctionCases() {
    }

    static Stream<Arguments> differentiable() {
        return Stream.of(
                of("sin", Tensor::sin, -3, 3), of("cos", Tensor::cos, -3, 3), of("tan", Tensor::tan, -1.3, 1.3),
                of("asin", Tensor::asin, -0.9, 0.9), of("acos", Tensor::acos, -0.9, 0.9),
                of("atan", Tensor::atan, -3, 3), of("sinh", Tensor::sinh, -3, 3), of("cosh", Tensor::cosh, -3, 3),
                of("asinh", Tensor::asinh, -3, 3), of("acosh", Tensor::acosh, 1.1, 4),
                of("atanh", Tensor::atanh, -0.9, 0.9), of("log1p", Tensor::log1p, -0.9, 3),
                of("expm1", Tensor::expm1, -3, 3), of("log2", Tensor::log2, 0.2, 4), of("log10", Tensor::log10, 0.2, 4),
                of("exp2", Tensor::exp2, -3, 3), of("erf", Tensor::erf, -3, 3), of("erfc", Tensor::erfc, -3, 3),
                of("frac", Tensor::frac, 0.1, 0.9), of("reciprocal", Tensor::reciprocal, 0.3, 3),
                of("rsqrt", Tensor::rsqrt, 0.3, 3));
    }

    /** Uniform F64 values in [low, high) that require a gradient. */
    static Tensor inputs(double low, double high, int... dims) {
        return Tensor.uniform(low, high, DType.F64, dims).requiresGrad(true);
    }

    private static Arguments of(String name, Function<Tensor, Tensor> op, double low, double high) {
        return Arguments.of(name, op, low, high);
    }
}
