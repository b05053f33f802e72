package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TuningChoices} beside a {@link Trainer}'s checkpoint on the CPU backend, where two processes are simulated in
 * one JVM: each starts from an empty table of choices ({@link Backend#useTuningChoices} of none) and settles its
 * convolutions' first calls on a kernel named by {@value #KERNEL} (oneDNN in the first process, OpenBLAS in the
 * second), as two timings may settle them differently.
 */
class TuningChoicesTest {
    /** The CPU backend's switch that settles a convolution's first call on a kernel untimed. */
    private static final String KERNEL = "kiln.cpu.convolutionKernel";

    private Backend backend;

    @BeforeEach
    void cpuWithOneDnn() {
        backend = Engine.get().backend();
        assumeTrue(backend.name().equals("cpu"), "the kernel choices simulated are the CPU backend's");
    }

    @AfterEach
    void forgetTheChoices() {
        System.clearProperty(KERNEL);
        backend.useTuningChoices(Map.of());
    }

    @Test
    void aRunResumedInAnotherProcessWithTheChoicesEndsWithTheUninterruptedWeights(@TempDir Path straight,
                                                                                 @TempDir Path parts)
            throws IOException {
        Map<String, float[]> uninterrupted = newProcess("onednn", () -> train(straight, 2, false));
        newProcess("onednn", () -> train(parts, 1, false));
        assumeFalse(Files.notExists(parts.resolve(TuningChoices.FILE)), "oneDNN did not load: no choices to keep");
        Map<String, float[]> resumed = newProcess("openblas", () -> train(parts, 2, true));
        assertEquals(uninterrupted.keySet(), resumed.keySet());
        uninterrupted.forEach((name, w) -> assertArrayEquals(w, resumed.get(name), "tensor " + name));
    }

    @Test
    void withoutTheChoicesTheOtherProcessesKernelsChangeTheWeights(@TempDir Path straight, @TempDir Path parts)
            throws IOException {
        Map<String, float[]> uninterrupted = newProcess("onednn", () -> train(straight, 2, false));
        newProcess("onednn", () -> train(parts, 1, false));
        assumeFalse(Files.notExists(parts.resolve(TuningChoices.FILE)), "oneDNN did not load: no choices to keep");
        Files.delete(parts.resolve(TuningChoices.FILE));
        Map<String, float[]> resumed = newProcess("openblas", () -> train(parts, 2, true));
        assertFalse(uninterrupted.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(),
                resumed.get(e.getKey()))), "OpenBLAS's convolutions end in other bits than oneDNN's");
    }

    @Test
    void theFileNamesTheBackendAndHoldsItsChoices(@TempDir Path dir) throws IOException {
        newProcess("onednn", () -> train(dir, 1, false));
        Map<String, String> choices = backend.tuningChoices();
        assumeFalse(choices.isEmpty(), "oneDNN did not load: no choices to keep");
        Map<String, Object> json = Json.read(dir.resolve(TuningChoices.FILE));
        assertEquals(List.of("backend", "choices"), List.copyOf(json.keySet()));
        assertEquals("cpu", json.get("backend"));
        assertEquals(choices, json.get("choices"));
        assertTrue(choices.containsValue("onednn"), choices.toString());
    }

    @Test
    void anotherBackendsChoicesAreLeftUnused(@TempDir Path dir) throws IOException {
        Path checkpoint = dir.resolve(Trainer.CHECKPOINT);
        Json.write(dir.resolve(TuningChoices.FILE), Map.of("backend", "cuda", "choices", Map.of("a", "b")));
        TuningChoices.useBeside(checkpoint);
        assertEquals(Map.of(), backend.tuningChoices());
    }

    @Test
    void aFileWithoutChoicesIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(TuningChoices.FILE);
        Json.write(file, Map.of("backend", "cpu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TuningChoices.useBeside(dir.resolve(Trainer.CHECKPOINT)));
        assertEquals(file + ": expected {\"backend\": name, \"choices\": {key: kernel}}, got {\"backend\":\"cpu\"}",
                e.getMessage());
    }

    @Test
    void aBackendWithoutChoicesRemovesAFileLeftBeside(@TempDir Path dir) throws IOException {
        Path checkpoint = dir.resolve(Trainer.CHECKPOINT);
        Json.write(dir.resolve(TuningChoices.FILE), Map.of("backend", "cpu", "choices", Map.of()));
        TuningChoices.writeBeside(checkpoint);
        assertFalse(Files.exists(dir.resolve(TuningChoices.FILE)));
    }

    /** What {@code run} returns in a simulated new process whose convolutions settle on {@code kernel}. */
    private Map<String, float[]> newProcess(String kernel, IoSupplier<Map<String, float[]>> run) throws IOException {
        backend.useTuningChoices(Map.of());
        System.setProperty(KERNEL, kernel);
        return run.get();
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    /**
     * The weights after training a small convolutional network to {@code lastEpoch} with checkpoints in {@code dir},
     * resuming from the one there when {@code resume}.
     */
    private static Map<String, float[]> train(Path dir, int lastEpoch, boolean resume) throws IOException {
        Engine.seed(3);
        try (Sequential model = new Sequential(new Conv2d(1, 4, 3), new ReLU(), new Flatten(),
                new Linear(4 * 6 * 6, 3)); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            Trainer trainer = new Trainer(model, sgd, new CrossEntropyLoss()).checkpoints(dir, Map.of());
            if (resume) {
                trainer.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            trainer.fit(new DataLoader(images(48, 1), 16, true, 2), new DataLoader(images(20, 2), 20, false, 2),
                    lastEpoch);
            Map<String, float[]> weights = new LinkedHashMap<>();
            model.stateDict().forEach((name, w) -> weights.put(name, w.toFloatArray()));
            return weights;
        }
    }

    /** {@code n} random 8x8 images in 3 classes. */
    private static ArrayDataset images(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * 64];
        long[] y = new long[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(3);
        }
        return new ArrayDataset(x, y, new int[] {1, 8, 8}, 3);
    }
}
