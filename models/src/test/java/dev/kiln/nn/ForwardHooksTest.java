package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Module.registerForwardHook and registerForwardPreHook, as PyTorch's forward hooks behave. */
class ForwardHooksTest {
    @BeforeEach
    void seed() {
        Engine.seed(7);
    }

    private static Sequential mlp() {
        return (Sequential) new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)).to(DType.F64);
    }

    private static Tensor batch() {
        return Tensor.fromArray(new double[] {0.5, -1, 2, -0.3, 0.8, -1.5}, 2, 3);
    }

    @Test
    void aHookOnALinearBeforeAReluSeesThePreActivationAndTheModelsOutputIsUnchanged() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            Tensor x = batch();
            double[] plain = m.call(x).toDoubleArray();
            Linear first = (Linear) m.get(0);
            double[] expected = x.matmul(first.weight().t()).add(first.bias()).toDoubleArray();
            List<double[]> seen = new ArrayList<>();
            m.get(0).registerForwardHook((module, input, output) -> {
                seen.add(output.toDoubleArray());
                return null;
            });
            double[] hooked = m.call(x).toDoubleArray();
            assertEquals(1, seen.size());
            assertArrayEquals(expected, seen.get(0), 1e-12, "the Linear's own output, not fused with the ReLU after it");
            assertTrue(expected[0] < 0 || expected[1] < 0 || expected[2] < 0 || expected[3] < 0 || expected[4] < 0
                    || expected[5] < 0 || expected[6] < 0 || expected[7] < 0, "the case needs a negative pre-activation");
            assertArrayEquals(plain, hooked, 1e-12);
        }
    }

    @Test
    void aHooksResultReplacesTheOutput() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            m.get(1).registerForwardHook((module, input, output) -> output.mul(0.0));
            double[] y = m.call(batch()).toDoubleArray();
            double[] bias = ((Linear) m.get(2)).bias().toDoubleArray();
            assertArrayEquals(new double[] {bias[0], bias[1], bias[0], bias[1]}, y, 1e-12);
        }
    }

    @Test
    void aPreHooksResultReplacesTheInput() {
        try (Linear linear = (Linear) new Linear(3, 2).to(DType.F64); Scope s = Scope.open()) {
            Tensor x = batch();
            double[] doubled = linear.call(x.mul(2.0)).toDoubleArray();
            linear.registerForwardPreHook((module, input) -> input.mul(2.0));
            List<Tensor> inputsSeen = new ArrayList<>();
            linear.registerForwardHook((module, input, output) -> {
                inputsSeen.add(input);
                return null;
            });
            assertArrayEquals(doubled, linear.call(x).toDoubleArray(), 1e-12);
            assertArrayEquals(x.mul(2.0).toDoubleArray(), inputsSeen.get(0).toDoubleArray(), 0,
                    "the forward hook sees the input forward took");
        }
    }

    @Test
    void activationsAHookKeepsWithoutGradientsStayReadableAfterTheForwardPass() {
        try (Sequential m = mlp(); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = batch();
            List<Tensor> inputs = new ArrayList<>();
            List<Tensor> outputs = new ArrayList<>();
            m.get(1).registerForwardHook((module, input, output) -> {
                inputs.add(input);
                outputs.add(output);
                return null;
            });
            m.call(x);
            Linear first = (Linear) m.get(0);
            Tensor preActivation = x.matmul(first.weight().t()).add(first.bias());
            assertArrayEquals(preActivation.toDoubleArray(), inputs.get(0).toDoubleArray(), 1e-12,
                    "the ReLU's input, kept by the hook as PyTorch users keep features under no_grad");
            assertArrayEquals(preActivation.relu().toDoubleArray(), outputs.get(0).toDoubleArray(), 1e-12,
                    "the ReLU's output");
        }
    }

    @Test
    void aTensorAPreHookKeepsWithoutGradientsStaysReadable() {
        try (Sequential m = mlp(); Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            List<Tensor> inputs = new ArrayList<>();
            m.get(2).registerForwardPreHook((module, input) -> {
                inputs.add(input);
                return null;
            });
            Tensor y = m.call(batch());
            assertEquals(8, inputs.get(0).toDoubleArray().length);
            assertEquals(4, y.toDoubleArray().length);
        }
    }

    @Test
    void aRemovedHookNoLongerRunsAndHooksRunInOrder() {
        try (Linear linear = (Linear) new Linear(3, 2).to(DType.F64); Scope s = Scope.open()) {
            List<String> calls = new ArrayList<>();
            try (HookHandle first = linear.registerForwardHook((m, in, out) -> {
                calls.add("first");
                return null;
            })) {
                linear.registerForwardHook((m, in, out) -> {
                    calls.add("second");
                    return null;
                });
                linear.call(batch());
            }
            linear.call(batch());
            assertEquals(List.of("first", "second", "second"), calls);
        }
    }

    @Test
    void aCopyHasNoHooks() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            m.get(0).registerForwardHook((module, input, output) -> output.mul(0.0));
            Module copy = m.copy();
            assertTrue(m.get(0).hasForwardHooks());
            assertFalse(((Sequential) copy).get(0).hasForwardHooks());
            copy.close();
        }
    }

    @Test
    void aForwardHookWithRetainGradGivesAnActivationsGradient() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            List<Tensor> activations = new ArrayList<>();
            m.get(2).registerForwardHook((module, input, output) -> {
                activations.add(input.retainGrad());
                return null;
            });
            m.call(batch()).sum().backward();
            Tensor a = activations.get(0);
            assertNotNull(a.grad());
            double[] w = ((Linear) m.get(2)).weight().toDoubleArray();
            double[] column = {w[0] + w[4], w[1] + w[5], w[2] + w[6], w[3] + w[7]};
            double[] both = new double[8];
            System.arraycopy(column, 0, both, 0, 4);
            System.arraycopy(column, 0, both, 4, 4);
            assertArrayEquals(both, a.grad().toDoubleArray(), 1e-12, "d/da sum(a W^T + b) = the column sums of W");
        }
    }

    @Test
    void aHookedBatchNormInABasicBlockRunsUnfusedWithTheSameValuesAndGradients() {
        Engine.seed(3);
        try (BasicBlock plain = (BasicBlock) new BasicBlock(2, 2, 1).to(DType.F64); Scope s = Scope.open()) {
            BasicBlock hooked = (BasicBlock) plain.copy();
            Tensor x = Tensor.randn(DType.F64, 2, 2, 4, 4);
            Tensor yPlain = plain.call(x);
            yPlain.mul(yPlain).sum().backward();
            List<double[]> bnOutputs = new ArrayList<>();
            hooked.module("bn1").registerForwardHook((module, input, output) -> {
                bnOutputs.add(output.toDoubleArray());
                return null;
            });
            hooked.module("bn2").registerForwardHook((module, input, output) -> null);
            Tensor yHooked = hooked.call(x);
            yHooked.mul(yHooked).sum().backward();
            assertArrayEquals(yPlain.toDoubleArray(), yHooked.toDoubleArray(), 1e-12);
            assertTrue(java.util.Arrays.stream(bnOutputs.get(0)).anyMatch(v -> v < 0), "bn1's own output, before its ReLU");
            for (String name : plain.namedParameters().keySet()) {
                assertArrayEquals(plain.namedParameters().get(name).grad().toDoubleArray(),
                        hooked.namedParameters().get(name).grad().toDoubleArray(), 1e-10, name);
            }
            hooked.close();
        }
    }
}
