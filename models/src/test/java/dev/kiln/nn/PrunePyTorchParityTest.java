package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.buffer;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Prune} against PyTorch 1.13's own numbers (printed by {@code models/src/test/pytorch/pruning.py}): the masks of
 * {@code l1_unstructured}, {@code ln_structured} (orders 1, 2 and infinity, along several dims),
 * {@code global_unstructured} and {@code custom_from_mask} on weights of distinct magnitudes (multiples of 1/64), whose
 * importances (magnitudes, channel norms, importance scores) never tie, so that the masks do not depend on how ties are
 * broken (PyTorch's CPU {@code topk} is unstable; {@link PruneTest} specifies Kiln's own rule); fractions rounded half
 * to even, and second prunings among what the first left; then a pruned Linear's output and gradients (with parameters
 * under PyTorch's names loaded from the pattern, see {@link PyTorchParity}), two SGD steps, the state-dict keys, and
 * the weight that removing the pruning leaves.
 */
class PrunePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** {@code module} in {@code dtype} with its parameter {@code name} set to {@code values}, as the script sets it. */
    private static <M extends Module> M with(M module, DType dtype, String name, double... values) {
        module.to(dtype);
        Tensors.set(module.namedParameters().get(name), values);
        return module;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void l1UnstructuredPrunesTheSmallestMagnitudes(DType dtype) {
        // prune.l1_unstructured(Linear(6, 4), 'weight', amount=0.3): 7 of 24 entries, PyTorch 1.13
        Linear layer = with(new Linear(6, 4), dtype, "weight",
                -0.34375, -0.328125, -0.25, -0.171875, 0.09375, 0.015625, 0.109375, 0.1875, 0.265625, -0.359375,
                -0.3125, -0.234375, -0.15625, 0.078125, 0.03125, 0.125, 0.203125, 0.28125, -0.375, -0.296875,
                -0.21875, -0.140625, 0.0625, 0.046875);
        Prune.l1Unstructured(layer, "weight", 0.3);
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0,
                1.0, 1.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void l1UnstructuredTakesACount(DType dtype) {
        // prune.l1_unstructured(Linear(6, 4), 'weight', amount=5), PyTorch 1.13
        Linear layer = with(new Linear(6, 4), dtype, "weight",
                -0.28125, -0.1875, -0.09375, 0.015625, 0.109375, 0.203125, 0.296875, -0.359375, -0.34375,
                -0.265625, -0.171875, 0.078125, 0.03125, 0.125, 0.21875, 0.3125, -0.375, -0.328125, -0.25,
                -0.15625, 0.0625, 0.046875, 0.140625, 0.234375);
        Prune.l1Unstructured(layer, "weight", 5);
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
                0.0, 0.0, 1.0, 1.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aSecondL1PruningPrunesItsFractionOfTheEntriesLeftRoundedHalfToEven(DType dtype) {
        // l1_unstructured(amount=0.3) (7 of 24), then l1_unstructured(amount=0.5): round(8.5) = 8 of the 17 left, PyTorch 1.13
        Linear layer = with(new Linear(6, 4), dtype, "weight",
                -0.34375, -0.328125, -0.25, -0.171875, 0.09375, 0.015625, 0.109375, 0.1875, 0.265625, -0.359375,
                -0.3125, -0.234375, -0.15625, 0.078125, 0.03125, 0.125, 0.203125, 0.28125, -0.375, -0.296875,
                -0.21875, -0.140625, 0.0625, 0.046875);
        Prune.l1Unstructured(layer, "weight", 0.3);
        Prune.l1Unstructured(layer, "weight", 0.5);
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0,
                0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lnStructuredOfOrder1PrunesOutputChannels(DType dtype) {
        // prune.ln_structured(Conv2d(2, 4, 2), 'weight', amount=2, n=1, dim=0), PyTorch 1.13
        Conv2d layer = with(new Conv2d(2, 4, 2), dtype, "weight",
                0.0625, 0.171875, 0.28125, -0.390625, -0.5, -0.375, -0.265625, -0.15625, 0.046875, 0.078125,
                0.1875, 0.296875, -0.40625, -0.484375, -0.359375, -0.25, -0.140625, 0.03125, 0.09375, 0.203125,
                0.3125, -0.421875, -0.46875, -0.34375, -0.234375, -0.125, 0.015625, 0.109375, 0.21875, 0.328125,
                -0.4375, -0.453125);
        Prune.lnStructured(layer, "weight", 2, 1, 0);
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0,
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lnStructuredOfOrder2PrunesInputChannels(DType dtype) {
        // prune.ln_structured(Conv2d(3, 2, 2), 'weight', amount=0.34, n=2, dim=1): round(1.02) = 1 channel, PyTorch 1.13
        Conv2d layer = with(new Conv2d(3, 2, 2), dtype, "weight",
                0.203125, -0.296875, -0.375, -0.28125, -0.1875, -0.109375, 0.03125, 0.046875, 0.125, 0.21875,
                -0.3125, -0.359375, -0.265625, -0.171875, -0.09375, 0.015625, 0.0625, 0.140625, 0.234375,
                -0.328125, -0.34375, -0.25, -0.15625, -0.078125);
        Prune.lnStructured(layer, "weight", 0.34, 2, 1);
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0,
                1.0, 1.0, 1.0, 1.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lnStructuredOfInfiniteOrderAlongTheLastAxis(DType dtype) {
        // prune.ln_structured(Linear(5, 3), 'weight', amount=0.4, n=float('inf'), dim=-1): 2 of 5 columns, PyTorch 1.13
        Linear layer = with(new Linear(5, 3), dtype, "weight",
                -0.234375, -0.1875, -0.140625, -0.09375, 0.03125, 0.046875, 0.109375, 0.15625, 0.203125, -0.21875,
                -0.171875, -0.125, -0.078125, 0.015625, 0.0625);
        Prune.lnStructured(layer, "weight", 0.4, Double.POSITIVE_INFINITY, -1);
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lnStructuredAfterL1RanksTheRowsLeftByTheNormsOfThePrunedWeight(DType dtype) {
        // l1_unstructured(amount=0.3), ln_structured(amount=1, n=2, dim=0) twice: the second among the rows left, PyTorch 1.13
        Linear layer = with(new Linear(4, 6), dtype, "weight",
                -0.28125, -0.1875, 0.09375, 0.015625, 0.109375, 0.203125, 0.296875, -0.359375, -0.34375, -0.265625,
                -0.171875, 0.078125, 0.03125, 0.125, 0.21875, 0.3125, -0.375, -0.328125, -0.25, -0.15625, 0.0625,
                0.046875, 0.140625, 0.234375);
        Prune.l1Unstructured(layer, "weight", 0.3);
        Prune.lnStructured(layer, "weight", 1, 2, 0);
        Prune.lnStructured(layer, "weight", 0.5, 2, 0);
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0,
                0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void globalUnstructuredRanksTheEntriesOfEveryTargetTogether(DType dtype) {
        // prune.global_unstructured([(a, 'weight'), (b, 'weight')], prune.L1Unstructured, amount=0.4), then amount=3, PyTorch 1.13
        Linear a = with(new Linear(4, 3), dtype, "weight",
                0.0625, 0.015625, 0.078125, 0.125, 0.15625, -0.1875, -0.171875, -0.140625, -0.109375, 0.046875,
                0.03125, 0.09375);
        Linear b = with(new Linear(3, 2), dtype, "weight",
                0.0078125, 0.0234375, 0.0546875, -0.0859375, -0.0703125, -0.0390625);
        List<Prune.Target> targets = List.of(new Prune.Target(a, "weight"), new Prune.Target(b, "weight"));
        Prune.globalUnstructured(targets, Prune.UnstructuredMethod.L1_UNSTRUCTURED, 0.4);
        Prune.globalUnstructured(targets, Prune.UnstructuredMethod.L1_UNSTRUCTURED, 3);
        assertValues("a.weight_mask", buffer(a, "weight_mask"),
                0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0);
        assertValues("b.weight_mask", buffer(b, "weight_mask"),
                0.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void customFromMaskThenL1PrunesAmongTheEntriesTheCustomMaskKept(DType dtype) {
        // prune.custom_from_mask(Linear(4, 3), 'weight', pattern(12, 10) > 0), then l1_unstructured(amount=3), PyTorch 1.13
        Linear layer = with(new Linear(4, 3), dtype, "weight",
                -0.1875, -0.140625, -0.09375, -0.046875, 0.015625, 0.03125, 0.0625, 0.109375, -0.15625, -0.171875,
                -0.125, -0.078125);
        Prune.customFromMask(layer, "weight", Tensor.fromArray(new double[] {1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1}, 3, 4));
        Prune.l1Unstructured(layer, "weight", 3);
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void l1UnstructuredRanksByImportanceScoresWhereGiven(DType dtype) {
        // prune.l1_unstructured(Linear(6, 4), 'weight', amount=6, importance_scores=scores), PyTorch 1.13
        Linear layer = with(new Linear(6, 4), dtype, "weight",
                0.25, -0.34375, -0.328125, -0.234375, -0.15625, 0.078125, 0.015625, 0.09375, 0.171875, 0.265625,
                -0.359375, -0.3125, -0.21875, -0.140625, 0.0625, 0.03125, 0.109375, 0.1875, 0.28125, -0.375,
                -0.296875, -0.203125, -0.125, 0.046875);
        Prune.l1Unstructured(layer, "weight", 6, Tensor.fromArray(new double[] {
                0.078125, 0.15625, 0.25, -0.34375, -0.328125, -0.234375, -0.140625, 0.0625, 0.015625, 0.09375,
                0.1875, 0.28125, -0.375, -0.296875, -0.203125, -0.109375, 0.03125, 0.046875, 0.125, 0.21875,
                0.3125, -0.359375, -0.265625, -0.171875}, 4, 6));
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0,
                1.0, 1.0, 1.0, 1.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lnStructuredRanksByTheNormsOfImportanceScoresWhereGiven(DType dtype) {
        // prune.ln_structured(Conv2d(2, 4, 2), 'weight', amount=0.5, n=1, dim=0, importance_scores=scores), PyTorch 1.13
        Conv2d layer = with(new Conv2d(2, 4, 2), dtype, "weight",
                -0.25, -0.125, 0.015625, 0.140625, 0.265625, 0.375, -0.46875, -0.453125, -0.359375, -0.234375,
                -0.109375, 0.03125, 0.15625, 0.28125, 0.390625, -0.484375, -0.4375, -0.34375, -0.21875, -0.09375,
                0.046875, 0.171875, 0.296875, 0.40625, -0.5, -0.421875, -0.328125, -0.203125, -0.078125, 0.0625,
                0.1875, 0.3125);
        Prune.lnStructured(layer, "weight", 0.5, 1, 0, Tensor.fromArray(new double[] {
                -0.453125, -0.34375, -0.234375, 0.125, 0.015625, 0.140625, 0.25, 0.359375, -0.46875, -0.4375,
                -0.328125, -0.21875, 0.109375, 0.03125, 0.15625, 0.265625, 0.375, -0.484375, -0.421875, -0.3125,
                -0.203125, 0.09375, 0.046875, 0.171875, 0.28125, 0.390625, -0.5, -0.40625, -0.296875, -0.1875,
                0.078125, 0.0625}, 4, 2, 2, 2));
        assertValues("layer.weight_mask", buffer(layer, "weight_mask"),
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0,
                1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void globalUnstructuredRanksATargetByItsImportanceScoresWhereGiven(DType dtype) {
        // prune.global_unstructured([(a, 'weight'), (b, 'weight')], prune.L1Unstructured,
        // importance_scores={(b, 'weight'): scores}, amount=5), PyTorch 1.13
        Linear a = with(new Linear(4, 3), dtype, "weight",
                0.0625, 0.109375, -0.15625, -0.1875, -0.140625, -0.09375, -0.046875, 0.015625, 0.03125, 0.078125,
                0.125, -0.171875);
        Linear b = with(new Linear(3, 2), dtype, "weight",
                0.078125, -0.09375, -0.0625, -0.046875, -0.03125, 0.015625);
        Prune.Target bWeight = new Prune.Target(b, "weight");
        Prune.globalUnstructured(List.of(new Prune.Target(a, "weight"), bWeight),
                Prune.UnstructuredMethod.L1_UNSTRUCTURED, 5, Map.of(bWeight, Tensor.fromArray(new double[] {
                0.0078125, 0.0234375, 0.0390625, 0.0546875, -0.0703125, -0.0859375}, 2, 3)));
        assertValues("a.weight_mask", buffer(a, "weight_mask"),
                1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0);
        assertValues("b.weight_mask", buffer(b, "weight_mask"),
                0.0, 0.0, 0.0, 1.0, 1.0, 1.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void forwardAndBackwardReachOnlyTheKeptEntriesOfWeightOrig(DType dtype) {
        // l1_unstructured(Linear(4, 3), 'weight', amount=0.5), parameters then loaded; forward and backward, PyTorch 1.13
        Linear layer = Prune.l1Unstructured(with(new Linear(4, 3), dtype, "weight",
                -0.125, -0.078125, 0.03125, 0.046875, 0.09375, 0.140625, -0.171875, -0.1875, -0.15625, -0.109375,
                -0.0625, 0.015625),
                "weight", 0.5);
        load(layer,
                key("bias", 1, 3),
                key("weight_orig", 2, 3, 4));
        Tensor x = tensor(dtype, 100, 2, 4);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.38992640852242677, 0.44863852757931916, -0.1434173913058362, 0.5798269960936493,
                0.534855844253825, 0.4540419419891528);
        assertValues("weight", layer.weight(),
                0.2136899401169149, -0.0, -0.0, -0.0, -0.0, -0.04154470140874864, 0.28921988219409933,
                0.48395983601574316, 0.45108591687814703, 0.2060592426208783, -0.0, -0.0);
        assertValues("input gradient", x.grad(),
                -0.08852973812972872, -0.06907095914322373, -0.006911131846057486, -0.011564593033948065,
                -0.17134956332225604, -0.012425597817548588, -0.12119695990020007, -0.2028023121852447);
        assertGradient(layer, "bias",
                -0.19275905276724603, -0.44294358594711863, -0.4848048294716184);
        assertGradient(layer, "weight_orig",
                -0.34825116530801753, -0.0, -0.0, 0.0, -0.0, -0.19792414010273046, -0.14344881984465685,
                -0.021507278163997324, 0.10455310216078496, 0.08281245431754554, 0.0, -0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void twoSgdStepsWithMomentumTrainWeightOrig(DType dtype) {
        // two steps of SGD(lr=0.1, momentum=0.9) on the pruned Linear, PyTorch 1.13
        Linear layer = Prune.l1Unstructured(with(new Linear(4, 3), dtype, "weight",
                -0.125, -0.078125, 0.03125, 0.046875, 0.09375, 0.140625, -0.171875, -0.1875, -0.15625, -0.109375,
                -0.0625, 0.015625),
                "weight", 0.5);
        load(layer,
                key("bias", 1, 3),
                key("weight_orig", 2, 3, 4));
        Tensor x = tensor(dtype, 100, 2, 4).requiresGrad(false);
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
        assertValues("weight_orig", state.get("weight_orig"),
                0.31468277805624, -0.1277705510134156, -0.40913855553220513, -0.4980823044179204,
                -0.35277016278519596, 0.015853299221043195, 0.33082003994904985, 0.4901969466833024,
                0.4207655172515194, 0.1820436308687901, -0.13588031320547123, -0.41391323454282636);
        assertValues("weight_mask", state.get("weight_mask"),
                1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void removingThePruningLeavesTheMaskedWeightAsAPlainParameter(DType dtype) {
        // prune.remove(m, 'weight'), PyTorch 1.13
        Linear layer = Prune.l1Unstructured(with(new Linear(4, 3), dtype, "weight",
                -0.125, -0.078125, 0.03125, 0.046875, 0.09375, 0.140625, -0.171875, -0.1875, -0.15625, -0.109375,
                -0.0625, 0.015625),
                "weight", 0.5);
        load(layer,
                key("bias", 1, 3),
                key("weight_orig", 2, 3, 4));
        Prune.remove(layer, "weight");
        assertEquals(List.of("bias", "weight"), List.copyOf(layer.stateDict().keySet()));
        assertValues("weight", layer.weight(),
                0.2136899401169149, -0.0, -0.0, -0.0, -0.0, -0.04154470140874864, 0.28921988219409933,
                0.48395983601574316, 0.45108591687814703, 0.2060592426208783, -0.0, -0.0);
    }

    @Test
    void stateDictKeysArePyTorchs() {
        // pruned Linear, Conv2d with weight and bias pruned, and a Sequential, PyTorch 1.13
        assertEquals(List.of("bias", "weight_orig", "weight_mask"),
                List.copyOf(Prune.l1Unstructured(new Linear(4, 3), "weight", 0.5).stateDict().keySet()));
        assertEquals(List.of("weight_orig", "bias_orig", "weight_mask", "bias_mask"),
                List.copyOf(Prune.randomUnstructured(Prune.lnStructured(new Conv2d(2, 3, 2), "weight", 1, 2, 0), "bias", 1)
                        .stateDict().keySet()));
        Sequential model = new Sequential(new Linear(4, 3), new Tanh(), new Linear(3, 2));
        Prune.identity(model.getSubmodule("0"), "weight");
        Prune.identity(model.getSubmodule("2"), "bias");
        assertEquals(List.of("0.bias", "0.weight_orig", "0.weight_mask", "2.weight", "2.bias_orig", "2.bias_mask"),
                List.copyOf(model.stateDict().keySet()));
        assertEquals(List.of("0.bias", "0.weight_orig", "2.weight", "2.bias_orig"),
                List.copyOf(model.namedParameters().keySet()));
    }
}
