package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MSELoss;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link DistributedDataParallel}: two ranks with half a batch each take the same steps as one process on the whole
 * batch (mean loss), with SGD and Adam, in one bucket and in many, with gradient accumulation under
 * {@link DistributedDataParallel#noSync()}; rank 0's weights reach every rank.
 */
class DistributedDataParallelTest {
    private static final int BATCH = 32;
    private static final int STEPS = 5;

    /** A small MLP in {@code dtype}; rank 0 and the reference get fixed weights, other ranks random ones. */
    private static Module mlp(DType dtype, boolean fixedWeights) {
        Module m = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 3)).to(dtype);
        if (fixedWeights) {
            Random random = new Random(7);
            try (var noGrad = Autograd.noGrad()) {
                for (Tensor p : m.parameters()) {
                    double[] v = new double[(int) p.size()];
                    Arrays.setAll(v, i -> random.nextGaussian() * 0.5);
                    try (Tensor f64 = Tensor.fromArray(v, p.shape().dims()); Tensor typed = f64.to(dtype)) {
                        p.assign(typed);
                    }
                }
            }
        }
        return m;
    }

    private static Tensor rows(DType dtype, int seed, int width, int from, int count) {
        Random random = new Random(seed);
        double[] all = new double[BATCH * width];
        Arrays.setAll(all, i -> random.nextGaussian());
        double[] part = Arrays.copyOfRange(all, from * width, (from + count) * width);
        Tensor f64 = Tensor.fromArray(part, count, width);
        return dtype == DType.F64 ? f64 : f64.to(dtype);
    }

    /** {@code steps} steps on rows [from, from + count) of the fixed data; the loss is divided by {@code parts}. */
    private static void train(Module model, Optimizer optimizer, DType dtype, int from, int count) {
        for (int step = 0; step < STEPS; step++) {
            try (Scope scope = Scope.open()) {
                optimizer.zeroGrad();
                Tensor loss = new MSELoss().compute(model.call(rows(dtype, 1, 4, from, count)),
                        rows(dtype, 2, 3, from, count));
                loss.backward();
                optimizer.step();
            }
        }
    }

    private static List<double[]> weights(Module m) {
        List<double[]> out = new ArrayList<>();
        for (Tensor p : m.parameters()) {
            out.add(p.toDoubleArray());
        }
        return out;
    }

    private static void assertClose(List<double[]> expected, List<double[]> actual, double tolerance, String what) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), tolerance, what + ", parameter " + i);
        }
    }

    /** One process on the whole batch against two ranks on half each, every rank starting from its own weights. */
    private static void checkMatchesOneProcess(DType dtype, Function<Module, Optimizer> optimizer, double bucketCapMb,
                                               double tolerance) {
        Module single = mlp(dtype, true);
        train(single, optimizer.apply(single), dtype, 0, BATCH);
        List<double[]> expected = weights(single);
        List<List<double[]>> ranks = LocalRanks.run(2, group -> {
            Module local = mlp(dtype, group.rank() == 0);
            try (DistributedDataParallel ddp = new DistributedDataParallel(local, group, bucketCapMb, true)) {
                assertEquals(bucketCapMb < 1 ? 2 : 1, ddp.bucketCount());
                train(ddp, optimizer.apply(ddp), dtype, group.rank() * BATCH / 2, BATCH / 2);
                return weights(ddp);
            }
        });
        assertClose(expected, ranks.get(0), tolerance, dtype + " rank 0");
        assertClose(ranks.get(0), ranks.get(1), 0.0, dtype + " the same bits on both ranks");
    }

    @Test
    void twoRanksOfSixteenTakeOneProcessesStepsOnThirtyTwoWithSgd() {
        checkMatchesOneProcess(DType.F64, m -> new SGD(m.parameters(), 0.1), DistributedDataParallel.BUCKET_CAP_MB,
                1e-12);
    }

    @Test
    void twoRanksOfSixteenTakeOneProcessesStepsOnThirtyTwoWithAdam() {
        checkMatchesOneProcess(DType.F32, m -> new Adam(m.parameters(), 0.01), DistributedDataParallel.BUCKET_CAP_MB,
                1e-5);
    }

    @Test
    void manySmallBucketsGiveTheSameSteps() {
        checkMatchesOneProcess(DType.F64, m -> new SGD(m.parameters(), 0.1, 0.9, false, 0), 100e-6, 1e-12);
    }

    @Test
    void noSyncAccumulatesLocallyAndTheNextBackwardAveragesTheSum() {
        Module single = mlp(DType.F64, true);
        train(single, new SGD(single.parameters(), 0.1), DType.F64, 0, BATCH);
        List<double[]> expected = weights(single);
        List<List<double[]>> ranks = LocalRanks.run(2, group -> {
            Module local = mlp(DType.F64, group.rank() == 0);
            try (DistributedDataParallel ddp = new DistributedDataParallel(local, group)) {
                SGD sgd = new SGD(ddp.parameters(), 0.1);
                int first = group.rank() * BATCH / 2;
                for (int step = 0; step < STEPS; step++) {
                    try (Scope scope = Scope.open()) {
                        sgd.zeroGrad();
                        try (var guard = ddp.noSync()) {
                            halfLoss(ddp, first).backward();
                        }
                        double[] local0 = ddp.parameters().get(0).grad().toDoubleArray();
                        halfLoss(ddp, first + BATCH / 4).backward();
                        assertFalse(Arrays.equals(local0, ddp.parameters().get(0).grad().toDoubleArray()));
                        sgd.step();
                    }
                }
                return weights(ddp);
            }
        });
        assertClose(expected, ranks.get(0), 1e-12, "rank 0");
        assertClose(ranks.get(0), ranks.get(1), 0.0, "the same bits on both ranks");
    }

    /** Half the mean loss of a quarter of the batch: two of them sum to the mean over the rank's half. */
    private static Tensor halfLoss(Module model, int from) {
        return new MSELoss().compute(model.call(rows(DType.F64, 1, 4, from, BATCH / 4)),
                rows(DType.F64, 2, 3, from, BATCH / 4)).div(2);
    }

    @Test
    void rankZerosWeightsAndTheModulePrefixReachEveryRank() {
        List<Map<String, double[]>> states = LocalRanks.run(3, group -> {
            try (DistributedDataParallel ddp = new DistributedDataParallel(mlp(DType.F32, group.rank() == 0), group)) {
                Map<String, double[]> state = new java.util.TreeMap<>();
                ddp.stateDict().forEach((k, v) -> state.put(k, v.toDoubleArray()));
                return state;
            }
        });
        assertEquals(List.of("module.0.bias", "module.0.weight", "module.2.bias", "module.2.weight"),
                new ArrayList<>(states.get(0).keySet()));
        for (String key : states.get(0).keySet()) {
            assertArrayEquals(states.get(0).get(key), states.get(2).get(key), 0.0, key);
        }
        assertArrayEquals(mlp(DType.F32, true).parameters().get(0).toDoubleArray(),
                states.get(1).get("module.0.weight"), 0.0);
    }

    /** Rank 1's running mean after a step on its own rows and a forward on rows both ranks share, and rank 0's. */
    private static List<double[]> runningMeans(boolean broadcastBuffers) {
        return LocalRanks.run(2, group -> {
            Module net = new Sequential(new Linear(4, 3), new BatchNorm1d(3)).to(DType.F64);
            try (DistributedDataParallel ddp = new DistributedDataParallel(net, group, 25, broadcastBuffers);
                 Scope scope = Scope.open()) {
                ddp.call(rows(DType.F64, 1, 4, group.rank() * 8, 8)).sum().backward();
                ddp.call(rows(DType.F64, 1, 4, 16, 8));
                return ddp.stateDict().get("module.1.running_mean").toDoubleArray();
            }
        });
    }

    @Test
    void eachTrainingForwardStartsFromRankZerosBuffersUnlessTold() {
        List<double[]> shared = runningMeans(true);
        assertArrayEquals(shared.get(0), shared.get(1), 0.0);
        List<double[]> own = runningMeans(false);
        assertFalse(Arrays.equals(own.get(0), own.get(1)), "each rank keeps the statistics of its own rows");
    }

    @Test
    void aParameterWithoutGradientIsNamedAtTheNextForward() {
        List<Object> outcomes = LocalRanks.outcomes(2, (rank, init) -> {
            try (ProcessGroup group = Distributed.initProcessGroup(init, rank, 2, Duration.ofSeconds(20));
                 DistributedDataParallel ddp = new DistributedDataParallel(mlp(DType.F64, true), group, 100e-6,
                         true)) {
                Module first = ((Sequential) ddp.module()).get(0);
                try (Scope scope = Scope.open()) {
                    // The wrapper's forward arms the backward pass, which then reaches the first layer alone.
                    ddp.call(rows(DType.F64, 1, 4, 0, 2));
                    first.call(rows(DType.F64, 1, 4, 0, 2)).sum().backward();
                }
                try (Scope scope = Scope.open()) {
                    ddp.call(rows(DType.F64, 1, 4, 0, 2));
                }
                return "ran";
            }
        });
        for (Object o : outcomes) {
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, o);
            assertTrue(e.getMessage().contains("module.2.weight"), e.getMessage());
        }
    }

    /** Each parameter's gradient after a backward pass on this rank's rows of the fixed data. */
    private static List<Tensor> gradients(Module model, int rank) {
        new MSELoss().compute(model.call(rows(DType.F32, 1, 4, rank * BATCH / 2, BATCH / 2)),
                rows(DType.F32, 2, 3, rank * BATCH / 2, BATCH / 2)).backward();
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : model.parameters()) {
            grads.add(p.grad());
        }
        return grads;
    }

    @Test
    void overlappedBucketsGiveTheBitsOfAveragingEachGradientAfterTheBackwardPass() {
        List<List<double[]>> ranks = LocalRanks.run(2, group -> {
            try (Scope scope = Scope.open()) {
                Module plain = mlp(DType.F32, true);
                List<double[]> byHand = new ArrayList<>();
                for (Tensor g : gradients(plain, group.rank())) {
                    group.allReduce(g, ReduceOp.AVG);
                    byHand.add(g.toDoubleArray());
                }
                try (DistributedDataParallel ddp = new DistributedDataParallel(mlp(DType.F32, true), group, 20e-6,
                        true)) {
                    assertEquals(3, ddp.bucketCount());
                    List<Tensor> overlapped = gradients(ddp, group.rank());
                    for (int i = 0; i < byHand.size(); i++) {
                        assertArrayEquals(byHand.get(i), overlapped.get(i).toDoubleArray(), 0.0, "parameter " + i);
                    }
                    return byHand;
                }
            }
        });
        assertClose(ranks.get(0), ranks.get(1), 0.0, "the same bits on both ranks");
    }

    @Test
    void aPeerLostBeforeTheBackwardPassFailsItWithThePeersNameInsteadOfHanging() {
        List<Object> outcomes = LocalRanks.outcomes(2, (rank, init) -> {
            ProcessGroup group = Distributed.initProcessGroup(init, rank, 2, Duration.ofSeconds(20));
            try (DistributedDataParallel ddp = new DistributedDataParallel(mlp(DType.F32, true), group, 50e-6,
                    true)) {
                if (rank == 1) {
                    group.close();
                    return "left";
                }
                try (Scope scope = Scope.open()) {
                    gradients(ddp, rank);
                }
                return "averaged";
            } finally {
                group.close();
            }
        });
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcomes.get(0));
        assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
    }

    @Test
    void theFirstBucketClosesAtOneMebibyteSoThatItsAllReduceStartsEarly() {
        try (ProcessGroup alone = Distributed.initProcessGroup("tcp://127.0.0.1:1", 0, 1, LocalRanks.shortTimeout());
             DistributedDataParallel ddp = new DistributedDataParallel(
                     new Sequential(new Linear(512, 512), new Linear(512, 512)), alone)) {
            assertEquals(2, ddp.bucketCount(), "the last layer's 1,050,624 bytes, then the first layer's");
        }
    }

    /** A linear layer and a buffer its forward only reads, recording the buffer's value at each forward. */
    static final class Recording extends Module {
        final List<Double> seen = new ArrayList<>();

        Recording() {
            this(false);
        }

        /** With {@code unused}, also a linear layer that the forward never calls, so it never gets a gradient. */
        Recording(boolean unused) {
            registerModule("lin", new Linear(2, 1));
            if (unused) {
                registerModule("unused", new Linear(2, 1));
            }
            registerBuffer("buf", Tensor.zeros(DType.F32, 1));
        }

        void setBuffer(double value) {
            try (var noGrad = Autograd.noGrad(); Tensor v = Tensor.fromArray(new float[] {(float) value}, 1)) {
                buffer("buf").assign(v);
            }
        }

        @Override
        public Tensor forward(Tensor x) {
            seen.add(buffer("buf").item());
            return module("lin").call(x);
        }
    }

    /**
     * PyTorch 1.13's rule for {@code broadcast_buffers} (models/src/test/pytorch/ddp_buffers_and_unused.py): a forward
     * sends rank 0's buffers when the forward before it ran with gradients on and outside {@code no_sync()} (and the
     * first one does), in training and evaluation mode alike; so under {@code no_sync()} only the first forward does.
     */
    @Test
    void buffersAreBroadcastWhenTheForwardBeforeWasSynchronisedAsPyTorchDoes() {
        assertEquals(List.of("broadcast", "broadcast", "own", "own", "broadcast", "broadcast", "own", "own",
                "broadcast", "broadcast"), recordedSteps(false));
    }

    /**
     * PyTorch 1.13 (ddp_buffers_and_unused.py, unused=True): once a synchronised backward pass left a parameter
     * without a gradient, every later forward with gradients on fails, inside {@code no_sync()} too, before the
     * module runs or buffers are sent; forwards without gradients still run and broadcast as before.
     */
    @Test
    void theUnusedParameterErrorRepeatsAtEveryLaterForwardWithGradientsOnAsPyTorchDoes() {
        assertEquals(List.of("broadcast", "error", "error", "error", "error", "broadcast", "own", "error", "error",
                "error"), recordedSteps(true));
    }

    /**
     * Runs ddp_buffers_and_unused.py's steps on two ranks and gives rank 1's outcome of each: "broadcast" when its
     * module saw rank 0's buffer, "own" when it saw its own, "error" when the forward threw (naming "unused.weight")
     * without running the module.
     */
    private static List<String> recordedSteps(boolean unused) {
        // Each step: inside noSync, gradients on, training mode.
        boolean[][] steps = {
            {false, true, true}, {true, true, true}, {true, true, true}, {false, true, true}, {false, true, true},
            {false, false, false}, {false, false, false}, {false, true, true}, {false, true, false},
            {false, true, true}};
        return LocalRanks.run(2, group -> {
            Recording m = new Recording(unused);
            List<String> outcomes = new ArrayList<>();
            try (DistributedDataParallel ddp = new DistributedDataParallel(m, group)) {
                for (boolean[] step : steps) {
                    m.setBuffer(100 + group.rank());
                    ddp.train(step[2]);
                    int forwards = m.seen.size();
                    try (Scope scope = Scope.open()) {
                        runStep(ddp, step[0], step[1]);
                        outcomes.add(m.seen.get(m.seen.size() - 1) == 100 ? "broadcast" : "own");
                    } catch (IllegalStateException e) {
                        assertTrue(e.getMessage().contains("unused.weight"), e.getMessage());
                        assertEquals(forwards, m.seen.size(), "the module ran before the error");
                        outcomes.add("error");
                    }
                }
            }
            return outcomes;
        }).get(1);
    }

    private static void runStep(DistributedDataParallel ddp, boolean noSync, boolean gradients) {
        if (noSync) {
            try (var guard = ddp.noSync()) {
                ddp.call(Tensor.ones(1, 2)).sum().backward();
            }
        } else if (gradients) {
            ddp.call(Tensor.ones(1, 2)).sum().backward();
        } else {
            try (var noGrad = Autograd.noGrad()) {
                ddp.call(Tensor.ones(1, 2));
            }
        }
    }

    /**
     * PyTorch 1.13 checks that the last synchronised backward pass reduced every gradient at each forward with
     * gradients on, not at one without (ddp_buffers_and_unused.py).
     */
    @Test
    void aParameterWithoutGradientIsNamedAtTheNextForwardWithGradientsOn() {
        List<Object> outcomes = LocalRanks.outcomes(2, (rank, init) -> {
            try (ProcessGroup group = Distributed.initProcessGroup(init, rank, 2, Duration.ofSeconds(20));
                 DistributedDataParallel ddp = new DistributedDataParallel(new Sequential(new Linear(4, 3),
                         new Linear(3, 3)), group, 25, false);
                 Scope scope = Scope.open()) {
                Module first = ((Sequential) ddp.module()).get(0);
                ddp.call(rows(DType.F32, 1, 4, 0, 2));
                first.call(rows(DType.F32, 1, 4, 0, 2)).sum().backward();
                try (var noGrad = Autograd.noGrad()) {
                    ddp.call(rows(DType.F32, 1, 4, 0, 2));
                }
                try {
                    ddp.call(rows(DType.F32, 1, 4, 0, 2));
                    return "no error";
                } catch (IllegalStateException e) {
                    return "noGrad ran; " + e.getMessage();
                }
            }
        });
        for (Object o : outcomes) {
            assertTrue(o instanceof String s && s.startsWith("noGrad ran; ") && s.contains("module.1.weight"),
                    String.valueOf(o));
        }
    }

    @Test
    void aTableWithSparseGradientsIsRefusedAtForward() {
        List<String> messages = LocalRanks.run(1, group -> {
            Embedding table = new Embedding(5, 2).sparse(true);
            try (DistributedDataParallel ddp = new DistributedDataParallel(table, group)) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> ddp.forward(Tensor.fromArray(new long[] {1}, 1)));
                return e.getMessage();
            }
        });
        assertTrue(messages.get(0).contains("Embedding(5, 2, sparse=True) has sparse gradients"), messages.get(0));
    }
}
