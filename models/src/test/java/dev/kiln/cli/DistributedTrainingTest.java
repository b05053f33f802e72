package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link DistributedTraining}: the module a rank of {@code kiln train} trains is the wrapper, so that the CLI runs
 * DistributedDataParallel's checks at each forward as a library loop does (PyTorch's {@code find_unused_parameters=
 * False}: a parameter that got no gradient fails the next forward, naming it).
 */
class DistributedTrainingTest {
    /** Two linear layers, the second never used. */
    static final class HalfUsed extends Module {
        HalfUsed() {
            registerModule("used", new Linear(4, 2));
            registerModule("unused", new Linear(4, 2));
        }

        @Override
        public Tensor forward(Tensor x) {
            return module("used").call(x);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aParameterWithoutGradientFailsTheRanksNextTrainingForwardNamingIt() throws Exception {
        String master = "127.0.0.1:" + freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> ranks = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                String rank = Integer.toString(r);
                ranks.add(pool.submit(() -> {
                    Options o = Options.parse(new String[] {"--world-size", "2", "--rank", rank, "--master", master});
                    try (DistributedTraining distributed = DistributedTraining.fromOptions(o);
                         Module model = new HalfUsed(); Scope scope = Scope.open()) {
                        Module trained = distributed.start(model, 8, new PrintStream(new ByteArrayOutputStream()));
                        trained.forward(Tensor.ones(3, 4)).sum().backward();
                        trained.forward(Tensor.ones(3, 4));
                        return "no error";
                    }
                }));
            }
            for (Future<String> rank : ranks) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> rank.get(60, TimeUnit.SECONDS));
                IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
                assertTrue(cause.getMessage().contains("module.unused.weight"), cause.getMessage());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The live threads of this JVM. */
    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    @Test
    void closingLeavesNoThreadOfTheRunAndClosesTheWrapper() throws Exception {
        String master = "127.0.0.1:" + freePort();
        Set<Thread> before = liveThreads();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Module> trainedModules = new ArrayList<>();
        try {
            List<Future<Module>> ranks = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                String rank = Integer.toString(r);
                ranks.add(pool.submit(() -> {
                    Options o = Options.parse(new String[] {"--world-size", "2", "--rank", rank, "--master", master});
                    Module model = new Linear(4, 2);
                    try (DistributedTraining distributed = DistributedTraining.fromOptions(o);
                         Scope scope = Scope.open()) {
                        Module trained = distributed.start(model, 8, new PrintStream(new ByteArrayOutputStream()));
                        trained.forward(Tensor.ones(3, 4)).sum().backward();
                        return trained;
                    }
                }));
            }
            for (Future<Module> rank : ranks) {
                trainedModules.add(rank.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        for (Module trained : trainedModules) {
            assertTrue(trained.parameters().stream().allMatch(Tensor::isClosed),
                    "closing the run closes the wrapper (its gradient hooks, the module)");
        }
        Set<Thread> left = liveThreads();
        left.removeAll(before);
        for (Thread t : left) {
            t.join(10_000);
        }
        left.removeIf(t -> !t.isAlive());
        assertEquals(Set.of(), left, "threads the run left behind");
    }
}
