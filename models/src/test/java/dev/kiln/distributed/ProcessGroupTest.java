package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link ProcessGroup}'s collectives over localhost, several ranks as threads: results against values computed
 * directly, the same bits on every rank, and the errors of a bad world.
 */
class ProcessGroupTest {
    private static final int[] SIZES = {0, 1, 2, 7, 10};

    /** Rank {@code rank}'s values for a test: integers small enough that sums and products stay exact. */
    private static double[] values(int rank, int n, ReduceOp op) {
        Random random = new Random(31L * rank + n);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = op == ReduceOp.PRODUCT ? random.nextInt(5) - 2 : random.nextInt(2001) - 1000 + random.nextDouble();
        }
        return v;
    }

    private static Tensor tensor(double[] v, DType dtype) {
        if (dtype == DType.F64) {
            return Tensor.fromArray(v, v.length);
        }
        try (Tensor f64 = Tensor.fromArray(v, v.length)) {
            return f64.to(dtype);
        }
    }

    /** What {@code op} gives over every rank's values, element by element, in F64 (then cast to dtype). */
    private static double[] expected(int worldSize, int n, ReduceOp op, DType dtype) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double acc = 0;
            for (int r = 0; r < worldSize; r++) {
                double x;
                try (Tensor t = tensor(values(r, n, op), dtype)) {
                    x = t.toDoubleArray()[i];
                }
                acc = r == 0 ? x : switch (op) {
                    case SUM, AVG -> acc + x;
                    case PRODUCT -> acc * x;
                    case MAX -> Math.max(acc, x);
                    case MIN -> Math.min(acc, x);
                };
            }
            out[i] = op == ReduceOp.AVG ? acc / worldSize : acc;
        }
        return out;
    }

    private static void checkAllReduce(int worldSize, DType dtype, ReduceOp op) {
        for (int n : SIZES) {
            List<double[]> results = LocalRanks.run(worldSize, group -> {
                try (Tensor t = tensor(values(group.rank(), n, op), dtype)) {
                    group.allReduce(t, op);
                    assertEquals(dtype, t.dtype());
                    return t.toDoubleArray();
                }
            });
            double tolerance = dtype == DType.F32 ? 1e-3 : 1e-9;
            double[] want = expected(worldSize, n, op, dtype);
            for (int r = 0; r < worldSize; r++) {
                assertArrayEquals(want, results.get(r), tolerance, op + " " + dtype + " n=" + n + " rank " + r);
                assertArrayEquals(results.get(0), results.get(r), 0.0, "the same bits on every rank, n=" + n);
            }
        }
    }

    @Test
    void allReduceSumsEveryDtypeAndSize() {
        for (DType dtype : DType.values()) {
            checkAllReduce(3, dtype, ReduceOp.SUM);
        }
        checkAllReduce(2, DType.F64, ReduceOp.SUM);
        checkAllReduce(1, DType.F32, ReduceOp.SUM);
    }

    @Test
    void allReduceTakesEveryOp() {
        for (ReduceOp op : ReduceOp.values()) {
            checkAllReduce(3, DType.F64, op);
            checkAllReduce(3, DType.F32, op);
            if (op != ReduceOp.AVG) {
                checkAllReduce(4, DType.I64, op);
            }
        }
    }

    @Test
    void averageOfIntegersIsRefusedOnEveryRank() {
        List<Object> outcomes = LocalRanks.outcomes(2, (rank, init) -> {
            try (ProcessGroup g = Distributed.initProcessGroup(init, rank, 2, Duration.ofSeconds(20));
                 Tensor t = Tensor.fromArray(new long[] {1, 2}, 2)) {
                g.allReduce(t, ReduceOp.AVG);
                return "reduced";
            }
        });
        for (Object o : outcomes) {
            assertInstanceOf(IllegalArgumentException.class, o);
            assertTrue(((Exception) o).getMessage().contains("AVG"), ((Exception) o).getMessage());
        }
    }

    @Test
    void broadcastCopiesTheSourceRanksValues() {
        List<double[]> results = LocalRanks.run(3, group -> {
            try (Tensor t = tensor(values(group.rank(), 5, ReduceOp.SUM), DType.F32)) {
                group.broadcast(t, 1);
                return t.toDoubleArray();
            }
        });
        double[] source;
        try (Tensor t = tensor(values(1, 5, ReduceOp.SUM), DType.F32)) {
            source = t.toDoubleArray();
        }
        for (double[] r : results) {
            assertArrayEquals(source, r, 0.0);
        }
    }

    @Test
    void allGatherCollectsEveryRanksTensorInRankOrder() {
        List<List<long[]>> results = LocalRanks.run(3, group -> {
            List<Tensor> out = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                out.add(Tensor.fromArray(new long[2], 2));
            }
            try (Tensor t = Tensor.fromArray(new long[] {group.rank(), 10L * group.rank()}, 2)) {
                group.allGather(out, t);
            }
            List<long[]> gathered = new ArrayList<>();
            for (Tensor o : out) {
                gathered.add(o.toLongArray());
                o.close();
            }
            return gathered;
        });
        for (List<long[]> gathered : results) {
            for (int r = 0; r < 3; r++) {
                assertArrayEquals(new long[] {r, 10L * r}, gathered.get(r));
            }
        }
    }

    @Test
    void barrierWaitsForEveryRank() {
        AtomicInteger arrived = new AtomicInteger();
        List<Integer> seen = LocalRanks.run(3, group -> {
            Thread.sleep(100L * group.rank());
            arrived.incrementAndGet();
            group.barrier();
            return arrived.get();
        });
        assertEquals(List.of(3, 3, 3), seen);
    }

    @Test
    void differentShapesFailOnEveryRankNamingBoth() {
        List<Object> outcomes = LocalRanks.outcomes(3, (rank, init) -> {
            try (ProcessGroup g = Distributed.initProcessGroup(init, rank, 3, Duration.ofSeconds(20))) {
                try (Tensor t = Tensor.fromArray(new float[rank == 2 ? 6 : 4], rank == 2 ? 6 : 4)) {
                    assertThrows(IllegalArgumentException.class, () -> g.allReduce(t, ReduceOp.SUM));
                }
                try (Tensor t = Tensor.fromArray(new float[] {rank}, 1)) {
                    g.allReduce(t, ReduceOp.SUM);
                    return ((IllegalArgumentException) assertThrows(IllegalArgumentException.class, () -> {
                        try (Tensor u = Tensor.fromArray(new double[2], rank == 0 ? 2 : 1, rank == 0 ? 1 : 2)) {
                            g.broadcast(u, 0);
                        }
                    })).getMessage() + " | then " + t.item();
                }
            }
        });
        for (Object o : outcomes) {
            String message = (String) o;
            assertTrue(message.contains("[2, 1]") && message.contains("[1, 2]"), message);
            assertTrue(message.endsWith("then 3.0"), "the group stays usable after the refusal: " + message);
        }
    }

    @Test
    void aRankThatNeverJoinsTimesOutNamingTheWorld() {
        List<Object> outcomes = LocalRanks.outcomes(3, (rank, init) -> {
            if (rank == 2) {
                return "absent";
            }
            return Distributed.initProcessGroup(init, rank, 3, LocalRanks.shortTimeout());
        });
        for (int r = 0; r < 2; r++) {
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcomes.get(r));
            assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
            assertTrue(e.getMessage().contains("[0, 1]") && e.getMessage().contains("world size 3"), e.getMessage());
        }
    }

    @Test
    void aRankOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Distributed.initProcessGroup("tcp://127.0.0.1:1", 3, 3, LocalRanks.shortTimeout()));
        assertTrue(e.getMessage().contains("rank 3") && e.getMessage().contains("[0, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Distributed.initProcessGroup("udp://127.0.0.1:1", 0, 1, LocalRanks.shortTimeout()));
    }

    @Test
    void aPeerThatDiesMidCollectiveGivesAnExceptionNotAHang() {
        List<Object> outcomes = LocalRanks.outcomes(3, (rank, init) -> {
            ProcessGroup g = Distributed.initProcessGroup(init, rank, 3, Duration.ofSeconds(20));
            if (rank == 1) {
                g.close();
                return "died";
            }
            try (g; Tensor t = Tensor.fromArray(new float[100_000], 100_000)) {
                g.allReduce(t, ReduceOp.SUM);
                return "reduced";
            }
        });
        assertInstanceOf(IllegalStateException.class, outcomes.get(0));
        assertInstanceOf(IllegalStateException.class, outcomes.get(2));
    }

    @Test
    void aPeerClosedWhileItsCollectiveRunsBreaksItOnEveryRank() {
        int n = 4_000_000;
        List<Object> outcomes = LocalRanks.outcomes(3, (rank, init) -> {
            try (ProcessGroup g = Distributed.initProcessGroup(init, rank, 3, Duration.ofSeconds(20));
                 Tensor t = Tensor.fromArray(new float[n], n)) {
                if (rank == 1) {
                    Thread killer = new Thread(() -> {
                        try {
                            Thread.sleep(30);
                        } catch (InterruptedException ignored) {
                            Thread.currentThread().interrupt();
                        }
                        g.close();
                    });
                    killer.start();
                }
                g.allReduce(t, ReduceOp.SUM);
                return "reduced";
            }
        });
        for (int r = 0; r < 3; r++) {
            assertInstanceOf(IllegalStateException.class, outcomes.get(r), "rank " + r + ": " + outcomes.get(r));
        }
    }

    @Test
    void aPeerThatStopsAnsweringTimesOut() {
        List<Object> outcomes = LocalRanks.outcomes(3, (rank, init) -> {
            try (ProcessGroup g = Distributed.initProcessGroup(init, rank, 3, LocalRanks.shortTimeout())) {
                if (rank == 1) {
                    Thread.sleep(3 * LocalRanks.shortTimeout().toMillis());
                    return "asleep";
                }
                try (Tensor t = Tensor.fromArray(new float[10], 10)) {
                    g.allReduce(t, ReduceOp.SUM);
                    return "reduced";
                }
            }
        });
        for (int r : new int[] {0, 2}) {
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcomes.get(r));
            assertTrue(e.getMessage().contains("rank " + r), e.getMessage());
        }
    }

    @Test
    void theEnvironmentFormReadsTorchrunsVariables() {
        int port = LocalRanks.freePort();
        List<Object> outcomes = LocalRanks.outcomes(2, (rank, ignored) -> {
            Map<String, String> env = Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", String.valueOf(port),
                    "RANK", String.valueOf(rank), "WORLD_SIZE", "2");
            try (ProcessGroup g = Distributed.initProcessGroup(env, Duration.ofSeconds(20));
                 Tensor t = Tensor.fromArray(new double[] {rank + 1}, 1)) {
                g.allReduce(t, ReduceOp.SUM);
                return g.rank() + "/" + g.worldSize() + "=" + t.item();
            }
        });
        assertEquals(List.of("0/2=3.0", "1/2=3.0"), outcomes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Distributed.initProcessGroup(Map.of("MASTER_ADDR", "127.0.0.1"), LocalRanks.shortTimeout()));
        assertTrue(e.getMessage().contains("MASTER_PORT"), e.getMessage());
    }

    @Test
    void asyncAllReducesRunInLaunchOrderWhateverOrderTheyAreAwaitedIn() {
        int[] sizes = {3, 100_000, 1, 4_000};
        List<List<double[]>> results = LocalRanks.run(2, group -> {
            List<Tensor> tensors = new ArrayList<>();
            List<Work> works = new ArrayList<>();
            for (int n : sizes) {
                Tensor t = tensor(values(group.rank(), n, ReduceOp.SUM), DType.F64);
                tensors.add(t);
                works.add(group.allReduceAsync(t, ReduceOp.SUM));
            }
            for (int i = works.size() - 1; i >= 0; i--) {
                works.get(i).await();
                works.get(i).await();
                assertTrue(works.get(i).isCompleted());
            }
            List<double[]> out = new ArrayList<>();
            for (Tensor t : tensors) {
                out.add(t.toDoubleArray());
                t.close();
            }
            return out;
        });
        for (List<double[]> rank : results) {
            for (int i = 0; i < sizes.length; i++) {
                double[] zero = values(0, sizes[i], ReduceOp.SUM);
                double[] one = values(1, sizes[i], ReduceOp.SUM);
                double[] sum = new double[sizes[i]];
                Arrays.setAll(sum, k -> zero[k] + one[k]);
                assertArrayEquals(sum, rank.get(i), 0.0, "size " + sizes[i]);
            }
        }
    }

    @Test
    void aPeerThatDiesDuringAnAsyncAllReduceFailsItsAwaitWithThePeersName() {
        List<Object> outcomes = LocalRanks.outcomes(2, (rank, init) -> {
            ProcessGroup g = Distributed.initProcessGroup(init, rank, 2, Duration.ofSeconds(20));
            if (rank == 1) {
                g.close();
                return "died";
            }
            try (g; Tensor t = Tensor.fromArray(new float[100_000], 100_000)) {
                Work work = g.allReduceAsync(t, ReduceOp.SUM);
                work.await();
                return "reduced";
            }
        });
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcomes.get(0));
        assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause(), "the communication thread's own failure");
    }

    @Test
    void aWrongAllGatherOutputOnOneRankFailsEveryRankAtOnceAndTheGroupGoesOn() {
        List<Object> outcomes = LocalRanks.outcomes(2, (rank, init) -> {
            try (ProcessGroup g = Distributed.initProcessGroup(init, rank, 2, Duration.ofSeconds(20));
                 Tensor t = Tensor.fromArray(new float[] {rank, rank}, 2)) {
                List<Tensor> out = new ArrayList<>();
                for (int r = 0; r < (rank == 1 ? 1 : 2); r++) {
                    out.add(Tensor.fromArray(new float[2], 2));
                }
                long start = System.nanoTime();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.allGather(out, t));
                assertTrue(System.nanoTime() - start < 5_000_000_000L, "at once, not after the timeout");
                g.allReduce(t, ReduceOp.SUM);
                return e.getMessage() + " | then " + t.toFloatArray()[0];
            }
        });
        String zero = (String) outcomes.get(0);
        String one = (String) outcomes.get(1);
        assertTrue(zero.contains("rank 1's out") && zero.contains("F32 [2]"), zero);
        assertTrue(one.contains("rank 1's out holds 1 tensors; expected one per rank, 2"), one);
        assertTrue(zero.endsWith("then 1.0") && one.endsWith("then 1.0"), zero + " / " + one);
    }
}
