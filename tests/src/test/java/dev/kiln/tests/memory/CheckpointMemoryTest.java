package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.CpuBackendProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What checkpointing saves: a deep residual MLP (16 blocks of Linear 64-256, GELU, Linear 256-64 and the shortcut, at
 * batch 1024) keeps four activations of each block for the backward pass without it, the block's input alone with it.
 * Each step runs on a backend of its own, whose peak tensor memory is that step's alone.
 */
class CheckpointMemoryTest {
    private static final int BLOCKS = 16;
    private static final int WIDTH = 64;
    private static final int HIDDEN = 256;
    private static final int BATCH = 1024;

    @Test
    void checkpointingEveryBlockHoldsLessThanHalfThePeakOfTheStepWithout() {
        long plain = stepPeakBytes(false);
        long checkpointed = stepPeakBytes(true);
        System.out.printf("peak tensor memory of a step beyond weights and input: %.1f MiB without checkpoints,"
                + " %.1f MiB with one per block%n", plain / 1048576.0, checkpointed / 1048576.0);
        assertTrue(checkpointed < plain / 2, "checkpointed step's peak " + checkpointed + " bytes, plain " + plain);
    }

    /** The most bytes in use at once during one forward and backward pass, beyond the weights and the input. */
    private static long stepPeakBytes(boolean checkpoint) {
        Engine.seed(3);
        try (Backend backend = new CpuBackendProvider().create(); Scope model = Scope.open()) {
            List<Tensor> weights = new ArrayList<>();
            for (int b = 0; b < BLOCKS; b++) {
                weights.add(weight(backend, HIDDEN, WIDTH));
                weights.add(weight(backend, HIDDEN));
                weights.add(weight(backend, WIDTH, HIDDEN));
                weights.add(weight(backend, WIDTH));
            }
            Tensor x = Tensor.randn(DType.F32, BATCH, WIDTH).to(backend);
            long before = backend.bytesInUse();
            try (Scope step = Scope.open()) {
                Tensor h = x;
                for (int b = 0; b < BLOCKS; b++) {
                    UnaryOperator<Tensor> block = block(weights.subList(4 * b, 4 * b + 4));
                    h = checkpoint ? Checkpoint.apply(block, h) : block.apply(h);
                }
                h.square().mean().backward();
            }
            return backend.peakBytesInUse() - before;
        }
    }

    /** {@code linear(gelu(linear(h, w1, b1)), w2, b2) + h}. */
    private static UnaryOperator<Tensor> block(List<Tensor> w) {
        return h -> F.linear(F.linear(h, w.get(0), w.get(1)).gelu(), w.get(2), w.get(3)).add(h);
    }

    private static Tensor weight(Backend backend, int... dims) {
        return Tensor.randn(DType.F32, dims).mul(0.05).to(backend).requiresGrad(true);
    }
}
