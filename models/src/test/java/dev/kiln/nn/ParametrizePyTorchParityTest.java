package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.ParametrizationExamples.RowScale;
import dev.kiln.nn.ParametrizationExamples.Symmetric;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Parametrize} against PyTorch 1.13's own numbers (printed by {@code models/src/test/pytorch/parametrize.py}):
 * {@code register_parametrization} of {@code Symmetric} (PyTorch's documented example, with its right inverse) and then
 * {@code RowScale} (a trained scale per row) on a Linear's weight, with the parameters under PyTorch's names loaded
 * from the pattern (see {@link PyTorchParity}): the original the right inverse leaves, outputs, the parametrized weight,
 * the gradients of the input, the original and the chain's own parameter, two SGD steps, the state-dict keys, and the
 * weight that removing the chain leaves, parametrized or not.
 */
class ParametrizePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Linear(3, 3) with weight and bias from the pattern of seeds 1 and 2, its weight then parametrized. */
    private static Linear chained(DType dtype) {
        Linear layer = new Linear(3, 3);
        layer.to(dtype);
        load(layer,
                key("weight", 1, 3, 3),
                key("bias", 2, 3));
        Parametrize.registerParametrization(layer, "weight", new Symmetric());
        Parametrize.registerParametrization(layer, "weight", new RowScale(3).to(dtype));
        return layer;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void registeringKeepsTheUpperTriangleAndTheWeightStartsSymmetric(DType dtype) {
        // register_parametrization(Linear(3, 3), 'weight', Symmetric()), then RowScale(3) (ones), PyTorch 1.13
        Linear layer = chained(dtype);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.1.scale"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, 0.0, -0.4357878862067939,
                -0.4912263063121663, 0.0, 0.0, 0.3284932993593942);
        assertValues("weight", layer.weight(),
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, 0.43160468332443686,
                -0.4357878862067939, -0.4912263063121663, 0.16749407507795233, -0.4912263063121663,
                0.3284932993593942);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void forwardAndBackwardThroughTheChain(DType dtype) {
        // Linear(3, 3) with weight RowScale(Symmetric(original)), forward and backward, PyTorch 1.13
        Linear layer = chained(dtype);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3),
                key("parametrizations.weight.1.scale", 3, 3, 1));
        Tensor x = tensor(dtype, 100, 2, 3);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.4761358051782979, 0.31600554360499045, 0.12179130234085275, 0.5794550555950801,
                0.5218439752782275, 0.10697960297495383);
        assertValues("weight", layer.weight(),
                -0.08086053995134147, 0.048348535916910934, 0.15481853987672708, 0.06388037279504734,
                0.17637154517179565, 0.020770756583581917, 0.15808387310262065, 0.01605213494739907,
                -0.17429158870003195);
        assertValues("input gradient", x.grad(),
                -0.07981600425843555, 0.00499951690268859, 0.10574771528640034, -0.009532621193501813,
                -0.1002239321119741, -0.06029325984975642);
        assertGradient(layer, "bias",
                -0.19275905276724603, -0.44294358594711863, -0.4848048294716184);
        assertGradient(layer, "parametrizations.weight.original",
                0.07875151714340177, 0.1493559557444605, 0.062184878266144335, 0.0, 0.07995269167514799,
                0.0647465489163638, 0.0, 0.0, -0.0005111839665145496);
        assertGradient(layer, "parametrizations.weight.1.scale",
                0.1270390420960505, 0.07010987581663111, -0.06289490547456206);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void twoSgdStepsWithMomentumTrainTheOriginalAndTheScale(DType dtype) {
        // two steps of SGD(lr=0.1, momentum=0.9), PyTorch 1.13
        Linear layer = chained(dtype);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3),
                key("parametrizations.weight.1.scale", 3, 3, 1));
        Tensor x = tensor(dtype, 100, 2, 3).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        Map<String, Tensor> state = layer.stateDict();
        assertValues("bias", state.get("bias"),
                0.5486249902967314, 0.5600583232491013, 0.30808747562472166);
        assertValues("parametrizations.weight.original", state.get("parametrizations.weight.original"),
                0.1905876110249559, -0.1715451580352458, -0.4276610806119847, -0.4980823044179204,
                -0.3760685614408937, -0.06052432417189093, 0.28921988219409933, 0.48395983601574316,
                0.4512333281284169);
        assertValues("parametrizations.weight.1.scale", state.get("parametrizations.weight.1.scale"),
                -0.4161096652316955, -0.5206144031065257, -0.3679901647331398);
        assertValues("weight", layer.weight(),
                -0.079305347020903, 0.07138159828216444, 0.1779539090860781, 0.08930888005633413,
                0.19578670964168066, 0.03150983490217486, 0.1573750715043568, 0.022272356022376098,
                -0.16604942675105905);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void removingTheChainLeavesTheParametrizedWeight(DType dtype) {
        // remove_parametrizations(m, 'weight', leave_parametrized=True), PyTorch 1.13
        Linear layer = chained(dtype);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3),
                key("parametrizations.weight.1.scale", 3, 3, 1));
        Parametrize.removeParametrizations(layer, "weight", true);
        assertEquals(List.of("bias", "weight"), List.copyOf(layer.stateDict().keySet()));
        assertValues("weight", layer.weight(),
                -0.08086053995134147, 0.048348535916910934, 0.15481853987672708, 0.06388037279504734,
                0.17637154517179565, 0.020770756583581917, 0.15808387310262065, 0.01605213494739907,
                -0.17429158870003195);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void removingTheChainWithoutLeavingItParametrizedLeavesTheOriginal(DType dtype) {
        // remove_parametrizations(m, 'weight', leave_parametrized=False), PyTorch 1.13
        Linear layer = chained(dtype);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3),
                key("parametrizations.weight.1.scale", 3, 3, 1));
        Parametrize.removeParametrizations(layer, "weight", false);
        assertEquals(List.of("bias", "weight"), List.copyOf(layer.stateDict().keySet()));
        assertValues("weight", layer.weight(),
                0.2136899401169149, -0.1277705510134156, -0.40913855553220513, -0.4980823044179204,
                -0.35277016278519596, -0.04154470140874864, 0.28921988219409933, 0.48395983601574316,
                0.45108591687814703);
    }
}
