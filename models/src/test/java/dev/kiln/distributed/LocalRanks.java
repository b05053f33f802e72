package dev.kiln.distributed;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs a world of ranks as threads of this JVM over localhost, each with its own process group. */
final class LocalRanks {
    /** What one rank does with its group; returns its result. */
    interface RankBody<T> {
        T run(ProcessGroup group) throws Exception;
    }

    /** What one rank does given its rank and the master's address, joining (or not) by itself. */
    interface Joiner<T> {
        T run(int rank, String initMethod) throws Exception;
    }

    private LocalRanks() {
    }

    /** A free localhost port (closed again, so that rank 0 can bind it). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each rank's result of {@code body} run in a group of {@code worldSize} ranks, in rank order. */
    static <T> List<T> run(int worldSize, RankBody<T> body) {
        return join(worldSize, (rank, init) -> {
            try (ProcessGroup group = Distributed.initProcessGroup(init, rank, worldSize, Duration.ofSeconds(20))) {
                return body.run(group);
            }
        });
    }

    /** Each rank's result (or the exception it threw, as its result) of {@code body}, in rank order. */
    static <T> List<Object> outcomes(int worldSize, Joiner<T> body) {
        String init = "tcp://127.0.0.1:" + freePort();
        ExecutorService pool = Executors.newFixedThreadPool(worldSize);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < worldSize; r++) {
                int rank = r;
                futures.add(pool.submit(() -> body.run(rank, init)));
            }
            List<Object> out = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    out.add(f.get(60, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    out.add(e.getCause());
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("LocalRanks: a rank hung", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Like {@link #outcomes} but every rank must succeed: their results, in rank order. */
    @SuppressWarnings("unchecked")
    static <T> List<T> join(int worldSize, Joiner<T> body) {
        List<Object> outcomes = outcomes(worldSize, body);
        List<T> results = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            if (outcomes.get(r) instanceof Throwable t) {
                throw new AssertionError("rank " + r + " failed: " + t, t);
            }
            results.add((T) outcomes.get(r));
        }
        return results;
    }

    /** A timeout for tests that expect one. */
    static Duration shortTimeout() {
        return Duration.ofSeconds(2);
    }
}
