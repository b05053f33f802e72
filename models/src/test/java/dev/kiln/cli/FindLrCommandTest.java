package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln train MODEL --find-lr}: the range test instead of training, on a tiny fake MNIST. */
class FindLrCommandTest {
    @TempDir
    Path tmp;

    private Result findLr(Path out, String... more) throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 300, 100);
        List<String> args = new ArrayList<>(List.of("train", "mlp", "--data-dir", data.toString(), "--batch",
                "32", "--out", out.toString(), "--find-lr"));
        args.addAll(List.of(more));
        return kiln(args.toArray(String[]::new));
    }

    @Test
    void findLrWritesTheCurveAndItsPlotPrintsTheSuggestionAndEndsWithJson() throws IOException {
        Path out = tmp.resolve("run");
        Result r = findLr(out);
        assertEquals(0, r.code(), r.toString());

        JsonObject summary = r.lastLineJson();
        int steps = summary.get("steps").getAsInt();
        assertTrue(steps >= 13 && steps <= 100, summary.toString());
        List<String> csv = Files.readAllLines(out.resolve("lr_find.csv"));
        assertEquals("step,lr,loss,smoothed_loss", csv.get(0));
        assertEquals(steps + 1, csv.size(), "a row per step");
        assertTrue(csv.get(1).startsWith("1,1.0E-8,"), csv.get(1));
        assertNotNull(ImageIO.read(out.resolve("lr_find.png").toFile()), "lr_find.png is a readable image");

        double suggested = summary.get("suggested_lr").getAsDouble();
        assertTrue(csv.stream().skip(1).anyMatch(row -> Double.parseDouble(row.split(",")[1]) == suggested),
                "the suggestion is one of the rates tried: " + suggested);
        String lr = LearningRateSearch.threeDigits(suggested);
        assertTrue(r.out().contains("suggested learning rate: " + lr), r.toString());
        assertTrue(r.out().contains("--lr " + lr), r.toString());
        assertTrue(r.out().contains("finding lr: "), "progress lines: " + r);
        assertFalse(Files.exists(out.resolve(Trainer.CHECKPOINT)), "nothing is trained");
        assertFalse(Files.exists(out.resolve("metrics.csv")), "nothing is trained");
    }

    @Test
    void findLrStepsSetsTheLengthAndTooFewForASuggestionGiveNull() throws IOException {
        Result r = findLr(tmp.resolve("run"), "--find-lr-steps", "12");
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals(12, summary.get("steps").getAsInt(), summary.toString());
        assertTrue(summary.get("suggested_lr").isJsonNull(), summary.toString());
        assertTrue(r.out().contains("no suggestion: the steepest fall is looked for after the first 10 steps and before"
                + " the last 1, and 12 steps leave fewer than 2 points; give --find-lr-steps 13 or more"), r.toString());
    }

    private Result refused(String... args) throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        List<String> all = new ArrayList<>(List.of("train", "mlp", "--data-dir", empty.toString()));
        all.addAll(List.of(args));
        Result r = kiln(all.toArray(String[]::new));
        assertEquals(2, r.code(), r.toString());
        return r;
    }

    @Test
    void findLrWithResumeFailsWithTwoBeforeLoadingData() throws IOException {
        Result r = refused("--find-lr", "--resume", "run/checkpoint.safetensors");
        assertTrue(r.err().contains("--find-lr tests the model's fresh weights and trains nothing; it cannot --resume"
                + " run/checkpoint.safetensors"), r.toString());
    }

    @Test
    void findLrWithAccumulateFailsWithTwoNamingTheBatchToGiveInstead() throws IOException {
        Result r = refused("--find-lr", "--accumulate", "4");
        assertTrue(r.err().contains("--find-lr takes one batch per step, --accumulate 4 sums several: give --batch 4"
                + " times as large instead"), r.toString());
    }

    @ParameterizedTest
    @CsvSource({"schedule, cosine, it sweeps the learning rate itself", "epochs, 3, it runs --find-lr-steps steps",
            "patience, 2, early stopping watches epochs"})
    void findLrRefusesAnOptionItWouldIgnoreWithTwo(String option, String value, String why) throws IOException {
        Result r = refused("--find-lr", "--" + option, value);
        assertTrue(r.err().contains("--find-lr ignores --" + option + ": " + why), r.toString());
    }

    @Test
    void findLrStepsWithoutFindLrFailsWithTwo() throws IOException {
        Result r = refused("--find-lr-steps", "50");
        assertTrue(r.err().contains("--find-lr-steps needs --find-lr"), r.toString());
    }

    @Test
    void findLrStepsBelowTwoFailsWithTwo() throws IOException {
        Result r = refused("--find-lr", "--find-lr-steps", "1");
        assertTrue(r.err().contains("--find-lr-steps must be at least 2 (the first step at lr 1e-8, the last at 1), got"
                + " 1"), r.toString());
    }

    @Test
    void findLrGivenAValueFailsWithTwo() throws IOException {
        Result r = refused("--find-lr=yes");
        assertTrue(r.err().contains("--find-lr takes no value, got 'yes'"), r.toString());
    }

    @Test
    void theHelpDescribesFindLr() {
        Result r = kiln("train", "--help");
        assertTrue(r.out().contains("--find-lr ") && r.out().contains("--find-lr-steps N"), r.toString());
    }

    @Test
    void theSuggestionIsPrintedToThreeSignificantDigits() {
        assertEquals("0.00179", LearningRateSearch.threeDigits(0.0017886495290574352));
        assertEquals("0.83", LearningRateSearch.threeDigits(0.8302175681319752));
        assertEquals("3.43E-7", LearningRateSearch.threeDigits(3.4304692863149193E-7));
    }
}
