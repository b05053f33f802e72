package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code kiln train --nproc} stops its ranks, as torchrun does: SIGTERM first, so that each rank's shutdown hooks
 * (rank 0's temporary-file clean-up, its resume line) run, SIGKILL only for a rank still running after the grace
 * period; and a failing rank stops the others, its exit code the launcher's. The ranks here are shell processes.
 */
class DistributedLauncherStopTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void needsAShell() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh to run the ranks");
    }

    @AfterEach
    void killWhatIsLeft() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void stoppingSendsSigtermAndWaitsForTheRanksOwnCleanUpWhoseOutputComesThrough() throws IOException {
        Path cleanedUp = tmp.resolve("cleaned-up");
        Process rank = start("trap 'sleep 1; touch " + cleanedUp + "; echo cleaned up; exit 0' TERM; echo ready;"
                + " while :; do sleep 0.1; done");
        BufferedReader out = new BufferedReader(new InputStreamReader(rank.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        DistributedLauncher.stop(List.of(rank), Duration.ofSeconds(10), err);
        assertFalse(rank.isAlive());
        assertTrue(Files.exists(cleanedUp), "the rank's SIGTERM handler ran to its end");
        assertEquals("cleaned up", out.readLine(), "what the rank wrote as it stopped (rank 0's resume line)");
        assertEquals("", errBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRankStillRunningAfterTheGracePeriodIsKilledAndNamed() throws IOException {
        Process ignoring = rank("trap '' TERM");
        DistributedLauncher.stop(List.of(rank("trap 'exit 0' TERM"), ignoring), Duration.ofMillis(500), err);
        assertFalse(ignoring.isAlive());
        assertEquals("kiln train: rank 1 still ran 0.5 s after SIGTERM; killed it\n",
                errBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFailingRankStopsTheOthersGracefullyAndItsExitCodeIsTheLaunchers() throws IOException, InterruptedException {
        Path cleanedUp = tmp.resolve("cleaned-up");
        Process healthy = rank("trap 'touch " + cleanedUp + "; exit 0' TERM");
        Process failing = start("sleep 0.3; exit 3");
        assertEquals(3, DistributedLauncher.await(List.of(healthy, failing), Duration.ofSeconds(10), err));
        assertFalse(healthy.isAlive());
        assertTrue(Files.exists(cleanedUp), "rank 0 was sent SIGTERM, not SIGKILL");
        assertEquals("kiln train: rank 1 exited with code 3; stopping the other ranks\n",
                errBytes.toString(StandardCharsets.UTF_8));
    }

    /** A shell that sets {@code trap}, says it is ready, then waits to be stopped. */
    private Process rank(String trap) throws IOException {
        Process p = start(trap + "; echo ready; while :; do sleep 0.1; done");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "the trap is set before the test signals");
        return p;
    }

    private Process start(String script) throws IOException {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        return p;
    }
}
