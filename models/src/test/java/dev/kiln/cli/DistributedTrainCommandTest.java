package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.engine.Scope;
import dev.kiln.train.Trainer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln train --world-size W --rank R --master HOST:PORT}: two ranks (threads here) train one model, rank 0
 * alone writes the run and prints; the options it refuses beside them; the command lines {@code --nproc} starts.
 */
class DistributedTrainCommandTest {
    @TempDir
    Path tmp;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void twoRanksTrainOneModelAndRankZeroAloneWritesTheRun() throws Exception {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 200, 50);
        String master = "127.0.0.1:" + freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Result>> ranks = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            String rank = Integer.toString(r);
            ranks.add(pool.submit(() -> kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "2",
                    "--batch", "25", "--optimizer", "sgd", "--lr", "0.05", "--world-size", "2", "--rank", rank,
                    "--master", master, "--out", tmp.resolve("run" + rank).toString())));
        }
        Result zero = ranks.get(0).get(120, TimeUnit.SECONDS);
        Result one = ranks.get(1).get(120, TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(0, zero.code(), zero.toString());
        assertEquals(0, one.code(), one.toString());
        JsonObject summary = zero.lastLineJson();
        assertEquals(2, summary.get("world_size").getAsInt());
        assertEquals(2, summary.get("epochs").getAsInt());
        assertTrue(zero.out().contains("100 training images a rank"), zero.out());
        assertTrue(Files.exists(tmp.resolve("run0").resolve(Trainer.CHECKPOINT)));
        assertEquals("", one.out(), "rank 1 prints nothing");
        assertFalse(Files.exists(tmp.resolve("run1")), "rank 1 writes nothing");
        Result evaluated = kiln("eval", "--checkpoint", tmp.resolve("run0").resolve(Trainer.CHECKPOINT).toString(),
                "--data-dir", data.toString());
        assertEquals(0, evaluated.code(), "the checkpoint keeps the model's own keys: " + evaluated);
    }

    @Test
    void optionsThatNeedOneProcessOrAllThreeAreRefused() {
        Result partial = kiln("train", "mlp", "--world-size", "2", "--rank", "0");
        assertEquals(2, partial.code(), partial.toString());
        assertTrue(partial.err().contains("--master"), partial.err());
        Result balance = kiln("train", "mlp", "--world-size", "2", "--rank", "0", "--master", "127.0.0.1:1",
                "--balance-classes");
        assertEquals(2, balance.code(), balance.toString());
        assertTrue(balance.err().contains("--balance-classes"), balance.err());
        Result both = kiln("train", "mlp", "--nproc", "2", "--world-size", "2", "--rank", "0", "--master",
                "127.0.0.1:1");
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("--nproc"), both.err());
    }

    @Test
    void nprocStartsOneJvmPerRankWithItsShareOfTheCores() {
        List<String> command = DistributedLauncher.childCommand("/usr/bin/java",
                List.of("-Xmn64m", "-Dkiln.threads=8"), "a.jar:b", List.of("mlp", "--nproc", "2", "--epochs", "1"),
                2, 1, "127.0.0.1:4000", 4);
        assertEquals(List.of("/usr/bin/java", "-Xmn64m", "-Dkiln.threads=2", "-Dkiln.nproc=2", "-cp", "a.jar:b", "dev.kiln.cli.Kiln",
                "train", "mlp", "--epochs", "1", "--world-size", "2", "--rank", "1", "--master", "127.0.0.1:4000"),
                command);
        assertTrue(DistributedLauncher.childCommand("java", List.of(), "c", List.of("mlp", "--nproc=3"), 3, 0,
                "h:1", 2).contains("-Dkiln.threads=1"), "at least one thread a rank");
    }

    @Test
    void nprocGivesItsRanksTheFolderItClaimedWhereTheCommandNamesNone() {
        Path claimed = Path.of("runs", "mlp-mnist-2");
        assertEquals(List.of("mlp", "--epochs", "1", "--out", claimed.toString()),
                DistributedLauncher.inFolder(List.of("mlp", "--epochs", "1"), claimed));
        for (List<String> named : List.of(List.of("mlp", "--out", "r"), List.of("mlp", "--out=r"),
                List.of("mlp", "--resume", "r/checkpoint.safetensors"), List.of("mlp", "--resume=r/c.safetensors"))) {
            assertEquals(named, DistributedLauncher.inFolder(named, Path.of("r")));
        }
    }

    /**
     * A recorded CUDA graph step must not read a value back, and the gradient hooks of DistributedDataParallel read
     * every bucket to the host to all-reduce it: the two are refused together before any rank joins.
     */
    @Test
    void cudaGraphsAreRefusedInARunOfSeveralRanks() {
        Result graphs = kiln("train", "mlp", "--world-size", "2", "--rank", "1", "--master", "127.0.0.1:1",
                "--cuda-graphs", "on");
        assertEquals(2, graphs.code(), graphs.toString());
        assertTrue(graphs.err().contains("--cuda-graphs"), graphs.err());
    }

    /** Runs {@code kiln train mlp} on fake MNIST as ranks 0 and 1 of two (threads here): their results. */
    private List<Result> twoRanks(Path data, String... options) throws Exception {
        String master = "127.0.0.1:" + freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Result>> ranks = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                List<String> args = new ArrayList<>(List.of("train", "mlp", "--data-dir", data.toString(),
                        "--batch", "25", "--optimizer", "sgd", "--lr", "0.05", "--world-size", "2", "--rank",
                        Integer.toString(r), "--master", master));
                args.addAll(List.of(options));
                ranks.add(pool.submit(() -> kiln(args.toArray(String[]::new))));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> rank : ranks) {
                Result result = rank.get(120, TimeUnit.SECONDS);
                assertEquals(0, result.code(), result.toString());
                results.add(result);
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, double[]> weights(Path checkpoint) throws Exception {
        Map<String, double[]> out = new TreeMap<>();
        try (Scope scope = Scope.open()) {
            Trainer.readModelState(checkpoint).forEach((k, v) -> out.put(k, v.toDoubleArray()));
        }
        return out;
    }

    /** {@code kiln train mlp} on fake MNIST with {@code --nproc 2}: two JVMs, which draw their first weights alone. */
    private static Result twoProcesses(Path data, String... options) {
        assumeKilnOnTheJvmClassPath();
        List<String> args = new ArrayList<>(List.of("train", "mlp", "--data-dir", data.toString(), "--batch", "25",
                "--optimizer", "sgd", "--lr", "0.05", "--nproc", "2"));
        args.addAll(List.of(options));
        Result result = kiln(args.toArray(String[]::new));
        assertEquals(0, result.code(), result.toString());
        return result;
    }

    /**
     * {@code --nproc} starts each rank's JVM on this JVM's class path, which must then hold Kiln: it does under Maven,
     * not in the GPU bundle, whose JUnit launcher loads Kiln from a class path of its own.
     */
    private static void assumeKilnOnTheJvmClassPath() {
        boolean found;
        try {
            Class.forName(Kiln.class.getName(), false, ClassLoader.getSystemClassLoader());
            found = true;
        } catch (ClassNotFoundException e) {
            found = false;
        }
        Assumptions.assumeTrue(found, "kiln is not on the JVM's class path (" + System.getProperty("java.class.path")
                + "), which the ranks --nproc starts would run on");
    }

    @Test
    void everyRankResumesFromRankZerosCheckpointAndContinuesTheRunExactly() throws Exception {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 200, 50);
        twoProcesses(data, "--epochs", "2", "--out", tmp.resolve("straight").toString());
        twoProcesses(data, "--epochs", "1", "--out", tmp.resolve("first").toString());
        Result resumed = twoProcesses(data, "--epochs", "2", "--out", tmp.resolve("resumed").toString(), "--resume",
                tmp.resolve("first").resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, resumed.lastLineJson().get("epochs").getAsInt());
        Map<String, double[]> straight = weights(tmp.resolve("straight").resolve(Trainer.CHECKPOINT));
        Map<String, double[]> continued = weights(tmp.resolve("resumed").resolve(Trainer.CHECKPOINT));
        assertEquals(straight.keySet(), continued.keySet());
        for (String key : straight.keySet()) {
            assertArrayEquals(straight.get(key), continued.get(key), 0.0, key);
        }
        Result otherWorld = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "25", "--optimizer", "sgd",
                "--lr", "0.05", "--epochs", "2", "--out", tmp.resolve("alone").toString(), "--resume",
                tmp.resolve("first").resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, otherWorld.code(), otherWorld.toString());
        assertTrue(otherWorld.err().contains("world_size '2', this run asks for '1'"), otherWorld.err());
    }

    @Test
    void earlyStoppingOnRankZerosValidationLossStopsEveryRankAtTheSameEpoch() throws Exception {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 200, 50);
        List<Result> ranks = twoRanks(data, "--epochs", "30", "--validation-split", "0.2", "--patience", "1",
                "--out", tmp.resolve("run").toString());
        JsonObject summary = ranks.get(0).lastLineJson();
        assertTrue(summary.get("epochs").getAsInt() < 30, summary.toString());
        assertEquals("best", summary.get("evaluated_weights").getAsString());
        assertEquals(summary.get("epochs").getAsInt() - 1, summary.get("best_epoch").getAsInt());
        assertTrue(Files.exists(tmp.resolve("run").resolve(Trainer.BEST)));
        assertEquals("", ranks.get(1).out(), "rank 1 prints nothing");
    }
}
