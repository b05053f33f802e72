package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code F.linear(x, w, b, activation, param)}, the dense layer with its bias and activation fused: the same
 * values and gradients as {@code F.linear(x, w, b)} followed by the activation, on the engine's backend (to the bit
 * on the CPU, with its fused F32 ReLU and tanh and the SPI's composite for the rest; see
 * {@link FusableActivations#tolerance}); and the rule it rests on, that these activations' backward gives the same
 * result from the output alone.
 */
class BiasActivationTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(31);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    static Stream<Arguments> activationsAndDtypes() {
        return FusableActivations.withDtypes();
    }

    private static Tensor parameter(DType dtype, int... dims) {
        return Tensor.randn(dtype, dims).requiresGrad(true);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("activationsAndDtypes")
    void fusedLayerGivesTheValuesAndGradientsOfLinearThenActivation(UnaryOp op, double param, DType dtype) {
        Tensor x = parameter(dtype, 37, 19);
        Tensor w = parameter(dtype, 23, 19);
        Tensor b = parameter(dtype, 23);
        Tensor upstream = Tensor.randn(dtype, 37, 23);

        Tensor fused = F.linear(x, w, b, op, param);
        fused.backward(upstream);
        double[][] fusedGrads = {x.grad().toDoubleArray(), w.grad().toDoubleArray(), b.grad().toDoubleArray()};
        x.zeroGrad();
        w.zeroGrad();
        b.zeroGrad();
        Tensor composed = FusableActivations.apply(F.linear(x, w, b), op, param);
        composed.backward(upstream);

        double tolerance = FusableActivations.tolerance(dtype);
        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), tolerance, "values");
        assertArrayEquals(x.grad().toDoubleArray(), fusedGrads[0], tolerance, "input gradient");
        assertArrayEquals(w.grad().toDoubleArray(), fusedGrads[1], tolerance, "weight gradient");
        assertArrayEquals(b.grad().toDoubleArray(), fusedGrads[2], tolerance, "bias gradient");
    }

    @Test
    void withoutBiasItIsLinearThenActivation() {
        Tensor x = parameter(DType.F32, 5, 4);
        Tensor w = parameter(DType.F32, 3, 4);
        assertArrayEquals(F.linear(x, w, null).tanh().toDoubleArray(),
                F.linear(x, w, null, UnaryOp.TANH, 0).toDoubleArray(), 0);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("activationsAndDtypes")
    void backwardFromTheOutputAloneEqualsBackwardFromTheInput(UnaryOp op, double param, DType dtype) {
        double[] inputs = {-3, -1, -1e-3, -0.0, 0, 1e-3, 0.5, 2, 30, -30, Double.NaN};
        Backend backend = Engine.get().backend();
        Tensor x = Tensor.fromArray(inputs, inputs.length).to(dtype);
        Tensor y = FusableActivations.apply(x, op, param);
        Tensor grad = Tensor.uniform(-2, 2, dtype, inputs.length);
        Tensor fromInput = Tensor.zeros(dtype, inputs.length);
        Tensor fromOutput = Tensor.zeros(dtype, inputs.length);
        backend.unaryBackward(op, param, x, y, grad, fromInput);
        backend.unaryBackward(op, param, y, y, grad, fromOutput);
        assertArrayEquals(fromInput.toDoubleArray(), fromOutput.toDoubleArray(), 0);
    }

    @Test
    void refusesAnActivationWhoseDerivativeNeedsItsInput() {
        Tensor x = parameter(DType.F32, 2, 3);
        Tensor w = parameter(DType.F32, 4, 3);
        Tensor b = parameter(DType.F32, 4);
        Object[][] refused = {{UnaryOp.GELU, 0.0}, {UnaryOp.GELU_TANH, 0.0}, {UnaryOp.SILU, 0.0},
                {UnaryOp.LEAKY_RELU, -0.2}, {UnaryOp.ELU, 0.0}, {UnaryOp.EXP, 0.0}};
        for (Object[] r : refused) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> F.linear(x, w, b, (UnaryOp) r[0], (double) r[1]));
            assertTrue(e.getMessage().contains("cannot fuse " + r[0] + " with parameter " + r[1]), e.getMessage());
        }
    }

    @Test
    void refusesABiasOfTheWrongLength() {
        Tensor x = parameter(DType.F32, 2, 3);
        Tensor w = parameter(DType.F32, 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.linear(x, w, parameter(DType.F32, 5), UnaryOp.RELU, 0));
        assertTrue(e.getMessage().contains("linear+relu: bias [5] must be [4]"), e.getMessage());
    }
}
