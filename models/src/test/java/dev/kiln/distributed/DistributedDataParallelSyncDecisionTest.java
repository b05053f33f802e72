package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which backward passes of {@link DistributedDataParallel} average the gradients, against PyTorch 1.13 on two gloo
 * ranks ({@code ddp_sync_decision.py}, whose output the expected values are): the forward decides, not the backward.
 * A forward with gradients on and outside {@code noSync()} arms the next backward pass to average, whatever mode the
 * module is in and whether {@code noSync()} is open when the backward pass runs; a forward inside {@code noSync()}
 * leaves the next backward pass local unless an earlier forward armed it, and so does one without gradients (an
 * evaluation's) or one that failed; a second backward pass over the same graph
 * adds this rank's own gradient. Forwards in a row without a backward pass between them are no error (1.13 raises
 * "Expected to have finished reduction" only after a backward pass that left a parameter without a gradient).
 * Rank r's input is r + 1, so the weight's gradient of {@code sum(lin(x))} is 1 on rank 0, 2 on rank 1, 1.5 averaged.
 */
class DistributedDataParallelSyncDecisionTest {
    /** One case: what a rank does with the wrapper and its input. */
    private interface Case {
        void run(DistributedDataParallel ddp, Tensor x);
    }

    private static void forwardBackward(DistributedDataParallel ddp, Tensor x) {
        ddp.call(x).sum().backward();
    }

    /** The cases in the script's order, each with rank 1's gradient of {@code lin.weight[0, 0]} in PyTorch 1.13. */
    private static Map<String, Map.Entry<Case, Double>> cases() {
        Map<String, Map.Entry<Case, Double>> cases = new LinkedHashMap<>();
        cases.put("fwd-grad, fwd-grad+bwd", Map.entry((ddp, x) -> {
            ddp.call(x);
            forwardBackward(ddp, x);
        }, 1.5));
        cases.put("fwd-grad(a), fwd-grad, a.bwd", Map.entry((ddp, x) -> {
            Tensor a = ddp.call(x);
            ddp.call(x);
            a.sum().backward();
        }, 1.5));
        cases.put("a,b fwd-grad, (a+b).bwd", Map.entry((ddp, x) -> {
            Tensor a = ddp.call(x);
            Tensor b = ddp.call(x);
            a.sum().add(b.sum()).backward();
        }, 3.0));
        cases.put("fwd-nograd, fwd-grad+bwd", Map.entry((ddp, x) -> {
            try (var noGrad = Autograd.noGrad()) {
                ddp.call(x);
            }
            forwardBackward(ddp, x);
        }, 1.5));
        cases.put("fwd-eval(grad on), fwd+bwd", Map.entry((ddp, x) -> {
            ddp.eval();
            ddp.call(x);
            ddp.train();
            forwardBackward(ddp, x);
        }, 1.5));
        cases.put("eval fwd+bwd", Map.entry((ddp, x) -> {
            ddp.eval();
            forwardBackward(ddp, x);
            ddp.train();
        }, 1.5));
        cases.put("fwd synced, bwd in no_sync", Map.entry((ddp, x) -> {
            Tensor out = ddp.call(x);
            try (var noSync = ddp.noSync()) {
                out.sum().backward();
            }
        }, 1.5));
        cases.put("fwd in no_sync, bwd outside", Map.entry((ddp, x) -> {
            Tensor out;
            try (var noSync = ddp.noSync()) {
                out = ddp.call(x);
            }
            out.sum().backward();
        }, 2.0));
        cases.put("fwd synced (no bwd), then no_sync fwd+bwd", Map.entry((ddp, x) -> {
            ddp.call(x);
            try (var noSync = ddp.noSync()) {
                forwardBackward(ddp, x);
            }
        }, 1.5));
        cases.put("fwd, bwd, bwd again", Map.entry((ddp, x) -> {
            Tensor loss = ddp.call(x).sum();
            loss.backward();
            loss.backward();
        }, 3.5));
        cases.put("plain fwd+bwd afterwards", Map.entry(DistributedDataParallelSyncDecisionTest::forwardBackward,
                1.5));
        cases.put("eval fwd-nograd, then no_sync fwd+bwd", Map.entry((ddp, x) -> {
            ddp.eval();
            try (var noGrad = Autograd.noGrad()) {
                ddp.call(x);
            }
            ddp.train();
            try (var noSync = ddp.noSync()) {
                forwardBackward(ddp, x);
            }
        }, 2.0));
        cases.put("failed fwd, then no_sync fwd+bwd", Map.entry((ddp, x) -> {
            try {
                ddp.call(Tensor.ones(DType.F64, 1, 3));
            } catch (IllegalArgumentException wrongWidth) {
                // As the script's RuntimeError: the forward raised before it could arm the backward pass.
            }
            try (var noSync = ddp.noSync()) {
                forwardBackward(ddp, x);
            }
        }, 2.0));
        return cases;
    }

    @Test
    void theForwardDecidesWhetherTheNextBackwardPassAveragesAsInPyTorch() {
        Map<String, Map.Entry<Case, Double>> cases = cases();
        List<Map<String, Double>> ranks = LocalRanks.run(2, group -> {
            Module lin = new Linear(2, 1).to(DType.F64);
            Map<String, Double> seen = new LinkedHashMap<>();
            try (DistributedDataParallel ddp = new DistributedDataParallel(lin, group)) {
                Tensor weight = ((Linear) ddp.module()).weight();
                for (var c : cases.entrySet()) {
                    try (Scope scope = Scope.open()) {
                        ddp.parameters().forEach(Tensor::clearGrad);
                        Tensor x = Tensor.full(group.rank() + 1.0, DType.F64, 1, 2);
                        c.getValue().getKey().run(ddp, x);
                        seen.put(c.getKey(), weight.grad().toDoubleArray()[0]);
                    }
                }
            }
            return seen;
        });
        Map<String, Double> expected = new LinkedHashMap<>();
        cases.forEach((name, c) -> expected.put(name, c.getValue()));
        assertEquals(expected, ranks.get(1));
    }
}
