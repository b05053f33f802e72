package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.train.Trainer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
        Result patience = kiln("train", "mlp", "--world-size", "2", "--rank", "0", "--master", "127.0.0.1:1",
                "--validation-split", "0.1", "--patience", "2");
        assertEquals(2, patience.code(), patience.toString());
        assertTrue(patience.err().contains("--patience"), patience.err());
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
        assertEquals(List.of("/usr/bin/java", "-Xmn64m", "-Dkiln.threads=2", "-cp", "a.jar:b", "dev.kiln.cli.Kiln",
                "train", "mlp", "--epochs", "1", "--world-size", "2", "--rank", "1", "--master", "127.0.0.1:4000"),
                command);
        assertTrue(DistributedLauncher.childCommand("java", List.of(), "c", List.of("mlp", "--nproc=3"), 3, 0,
                "h:1", 2).contains("-Dkiln.threads=1"), "at least one thread a rank");
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
}
