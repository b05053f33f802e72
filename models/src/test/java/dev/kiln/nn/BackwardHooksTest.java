package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Module.registerFullBackwardHook and registerFullBackwardPreHook beyond the numbers of
 * {@link BackwardHooksPyTorchParityTest}: what is recorded, when hooks run, what they may return, and memory.
 */
class BackwardHooksTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    @BeforeEach
    void seed() {
        Engine.seed(11);
    }

    private static Linear linear() {
        return (Linear) new Linear(3, 2).to(DType.F64);
    }

    private static Tensor batch() {
        return Tensor.fromArray(new double[] {0.5, -1, 2, -0.3, 0.8, -1.5}, 2, 3).requiresGrad(true);
    }

    /** A two-input module whose output ignores its second input. */
    private static final class FirstOnly extends Module implements TwoInputForward {
        @Override
        public Tensor forward(Tensor x1, Tensor x2) {
            return x1.mul(3.0);
        }

        @Override
        public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException("two inputs");
        }
    }

    private static Module.BackwardHook noting(List<String> calls, String name) {
        return (module, gradInput, gradOutput) -> {
            calls.add(name);
            return null;
        };
    }

    @Test
    void aModuleWithoutBackwardHooksRecordsNoExtraGraphNode() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            Tensor x = batch();
            String plain = layer.forward(x).gradFnName();
            assertEquals(plain, layer.call(x).gradFnName());
            layer.registerFullBackwardHook((module, gradInput, gradOutput) -> null).remove();
            assertEquals(plain, layer.call(x).gradFnName(), "nothing left behind by a removed hook");
            layer.registerFullBackwardPreHook((module, gradOutput) -> null);
            assertNotEquals(plain, layer.call(x).gradFnName(), "a hooked call wraps its output");
        }
    }

    @Test
    void aCallWithoutGradientsRecordsNothingAndRunsNoHook() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            List<String> calls = new ArrayList<>();
            layer.registerFullBackwardHook(noting(calls, "hook"));
            Tensor y;
            try (Autograd.Guard g = Autograd.noGrad()) {
                y = layer.call(batch());
            }
            assertFalse(y.requiresGrad());
            assertTrue(calls.isEmpty());
        }
    }

    @Test
    void aRemovedHookNoLongerRuns() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            List<String> calls = new ArrayList<>();
            try (HookHandle first = layer.registerFullBackwardHook(noting(calls, "first"))) {
                layer.registerFullBackwardHook(noting(calls, "second"));
                layer.call(batch()).sum().backward();
            }
            layer.call(batch()).sum().backward();
            assertEquals(List.of("first", "second", "second"), calls);
            assertTrue(layer.hasBackwardHooks());
        }
    }

    @Test
    void theHooksRegisteredWhenTheModuleIsCalledAreThoseThatRunInItsBackwardPass() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            List<String> calls = new ArrayList<>();
            HookHandle handle = layer.registerFullBackwardHook(noting(calls, "hook"));
            Tensor y = layer.call(batch());
            handle.remove();
            y.sum().backward();
            assertEquals(List.of("hook"), calls, "as PyTorch takes a call's hooks when the module is called");
            assertFalse(layer.hasBackwardHooks());
        }
    }

    @Test
    void preHooksAndHooksOfNestedModulesRunFromTheOutputBack() {
        try (Sequential model = (Sequential) new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)).to(DType.F64);
             Scope s = Scope.open()) {
            List<String> calls = new ArrayList<>();
            model.registerFullBackwardPreHook((module, gradOutput) -> {
                calls.add("pre (root)");
                return null;
            });
            model.registerFullBackwardHook(noting(calls, "(root)"));
            for (int i = 0; i < 3; i++) {
                String name = Integer.toString(i);
                model.get(i).registerFullBackwardPreHook((module, gradOutput) -> {
                    calls.add("pre " + name);
                    return null;
                });
                model.get(i).registerFullBackwardHook(noting(calls, name));
            }
            model.call(batch()).sum().backward();
            assertEquals(List.of("pre (root)", "pre 2", "2", "pre 1", "1", "pre 0", "0", "(root)"), calls);
        }
    }

    @Test
    void preHooksChainEachSeeingTheReplacementBeforeIt() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            List<double[]> seen = new ArrayList<>();
            layer.registerFullBackwardPreHook((module, gradOutput) -> new Tensor[] {gradOutput[0].mul(2.0)});
            layer.registerFullBackwardPreHook((module, gradOutput) -> {
                seen.add(gradOutput[0].toDoubleArray());
                return new Tensor[] {gradOutput[0].mul(5.0)};
            });
            Tensor x = batch();
            layer.call(x).sum().backward();
            assertArrayEquals(new double[] {2, 2, 2, 2}, seen.get(0), 0);
            double[] w = layer.weight().toDoubleArray();
            double[] expected = new double[6];
            for (int j = 0; j < 3; j++) {
                expected[j] = 10 * (w[j] + w[3 + j]);
                expected[3 + j] = expected[j];
            }
            assertArrayEquals(expected, x.grad().toDoubleArray(), 1e-12, "d/dx of 10 sum(x W^T + b)");
        }
    }

    @Test
    void anInputThatNeedsNoGradientHasANullEntryBesideOneThatDoes() {
        try (Bilinear layer = (Bilinear) new Bilinear(3, 2, 4).to(DType.F64); Scope s = Scope.open()) {
            List<Tensor[]> seen = new ArrayList<>();
            layer.registerFullBackwardHook((module, gradInput, gradOutput) -> {
                seen.add(gradInput);
                return null;
            });
            Tensor x1 = batch();
            Tensor x2 = Tensor.fromArray(new double[] {0.2, -0.7, 1.1, 0.4}, 2, 2);
            layer.call(x1, x2).sum().backward();
            assertEquals(2, seen.get(0).length);
            assertArrayEquals(x1.grad().toDoubleArray(), seen.get(0)[0].toDoubleArray(), 0);
            assertNull(seen.get(0)[1], "PyTorch 1.13 gives zeros here; Kiln gives null for an input needing no gradient");
        }
    }

    @Test
    void anInputThatReceivesNoGradientGetsZerosAsInPyTorch() {
        try (FirstOnly m = new FirstOnly(); Scope s = Scope.open()) {
            List<Tensor[]> seen = new ArrayList<>();
            m.registerFullBackwardHook((module, gradInput, gradOutput) -> {
                seen.add(gradInput);
                return null;
            });
            Tensor x1 = batch();
            Tensor x2 = Tensor.fromArray(new double[] {1, 2}, 2).requiresGrad(true);
            m.call(x1, x2).sum().backward();
            assertArrayEquals(new double[] {3, 3, 3, 3, 3, 3}, seen.get(0)[0].toDoubleArray(), 0);
            assertArrayEquals(new double[] {0, 0}, seen.get(0)[1].toDoubleArray(), 0);
            assertArrayEquals(new double[] {0, 0}, x2.grad().toDoubleArray(), 0, "PyTorch 1.13 gives x2 zeros too");
        }
    }

    @Test
    void aHookedTwoInputModulePassesAGradientCheck() {
        try (Bilinear layer = (Bilinear) new Bilinear(3, 2, 4).to(DType.F64); Scope s = Scope.open()) {
            layer.registerFullBackwardPreHook((module, gradOutput) -> null);
            layer.registerFullBackwardHook((module, gradInput, gradOutput) -> null);
            Tensor x1 = batch();
            Tensor x2 = Tensor.fromArray(new double[] {0.2, -0.7, 1.1, 0.4}, 2, 2).requiresGrad(true);
            GradCheck.check("hooked Bilinear", in -> layer.call(in[0], in[1]), x1, x2, layer.weight(), layer.bias());
        }
    }

    @Test
    void aHookedLayerInsideABasicBlockRunsUnfusedWithTheSameGradients() {
        Engine.seed(3);
        try (BasicBlock plain = (BasicBlock) new BasicBlock(2, 2, 1).to(DType.F64); Scope s = Scope.open()) {
            BasicBlock hooked = (BasicBlock) plain.copy();
            Tensor x = Tensor.randn(DType.F64, 2, 2, 4, 4);
            Tensor yPlain = plain.call(x);
            yPlain.mul(yPlain).sum().backward();
            List<Tensor> bnOutputGradients = new ArrayList<>();
            hooked.module("bn1").registerFullBackwardHook((module, gradInput, gradOutput) -> {
                bnOutputGradients.add(gradOutput[0]);
                return null;
            });
            Tensor yHooked = hooked.call(x);
            yHooked.mul(yHooked).sum().backward();
            assertEquals(1, bnOutputGradients.size());
            assertTrue(java.util.Arrays.stream(bnOutputGradients.get(0).toDoubleArray()).anyMatch(v -> v == 0),
                    "bn1's own output gradient, zero where the ReLU after it cut");
            for (String name : plain.namedParameters().keySet()) {
                assertArrayEquals(plain.namedParameters().get(name).grad().toDoubleArray(),
                        hooked.namedParameters().get(name).grad().toDoubleArray(), 1e-10, name);
            }
            hooked.close();
        }
    }

    @Test
    void aHookedModuleInACheckpointedSegmentRunsItsHookOnceWithTheSameGradients() {
        try (Sequential model = (Sequential) new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 4), new Tanh(),
                new Linear(4, 2)).to(DType.F64); Scope s = Scope.open()) {
            Tensor x = batch();
            model.call(x).sum().backward();
            List<double[]> plain = new ArrayList<>();
            plain.add(x.grad().toDoubleArray());
            model.parameters().forEach(p -> plain.add(p.grad().toDoubleArray()));
            x.clearGrad();
            model.parameters().forEach(Tensor::clearGrad);
            List<String> calls = new ArrayList<>();
            model.get(1).registerFullBackwardHook(noting(calls, "hook"));
            model.checkpointSequential(2, x).sum().backward();
            assertEquals(List.of("hook"), calls, "in the segment's recomputation, which records the graph");
            assertArrayEquals(plain.get(0), x.grad().toDoubleArray(), 1e-12);
            for (int i = 0; i < model.parameters().size(); i++) {
                assertArrayEquals(plain.get(i + 1), model.parameters().get(i).grad().toDoubleArray(), 1e-12);
            }
        }
    }

    @Test
    void aHookThatReplacesInputGradientsWhenNoInputNeedsOneIsRefused() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            layer.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradOutput[0]});
            Tensor y = layer.call(batch().detach());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
            assertTrue(e.getMessage().contains("Linear") && e.getMessage().contains("no input"), e.getMessage());
        }
    }

    @Test
    void aReplacementOfAnotherShapeIsRefusedNamingBothShapes() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            layer.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradOutput[0]});
            Tensor y = layer.call(batch());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
            assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }

    @Test
    void aPreHookReturningTwoOutputGradientsIsRefused() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            layer.registerFullBackwardPreHook((module, gradOutput) -> new Tensor[] {gradOutput[0], gradOutput[0]});
            Tensor y = layer.call(batch());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
            assertTrue(e.getMessage().contains("returned 2 gradOutput entries, expected 1"), e.getMessage());
        }
    }

    @Test
    void aTwoInputCallOfAOneInputModuleIsRefused() {
        try (Linear layer = linear(); Scope s = Scope.open()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> layer.call(batch(), batch()));
            assertTrue(e.getMessage().contains("Linear"), e.getMessage());
        }
    }

    @Test
    void aTwoInputCallWithForwardHooksIsRefused() {
        try (Bilinear layer = new Bilinear(3, 2, 4); Scope s = Scope.open()) {
            layer.registerForwardHook((module, input, output) -> null);
            assertThrows(IllegalStateException.class,
                    () -> layer.call(Tensor.zeros(2, 3), Tensor.zeros(2, 2)));
        }
    }

    @Test
    void aForwardThatWritesItsWrappedInputThroughDetachMakesTheBackwardPassThrow() {
        try (Module writing = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                try (Autograd.Guard g = Autograd.noGrad()) {
                    x.detach().assign(Tensor.zeros(DType.F64, 2, 3));
                }
                return x.mul(2.0);
            }
        }; Scope s = Scope.open()) {
            writing.registerFullBackwardHook((module, gradInput, gradOutput) -> null);
            Tensor y = writing.call(batch());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
            assertTrue(e.getMessage().contains("BackwardHookInputs") && e.getMessage().contains("written in place"),
                    e.getMessage());
        }
    }

    @Test
    void aCopyHasNoBackwardHooks() {
        try (Linear layer = linear()) {
            layer.registerFullBackwardHook((module, gradInput, gradOutput) -> null);
            try (Module copy = layer.copy()) {
                assertTrue(layer.hasBackwardHooks());
                assertFalse(copy.hasBackwardHooks());
            }
        }
    }

    @Test
    void theGradientsAHookWasGivenAreFreedWithTheStepsScope() {
        try (Linear layer = linear()) {
            List<Tensor> kept = new ArrayList<>();
            layer.registerFullBackwardHook((module, gradInput, gradOutput) -> {
                kept.add(gradInput[0]);
                kept.add(gradOutput[0]);
                return null;
            });
            try (Scope s = Scope.open()) {
                layer.call(batch()).sum().backward();
                assertFalse(kept.get(0).isClosed(), "readable until the scope closes");
            }
            assertTrue(kept.get(0).isClosed());
            assertTrue(kept.get(1).isClosed());
        }
    }

    @Test
    void hookedTrainingStepsLeaveNoMoreBehindThanPlainOnes() {
        try (Sequential model = (Sequential) new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)).to(DType.F64)) {
            long[] after = new long[5];
            for (int step = 0; step < after.length; step++) {
                if (step == 2) {
                    model.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradInput[0].mul(2.0)});
                    model.get(0).registerFullBackwardPreHook((module, gradOutput) -> new Tensor[] {gradOutput[0].mul(0.5)});
                    model.get(1).registerFullBackwardHook((module, gradInput, gradOutput) -> null);
                }
                try (Scope s = Scope.open()) {
                    model.call(batch()).sum().backward();
                }
                after[step] = Engine.get().backend().bytesInUse();
            }
            for (int step = 1; step < after.length; step++) {
                assertEquals(after[0], after[step], "bytes in use after step " + step + " (hooked from step 2 on) and"
                        + " after the first, which made the parameters' gradients");
            }
        }
    }
}
