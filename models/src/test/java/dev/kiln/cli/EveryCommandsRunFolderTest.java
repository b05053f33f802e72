package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command that trains keeps {@code kiln train}'s rules for its run folder ({@link RunDirectory}): {@code --out}
 * over an earlier run's work is refused before anything is trained or written, naming the file it would replace, and
 * {@code --overwrite} without {@code --out} is refused. Each command once wrote over its fixed default folder.
 */
class EveryCommandsRunFolderTest {
    @TempDir
    Path tmp;

    /**
     * The command's words before {@code --out} (its data left where it is: the refusal comes before it is read), and
     * the file an earlier run of it left in its folder.
     */
    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of(List.of("gan", "--epochs", "1"), Trainer.CHECKPOINT),
                Arguments.of(List.of("train", "g2p", "--epochs", "1"), G2pTrainCommand.LAST),
                Arguments.of(List.of("train", "g2p", "--epochs", "1"), G2pTrainCommand.CHECKPOINT),
                Arguments.of(List.of("pretrain", "ae", "--epochs", "1"), Trainer.CHECKPOINT),
                Arguments.of(List.of("lm", "--epochs", "1"), LmCommand.CHECKPOINT),
                Arguments.of(List.of("methods", "--epochs", "1"), "methods.csv"),
                Arguments.of(List.of("word2vec", "--epochs", "1", "--corpus", "no-corpus.txt"), "vectors.safetensors"),
                Arguments.of(List.of("finetune", "--onnx", "model.onnx", "--epochs", "1"), OnnxFinetuneRun.TUNED));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void outOverAnEarlierRunIsRefusedNamingItsFile(List<String> command, String earlierFile) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path earlier = Files.writeString(run.resolve(earlierFile), "an earlier run's output");
        KilnRuns.Result refused = kiln(command, "--out", run.toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains(": --out " + run + " already holds a run's "), refused.err());
        assertTrue(refused.err().contains(earlier.toString()), refused.err());
        assertEquals("an earlier run's output", Files.readString(earlier));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void overwriteWithoutOutIsRefused(List<String> command, String unused) {
        KilnRuns.Result refused = kiln(command, "--overwrite");
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().endsWith(": --overwrite replaces the run in --out DIR; without --out a new run gets"
                + " a folder of its own\n"), refused.err());
    }

    /** Where the command resumes, the refusal says how: kiln gan's checkpoint is continued with --resume. */
    @Test
    void aGanRunsFolderIsRefusedSayingHowToResumeIt() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path checkpoint = Files.writeString(run.resolve(Trainer.CHECKPOINT), "an earlier run's checkpoint");
        KilnRuns.Result refused = kiln(List.of("gan"), "--out", run.toString());
        assertEquals("kiln gan: --out " + run + " already holds a run's checkpoint, " + checkpoint + ": continue that"
                + " run with --resume " + checkpoint + ", name another folder with --out (or leave --out out for a new"
                + " folder under runs/), or give --overwrite to replace it\n", refused.err());
    }

    /** A finetune from a kiln train checkpoint is refused the same way, after reading the checkpoint it starts from. */
    @Test
    void aFinetunesFolderIsRefused() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 32, 16);
        Path source = tmp.resolve("source");
        KilnRuns.Result trained = KilnRuns.kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1",
                "--batch", "32", "--out", source.toString());
        assertEquals(0, trained.code(), trained.toString());
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve(Trainer.CHECKPOINT), "an earlier run's checkpoint");
        KilnRuns.Result refused = kiln(List.of("finetune", "--from", source.resolve(Trainer.CHECKPOINT).toString()),
                "--data-dir", data.toString(), "--out", run.toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().startsWith("kiln finetune: --out " + run + " already holds"), refused.err());
        assertEquals("an earlier run's checkpoint", Files.readString(run.resolve(Trainer.CHECKPOINT)));
    }

    private static KilnRuns.Result kiln(List<String> command, String... more) {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of(more));
        return KilnRuns.kiln(args.toArray(String[]::new));
    }
}
