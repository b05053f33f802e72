package dev.kiln.train;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine backend's tuning choices ({@link Backend#tuningChoices}: on the CPU, OpenBLAS or oneDNN for each
 * convolution, chosen by timing under {@code -Dkiln.cpu.convolutionKernel=timed}; the default rule records none, so
 * no file is written) in {@value #FILE} beside a checkpoint, so that a run resumed in another process runs
 * every operation on the kernel the first run chose and continues it bit for bit, as PyTorch users keep cuDNN's
 * benchmark choices. The file is JSON, {@code {"backend": "cpu", "choices": {key: kernel, ...}}}, written to a
 * temporary file and renamed.
 */
public final class TuningChoices {
    /** The file's name, in the checkpoint's directory. */
    public static final String FILE = "tuning-choices.json";

    private static final Logger LOG = LoggerFactory.getLogger(TuningChoices.class);

    private TuningChoices() {
    }

    /**
     * Writes the engine backend's choices beside {@code checkpoint}; where it has none (a model without convolutions,
     * a backend that times nothing), removes a file an earlier run left there instead.
     */
    public static void writeBeside(Path checkpoint) throws IOException {
        Path file = checkpoint.resolveSibling(FILE);
        Backend backend = Engine.get().backend();
        Map<String, String> choices = backend.tuningChoices();
        if (choices.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("backend", backend.name());
        json.put("choices", choices);
        Json.write(file, json);
    }

    /**
     * Makes the engine backend use the choices beside {@code checkpoint} ({@link Backend#useTuningChoices}), where
     * there is such a file and a backend of the same name wrote it; otherwise leaves the backend's choices alone.
     *
     * @throws IOException              naming the file when it is not JSON
     * @throws IllegalArgumentException naming the file when it holds no backend name and choices as text, or choices
     *                                  the backend does not read
     */
    public static void useBeside(Path checkpoint) throws IOException {
        Path file = checkpoint.resolveSibling(FILE);
        Optional<Map<String, String>> choices = read(file);
        if (choices.isPresent()) {
            try {
                Engine.get().backend().useTuningChoices(choices.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /** The choices in {@code file}, or empty where there is none or another backend wrote it (logged). */
    private static Optional<Map<String, String>> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<String, Object> json = Json.read(file);
        if (!(json.get("backend") instanceof String backend) || !(json.get("choices") instanceof Map<?, ?> all)) {
            throw new IllegalArgumentException(file + ": expected {\"backend\": name, \"choices\": {key: kernel}},"
                    + " got " + Json.line(json));
        }
        String running = Engine.get().backend().name();
        if (!backend.equals(running)) {
            LOG.info("{} holds the {} backend's tuning choices, not used on the {} backend", file, backend, running);
            return Optional.empty();
        }
        Map<String, String> choices = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : all.entrySet()) {
            if (!(e.getValue() instanceof String kernel)) {
                throw new IllegalArgumentException(file + ": the choice for '" + e.getKey() + "' is " + e.getValue()
                        + ", not text");
            }
            choices.put(e.getKey().toString(), kernel);
        }
        return Optional.of(choices);
    }
}
