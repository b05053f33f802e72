package dev.kiln.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kiln train ... --nproc N}, torchrun's {@code --nproc_per_node}: starts N JVMs on this machine, one a rank,
 * each running the same {@code kiln train} with {@code --world-size N --rank R --master 127.0.0.1:PORT} and
 * {@code -Dkiln.threads} set to its share of the cores. Rank 0's standard output is this process's; every rank's
 * standard error (and any other rank's output) comes out on this one's standard error, each line prefixed
 * {@code [rank R]}. When a rank fails, the others are stopped and its exit code is this command's.
 */
final class DistributedLauncher {
    private static final String MAIN = "dev.kiln.cli.Kiln";

    private DistributedLauncher() {
    }

    /** Runs {@code trainArgs} (the model and options after {@code kiln train}) as {@code nproc} ranks. */
    static int launch(List<String> trainArgs, int nproc, PrintStream out) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        String classPath = System.getProperty("java.class.path");
        String master = "127.0.0.1:" + freePort();
        int cores = Runtime.getRuntime().availableProcessors();
        List<Process> ranks = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        Thread stopper = new Thread(() -> ranks.forEach(Process::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            for (int r = 0; r < nproc; r++) {
                Process p = new ProcessBuilder(childCommand(java, jvmArgs, classPath, trainArgs, nproc, r, master,
                        cores)).start();
                ranks.add(p);
                pumps.add(pump(p.getErrorStream(), "[rank " + r + "] "));
                pumps.add(r == 0 ? copy(p.getInputStream(), out) : pump(p.getInputStream(), "[rank " + r + "] "));
            }
            int code = await(ranks);
            for (Thread t : pumps) {
                t.join();
            }
            return code;
        } finally {
            ranks.forEach(Process::destroyForcibly);
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
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
            if (!a.startsWith("-Dkiln.threads=") && !a.startsWith("-D" + InterruptedRun.NPROC_PROPERTY + "=")) {
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

    /** Waits for every rank; at the first that fails, stops the others and returns its exit code. */
    private static int await(List<Process> ranks) throws InterruptedException {
        while (true) {
            boolean running = false;
            for (int r = 0; r < ranks.size(); r++) {
                Process p = ranks.get(r);
                if (p.isAlive()) {
                    running = true;
                } else if (p.exitValue() != 0) {
                    System.err.println("kiln train: rank " + r + " exited with code " + p.exitValue()
                            + "; stopping the other ranks");
                    ranks.forEach(Process::destroy);
                    return p.exitValue();
                }
            }
            if (!running) {
                return 0;
            }
            Thread.sleep(100);
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
