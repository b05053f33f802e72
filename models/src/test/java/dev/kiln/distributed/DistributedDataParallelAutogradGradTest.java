package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DistributedDataParallel} and {@link Autograd#grad} over its parameters, as PyTorch's DDP and
 * {@code torch.autograd.grad}: the gradients returned are each rank's own (DDP's reducer runs where gradients are
 * accumulated into {@code .grad}, which {@code autograd.grad} does not do), {@code grad()} is left as it was, and the
 * next training step averages as usual.
 */
class DistributedDataParallelAutogradGradTest {
    @Test
    void autogradGradOverTheParametersGivesEachRanksOwnGradientsAndLeavesGradAlone() {
        List<String> results = LocalRanks.join(2, (rank, init) -> {
            try (ProcessGroup group = Distributed.initProcessGroup(init, rank, 2, Duration.ofSeconds(20));
                 DistributedDataParallel ddp = new DistributedDataParallel(new Linear(2, 2), group);
                 Scope scope = Scope.open()) {
                Tensor x = Tensor.fromArray(new float[] {1, rank + 2}, 1, 2);
                List<Tensor> grads = Autograd.grad(ddp.call(x).sum(), ddp.parameters());
                // d sum(x W^T + b) / dW = each output's row x; / db = 1.
                assertArrayEquals(new float[] {1, rank + 2, 1, rank + 2}, grads.get(0).toFloatArray(),
                        "rank " + rank + "'s own weight gradient");
                assertArrayEquals(new float[] {1, 1}, grads.get(1).toFloatArray(), "rank " + rank + "'s bias gradient");
                for (Tensor p : ddp.parameters()) {
                    assertNull(p.grad(), "grad() of rank " + rank + " untouched by Autograd.grad");
                }
                ddp.call(x).sum().backward();
                assertArrayEquals(new float[] {1, 2.5f, 1, 2.5f}, ddp.parameters().get(0).grad().toFloatArray(),
                        "the next backward pass averages the ranks' gradients");
                return "ok";
            }
        });
        assertArrayEquals(new String[] {"ok", "ok"}, results.toArray());
    }
}
