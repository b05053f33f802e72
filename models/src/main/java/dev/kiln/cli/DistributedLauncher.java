package dev.kiln.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code kiln train ... --nproc N}, torchrun's {@code --nproc_per_node}: starts N JVMs on this machine, one a rank,
 * each running the same {@code kiln train} with {@code --world-size N --rank R --master 127.0.0.1:PORT} and
 * {@code -Dkiln.threads} set to its share of the cores. Rank 0's standard output is this process's; every rank's
 * standard error (and any other rank's output) comes out on this one's standard error, each line prefixed
 * {@code [rank R]}. When a rank fails, the others are stopped and its exit code is this command's.
 *
 * <p>The ranks are stopped as torchrun stops its workers: SIGTERM first, so that each runs its shutdown hooks (the
 * clean-up of a checkpoint write cut short, rank 0's line on how to resume), and SIGKILL only for a rank still running
 * {@link #GRACE} later. This process's own end (Ctrl-C, SIGTERM) stops them so too.
 */
final class DistributedLauncher {
    private static final String MAIN = "dev.kiln.cli.Kiln";
    /** How long a rank sent SIGTERM has to end before it is killed (torchrun waits a grace period too). */
    static final Duration GRACE = Duration.ofSeconds(10);
    /** How long this process's end waits for a rank's last output to come through. */
    private static final long OUTPUT_MILLIS = 1000;

    private DistributedLauncher() {
    }

    /** Runs {@code trainArgs} (the model and options after {@code kiln train}) as {@code nproc} ranks. */
    static int launch(List<String> trainArgs, int nproc, PrintStream out) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        String classPath = System.getProperty("java.class.path");
        String master = "127.0.0.1:" + freePort();
        int cores = Runtime.getRuntime().availableProcessors();
        // Read by the shutdown hook while ranks are still being started.
        List<Process> ranks = new CopyOnWriteArrayList<>();
        List<Thread> pumps = new CopyOnWriteArrayList<>();
        Thread stopper = new Thread(() -> {
            stop(ranks, GRACE, System.err);
            joinAll(pumps, OUTPUT_MILLIS);
        }, "kiln-stop-ranks");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            for (int r = 0; r < nproc; r++) {
                Process p = new ProcessBuilder(childCommand(java, jvmArgs, classPath, trainArgs, nproc, r, master,
                        cores)).start();
                ranks.add(p);
                pumps.add(pump(p.getErrorStream(), "[rank " + r + "] "));
                pumps.add(r == 0 ? copy(p.getInputStream(), out) : pump(p.getInputStream(), "[rank " + r + "] "));
            }
            int code = await(ranks, GRACE, System.err);
            for (Thread t : pumps) {
                t.join();
            }
            return code;
        } finally {
            stop(ranks, GRACE, System.err);
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // This process is ending: the hook stops the ranks.
            }
        }
    }

    /**
     * {@code trainArgs} with {@code --out outDir} added where they name no folder (no {@code --out}, no
     * {@code --resume}): {@code outDir} is the fresh folder this process claimed ({@link RunDirectory#fresh}), which
     * the ranks must write to rather than each claim one of their own.
     */
    static List<String> inFolder(List<String> trainArgs, Path outDir) {
        boolean named = trainArgs.stream().anyMatch(a -> a.equals("--out") || a.startsWith("--out=")
                || a.equals("--resume") || a.startsWith("--resume="));
        if (named) {
            return trainArgs;
        }
        List<String> args = new ArrayList<>(trainArgs);
        args.addAll(List.of("--out", outDir.toString()));
        return args;
    }

    /**
     * The command line of rank {@code rank}: this JVM's options with {@code -Dkiln.threads} set to
     * {@code max(1, cores / nproc)} and {@code -Dkiln.nproc} to {@code nproc} (so that rank 0, stopped, tells how to
     * resume with {@code --nproc}: {@link InterruptedRun}), the class path, and {@code kiln train} with {@code trainArgs} less its
     * {@code --nproc} and with the rank's options added.
     */
    static List<String> childCommand(String java, List<String> jvmArgs, String classPath, List<String> trainArgs,
                                     int nproc, int rank, String master, int cores) {
        List<String> command = new ArrayList<>();
        command.add(java);
        for (String a : jvmArgs) {
            boolean replaced = a.startsWith("-Dkiln.threads=") || a.startsWith("-D" + InterruptedRun.NPROC_PROPERTY + "=");
            if (!replaced) {
                command.add(a);
            }
        }
        command.add("-Dkiln.threads=" + Math.max(1, cores / nproc));
        command.add("-D" + InterruptedRun.NPROC_PROPERTY + "=" + nproc);
        command.addAll(List.of("-cp", classPath, MAIN, "train"));
        for (int i = 0; i < trainArgs.size(); i++) {
            String a = trainArgs.get(i);
            if (a.equals("--nproc")) {
                i++;
            } else if (!a.startsWith("--nproc=")) {
                command.add(a);
            }
        }
        command.addAll(List.of("--world-size", Integer.toString(nproc), "--rank", Integer.toString(rank), "--master",
                master));
        return command;
    }

    /**
     * Waits for every rank; at the first that fails, says which on {@code err}, stops the others ({@link #stop}) and
     * returns its exit code.
     */
    static int await(List<Process> ranks, Duration grace, PrintStream err) throws InterruptedException {
        while (true) {
            boolean running = false;
            for (int r = 0; r < ranks.size(); r++) {
                Process p = ranks.get(r);
                if (p.isAlive()) {
                    running = true;
                } else if (p.exitValue() != 0) {
                    // While this process ends, its hook has sent the SIGTERM that the rank's code reports.
                    if (!ProcessEnd.inProgress()) {
                        err.println("kiln train: rank " + r + " exited with code " + p.exitValue()
                                + "; stopping the other ranks");
                    }
                    stop(ranks, grace, err);
                    return p.exitValue();
                }
            }
            if (!running) {
                return 0;
            }
            Thread.sleep(100);
        }
    }

    /**
     * Sends SIGTERM to every rank still running, waits up to {@code grace} for them to end, then kills (SIGKILL) each
     * still running, naming it on {@code err}. Returns when all have ended.
     */
    static void stop(List<Process> ranks, Duration grace, PrintStream err) {
        // Through the ProcessHandle: Process.destroy() also closes the rank's output pipes, losing what it writes as it
        // stops (rank 0's line on how to resume).
        ranks.stream().filter(Process::isAlive).forEach(p -> p.toHandle().destroy());
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        for (int r = 0; r < ranks.size(); r++) {
            Process p = ranks.get(r);
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    p.waitFor(left, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (p.isAlive()) {
                err.printf(Locale.ROOT, "kiln train: rank %d still ran %s s after SIGTERM; killed it%n", r,
                        BigDecimal.valueOf(grace.toMillis(), 3).stripTrailingZeros().toPlainString());
                p.destroyForcibly();
            }
        }
        for (Process p : ranks) {
            p.onExit().join();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code millis} in all for the {@code threads} to end. */
    private static void joinAll(List<Thread> threads, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        try {
            for (Thread t : threads) {
                t.join(Math.max(1, deadline - System.currentTimeMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies {@code in} to this process's standard error line by line, each line after {@code prefix}. */
    private static Thread pump(InputStream in, String prefix) {
        Thread t = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    System.err.println(prefix + line);
                }
            } catch (IOException ignored) {
                // The rank is gone; what it wrote before is out.
            }
        }, "kiln-rank-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Copies rank 0's output as it comes, carriage returns of its progress bar included. */
    private static Thread copy(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            try (in) {
                byte[] buffer = new byte[8192];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // Rank 0 is gone; what it wrote before is out.
            }
        }, "kiln-rank-0-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
