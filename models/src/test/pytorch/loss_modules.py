"""Prints the whole of LossModulePyTorchParityTest: PyTorch 1.13's loss modules (nn.CrossEntropyLoss with class
weights and label smoothing, nn.NLLLoss with weights and ignore_index, nn.BCEWithLogitsLoss with weight and pos_weight,
nn.BCELoss, nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, nn.KLDivLoss, nn.MultiMarginLoss with weights,
nn.MultiLabelSoftMarginLoss with weights) in F64: each module's repr, state_dict keys, value, and the gradient its
full backward hook sees for the input (grad_input[0]). Inputs are parity.py's pattern; targets are literals.
Run: /usr/bin/python3 loss_modules.py > ../java/dev/kiln/nn/LossModulePyTorchParityTest.java
"""
import torch
import torch.nn as nn

from parity import fmt, pattern

torch.set_default_dtype(torch.float64)

CLASSES = [0, 2, 1, 2]


def weight(seed, n):
    return 1 + pattern(n, seed)


# (name, Java loss, PyTorch module, Java input, PyTorch input, Java target, PyTorch target)
CASES = [
    ("crossEntropyWithClassWeightsAndLabelSmoothing",
     "new CrossEntropyLoss(weight(7, 3), 0.1, -100, Reduction.MEAN)",
     nn.CrossEntropyLoss(weight=weight(7, 3), label_smoothing=0.1),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "classes()", torch.tensor(CLASSES)),
    ("nllWithClassWeightsAndIgnoreIndex", "new NLLLoss(weight(7, 3), 1, Reduction.SUM)",
     nn.NLLLoss(weight=weight(7, 3), ignore_index=1, reduction="sum"),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "classes()", torch.tensor(CLASSES)),
    ("bceWithLogitsWithWeightAndPosWeight", "new BCEWithLogitsLoss(weight(7, 3), weight(8, 3), Reduction.MEAN)",
     nn.BCEWithLogitsLoss(weight=weight(7, 3), pos_weight=weight(8, 3)),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "values(2, 4, 3).add(0.5)", pattern(12, 2).reshape(4, 3) + 0.5),
    ("bce", "new BCELoss()", nn.BCELoss(),
     "values(1, 4, 3).mul(0.9).add(0.5)", pattern(12, 1).reshape(4, 3) * 0.9 + 0.5,
     "values(2, 4, 3).add(0.5)", pattern(12, 2).reshape(4, 3) + 0.5),
    ("mseSummed", "new MSELoss(Reduction.SUM)", nn.MSELoss(reduction="sum"),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "values(2, 4, 3)", pattern(12, 2).reshape(4, 3)),
    ("l1", "new L1Loss()", nn.L1Loss(),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "values(2, 4, 3)", pattern(12, 2).reshape(4, 3)),
    ("smoothL1WithBeta", "new SmoothL1Loss(0.5, Reduction.MEAN)", nn.SmoothL1Loss(beta=0.5),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "values(2, 4, 3)", pattern(12, 2).reshape(4, 3)),
    ("huberWithDelta", "new HuberLoss(0.3, Reduction.MEAN)", nn.HuberLoss(delta=0.3),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "values(2, 4, 3)", pattern(12, 2).reshape(4, 3)),
    ("klDivBatchMean", "new KLDivLoss(KLDivReduction.BATCH_MEAN, false)", nn.KLDivLoss(reduction="batchmean"),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "values(2, 4, 3).add(0.6)", pattern(12, 2).reshape(4, 3) + 0.6),
    ("multiMarginWithWeights", "new MultiMarginLoss(2, 0.7, weight(7, 3), Reduction.MEAN)",
     nn.MultiMarginLoss(p=2, margin=0.7, weight=weight(7, 3)),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "classes()", torch.tensor(CLASSES)),
    ("multiLabelSoftMarginWithWeights", "new MultiLabelSoftMarginLoss(weight(7, 3), Reduction.MEAN)",
     nn.MultiLabelSoftMarginLoss(weight=weight(7, 3)),
     "values(1, 4, 3)", pattern(12, 1).reshape(4, 3), "values(2, 4, 3).gt(0).to(DType.F64)",
     (pattern(12, 2).reshape(4, 3) > 0).double()),
]

print('''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LossModule} against PyTorch 1.13's loss modules (printed by {@code models/src/test/pytorch/loss_modules.py}):
 * repr, state-dict keys (class weights as buffers), value, and the input gradient its full backward hook sees, in F64.
 * Inputs are {@link PyTorchParity#values} patterns, class weights {@code 1 + pattern(3, seed)}, class targets
 * [0, 2, 1, 2].
 */
class LossModulePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor weight(int seed, int n) {
        return values(seed, n).add(1);
    }

    private static Tensor classes() {
        return Tensor.fromArray(new long[] {0, 2, 1, 2}, 4);
    }

    /**
     * Runs {@code module.call(input, target)} with a full backward hook and checks what PyTorch printed: the repr, the
     * state-dict keys, the value, and the hook's gradient to the input (and none to the target).
     */
    private static void assertParity(LossModule module, Tensor input, Tensor target, String repr, List<String> keys,
                                     double value, double... inputGradient) {
        Tensor[][] seen = new Tensor[1][];
        module.registerFullBackwardHook((m, gradInput, gradOutput) -> {
            seen[0] = gradInput;
            return null;
        });
        Tensor x = input.requiresGrad(true);
        Tensor loss = module.call(x, target);
        assertEquals(repr, module.toString());
        assertEquals(keys, List.copyOf(module.stateDict().keySet()));
        assertValues("loss", loss, value);
        loss.backward();
        assertValues("hook's input gradient", seen[0][0], inputGradient);
        assertNull(seen[0][1], "the target needs no gradient");
        assertValues("input gradient", x.grad(), inputGradient);
    }''')

for name, java, module, jin, pin, jtarget, ptarget in CASES:
    x = pin.clone().requires_grad_(True)
    seen = []
    module.register_full_backward_hook(lambda m, gi, go: seen.append(gi[0].detach().clone()))
    y = module(x, ptarget)
    y.backward()
    print()
    print("    @Test")
    print("    void %s() {" % name)
    print("        assertParity(new LossModule(%s)," % java)
    print("                %s, %s, \"%s\"," % (jin, jtarget, repr(module)))
    print("                List.of(%s), %r," % (", ".join('"%s"' % k for k in module.state_dict().keys()), y.item()))
    print("                " + fmt(seen[0].reshape(-1)) + ");")
    print("    }")
print("}")
