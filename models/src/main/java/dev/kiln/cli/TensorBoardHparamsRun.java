package dev.kiln.cli;

import dev.kiln.train.SummaryWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where {@code kiln train --tensorboard} writes its hyperparameters: a new run's go to a subdirectory of its log
 * directory named by the time, as PyTorch's {@code add_hparams} names it; a resumed run's replace those of the run
 * it continues, in that run's subdirectory (the latest one named by a time), so that the HParams tab shows the run
 * once, with its last values. A second file beside the first would not do: TensorBoard keeps the first hparams
 * summary of a run's files, and would show the earlier run's hyperparameters with the later run's metrics.
 */
final class TensorBoardHparamsRun {
    /** A subdirectory {@code add_hparams} names by Python's repr of {@code time.time()}. */
    private static final Pattern TIME = Pattern.compile("\\d+\\.\\d+");
    private static final String EVENT_FILE = "events.out.tfevents.";

    private TensorBoardHparamsRun() {
    }

    /**
     * Writes {@code hparams} and {@code metrics} for the run {@code board} logs; with {@code resumed}, into the
     * earlier run's subdirectory where there is one, its event files removed once the new one is written.
     *
     * @return the subdirectory written
     */
    static Path write(SummaryWriter board, Map<String, ?> hparams, Map<String, Double> metrics, boolean resumed)
            throws IOException {
        Path earlier = resumed ? latest(board.file().getParent()) : null;
        if (earlier == null) {
            return board.addHparams(hparams, metrics);
        }
        List<Path> replaced = eventFiles(earlier);
        board.addHparams(hparams, metrics, earlier.getFileName().toString());
        for (Path file : replaced) {
            Files.deleteIfExists(file);
        }
        return earlier;
    }

    /** The subdirectory of {@code runDir} named by the latest time, or null without one. */
    private static Path latest(Path runDir) throws IOException {
        try (Stream<Path> entries = Files.list(runDir)) {
            return entries.filter(Files::isDirectory).filter(d -> TIME.matcher(d.getFileName().toString()).matches())
                    .max(Comparator.comparing(d -> Double.parseDouble(d.getFileName().toString()))).orElse(null);
        }
    }

    private static List<Path> eventFiles(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(f -> f.getFileName().toString().startsWith(EVENT_FILE)).toList();
        }
    }
}
