package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which folder a {@code kiln train} run writes to: a new one per run, as Lightning's and TensorBoard's runs get, and
 * {@code --out} never over another run's checkpoint unless {@code --overwrite} says so.
 */
class RunDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void aNewRunTakesTheDefaultFolderWhileItDoesNotExist() throws IOException {
        Path base = tmp.resolve("runs").resolve("mlp-mnist");
        assertEquals(base, RunDirectory.fresh(base));
    }

    @Test
    void aNewRunWhereTheFirstFolderWasDeletedStillTakesTheHighestNumber() throws IOException {
        Path base = tmp.resolve("mlp-mnist");
        Files.writeString(Files.createDirectories(tmp.resolve("mlp-mnist-3")).resolve("metrics.csv"), "epoch\n");
        Path fresh = RunDirectory.fresh(base);
        assertEquals(tmp.resolve("mlp-mnist-4"), fresh);
        Files.writeString(fresh.resolve("metrics.csv"), "epoch\n");
        assertEquals(fresh.resolve("metrics.csv"), RunDirectory.newest(base, "metrics.csv"));
    }

    @Test
    void aFolderChosenForANewRunIsClaimedSoThatARunStartedBeforeItWritesGetsAnother() throws IOException {
        Path base = tmp.resolve("runs").resolve("mlp-mnist");
        Path first = RunDirectory.fresh(base);
        assertTrue(Files.isDirectory(first), first + " was not created");
        assertEquals(tmp.resolve("runs").resolve("mlp-mnist-2"), RunDirectory.fresh(base));
    }

    @Test
    void aClaimedFolderLeftEmptyByARunThatFailedBeforeWritingIsRemovedSoTheNextRunTakesItsName() throws IOException {
        Path base = tmp.resolve("runs").resolve("mlp-mnist");
        Path failed = RunDirectory.fresh(base);
        Path written = RunDirectory.fresh(base);
        Files.writeString(written.resolve("metrics.csv"), "epoch\n");
        RunDirectory.releaseEmptyClaims();
        assertFalse(Files.exists(failed), failed + " is left empty");
        assertTrue(Files.isRegularFile(written.resolve("metrics.csv")));
    }

    @Test
    void runsStartedAtTheSameMomentGetFoldersOfTheirOwn() throws Exception {
        Path base = tmp.resolve("runs").resolve("mlp-mnist");
        int runs = 8;
        CyclicBarrier start = new CyclicBarrier(runs);
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        try {
            List<Future<Path>> chosen = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                chosen.add(pool.submit(() -> {
                    start.await();
                    return RunDirectory.fresh(base);
                }));
            }
            Set<Path> folders = new HashSet<>();
            for (Future<Path> f : chosen) {
                folders.add(f.get());
            }
            assertEquals(runs, folders.size(), "folders chosen: " + folders);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRankOtherThanZeroFindsTheFolderWithoutClaimingIt() throws IOException {
        Path base = tmp.resolve("runs").resolve("mlp-mnist");
        assertEquals(base, RunDirectory.choose(RunDirectory.TRAIN, null, null, false, base, null, false));
        assertFalse(Files.exists(base));
    }

    @Test
    void aNewRunBesideEarlierOnesTakesTheNextNumber() throws IOException {
        Path base = Files.createDirectories(tmp.resolve("mlp-mnist"));
        Files.writeString(base.resolve("metrics.csv"), "epoch\n");
        assertEquals(tmp.resolve("mlp-mnist-2"), RunDirectory.fresh(base));
        Files.createDirectories(tmp.resolve("mlp-mnist-2"));
        assertEquals(tmp.resolve("mlp-mnist-3"), RunDirectory.fresh(base));
    }

    @Test
    void theNewestRunHasTheHighestNumberEvenWhereAnEarlierOneWasDeleted() throws IOException {
        Path base = Files.createDirectories(tmp.resolve("mlp-mnist"));
        Files.writeString(base.resolve("metrics.csv"), "epoch\n");
        Files.createDirectories(tmp.resolve("mlp-mnist-5"));
        Files.createDirectories(tmp.resolve("mlp-mnist-old"));
        Files.createDirectories(tmp.resolve("mlp-mnist-2x"));
        assertEquals(tmp.resolve("mlp-mnist-6"), RunDirectory.fresh(base));
    }

    @Test
    void theNewestRunIsTheHighestNumberedFolderHoldingTheFileNotTheFirstOrTheLexicallyLast() throws IOException {
        Path base = tmp.resolve("g2p-additive");
        for (String name : List.of("g2p-additive", "g2p-additive-2", "g2p-additive-10")) {
            Files.writeString(Files.createDirectories(tmp.resolve(name)).resolve("g2p.safetensors"), name);
        }
        Files.createDirectories(tmp.resolve("g2p-additive-11"));
        assertEquals(tmp.resolve("g2p-additive-10").resolve("g2p.safetensors"),
                RunDirectory.newest(base, "g2p.safetensors"));
    }

    @Test
    void theNewestRunIsTheFirstFolderWhereNoNumberedOneHoldsTheFile() throws IOException {
        Path base = tmp.resolve("word2vec");
        assertEquals(base.resolve("vectors.safetensors"), RunDirectory.newest(base, "vectors.safetensors"));
    }

    @Test
    void outNamingAnEarlierRunsFolderIsRefusedSayingHowToResumeItOrKeepIt() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 64, 32);
        Path run = tmp.resolve("run");
        assertEquals(0, train(data, run, "1").code());
        byte[] first = Files.readAllBytes(run.resolve(Trainer.CHECKPOINT));
        KilnRuns.Result again = train(data, run, "1", "--seed", "2");
        assertEquals(2, again.code(), again.toString());
        Path checkpoint = run.resolve(Trainer.CHECKPOINT);
        assertEquals("kiln train: --out " + run + " already holds a run's checkpoint, " + checkpoint + " (epoch 1):"
                + " continue that run with --resume " + checkpoint + ", name another folder with --out (or leave --out"
                + " out for a new folder under runs/), or give --overwrite to replace it\n", again.err());
        assertArrayEquals(first, Files.readAllBytes(run.resolve(Trainer.CHECKPOINT)), "the first run's checkpoint");
    }

    @Test
    void overwriteReplacesTheRunInOut() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 64, 32);
        Path run = tmp.resolve("run");
        assertEquals(0, train(data, run, "2").code());
        KilnRuns.Result replaced = train(data, run, "1", "--overwrite");
        assertEquals(0, replaced.code(), replaced.toString());
        assertEquals("1", Trainer.metadata(run.resolve(Trainer.CHECKPOINT)).get("epoch"));
    }

    @Test
    void resumingContinuesInTheCheckpointsFolderWithOrWithoutOut() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 64, 32);
        Path run = tmp.resolve("run");
        assertEquals(0, train(data, run, "1").code());
        String checkpoint = run.resolve(Trainer.CHECKPOINT).toString();
        KilnRuns.Result inPlace = KilnRuns.kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "2",
                "--batch", "32", "--resume", checkpoint);
        assertEquals(0, inPlace.code(), inPlace.toString());
        KilnRuns.Result namedOut = train(data, run, "3", "--resume", checkpoint);
        assertEquals(0, namedOut.code(), namedOut.toString());
        assertEquals("3", Trainer.metadata(run.resolve(Trainer.CHECKPOINT)).get("epoch"));
    }

    @Test
    void resumingIntoAnotherRunsFolderIsRefused() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 64, 32);
        assertEquals(0, train(data, tmp.resolve("a"), "1").code());
        assertEquals(0, train(data, tmp.resolve("b"), "1").code());
        byte[] b = Files.readAllBytes(tmp.resolve("b").resolve(Trainer.CHECKPOINT));
        KilnRuns.Result refused = train(data, tmp.resolve("b"), "2", "--resume",
                tmp.resolve("a").resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, refused.code(), refused.toString());
        assertNotEquals(-1, refused.err().indexOf("--out " + tmp.resolve("b") + " already holds"), refused.err());
        assertArrayEquals(b, Files.readAllBytes(tmp.resolve("b").resolve(Trainer.CHECKPOINT)), "b's checkpoint");
    }

    @Test
    void aResumedRunWithoutOutWritesToItsCheckpointsFolderAsTheUserWroteIt() throws IOException {
        Path fallback = tmp.resolve("unused");
        assertEquals(Path.of("runs", "mlp-mnist-2"), RunDirectory.choose(RunDirectory.TRAIN, null,
                "runs/mlp-mnist-2/checkpoint.safetensors", false, fallback, null));
        assertEquals(Path.of("."), RunDirectory.choose(RunDirectory.TRAIN, null, "checkpoint.safetensors", false,
                fallback, null));
    }

    @Test
    void aCommandWithoutResumeRefusesOutOverItsRunWithoutSuggestingResume() throws IOException {
        RunDirectory.Kind methods = RunDirectory.Kind.withoutResume("kiln methods", "methods.csv", "metrics.json");
        Files.writeString(tmp.resolve("metrics.json"), "{}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunDirectory.refuseOverwriting(methods, tmp, null, false));
        assertEquals("--out " + tmp + " already holds a run's output, " + tmp.resolve("metrics.json") + ": name another"
                + " folder with --out (or leave --out out for a new folder under runs/), or give --overwrite to"
                + " replace it", e.getMessage());
    }

    @Test
    void overwriteWithoutOutIsRefusedNamingOut() {
        KilnRuns.Result refused = KilnRuns.kiln("train", "mlp", "--overwrite");
        assertEquals(2, refused.code(), refused.toString());
        assertEquals("kiln train: --overwrite replaces the run in --out DIR; without --out a new run gets a folder of"
                + " its own\n", refused.err());
    }

    private static KilnRuns.Result train(Path data, Path out, String epochs, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "mlp", "--data-dir",
                data.toString(), "--epochs", epochs, "--batch", "32", "--out", out.toString()));
        args.addAll(List.of(more));
        return KilnRuns.kiln(args.toArray(String[]::new));
    }
}
