package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.train.ImageGrid;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingPlot;
import dev.kiln.train.TuningChoices;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code kiln gan} end to end on a tiny fake MNIST: a run directory of two epochs, and grids drawn from its checkpoint. */
class GanCommandTest {
    @TempDir
    static Path shared;
    private static Path data;
    private static Path run;
    private static Result training;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainTwoEpochs() throws IOException {
        data = KilnRuns.fakeMnist(shared.resolve("data"), 40, 5);
        run = shared.resolve("run");
        training = kiln("gan", "--data-dir", data.toString(), "--epochs", "2", "--batch", "16", "--latent", "8",
                "--feature-maps", "4", "--out", run.toString());
    }

    @Test
    void trainingWritesAGridOfTheFixedNoisesImagesEveryEpochAndEndsWithAJsonSummary() throws IOException {
        assertEquals(0, training.code(), training.toString());
        for (String png : new String[] {"samples-epoch1.png", "samples-epoch2.png"}) {
            assertGrid(run.resolve(png), 8, 8);
        }
        JsonObject summary = training.lastLineJson();
        assertEquals("dcgan", summary.get("model").getAsString());
        assertEquals("bce", summary.get("loss").getAsString());
        assertEquals(2, summary.get("epochs").getAsInt());
        assertEquals(40, summary.get("train_images").getAsInt());
        assertTrue(summary.get("discriminator_loss").getAsDouble() > 0, summary.toString());
        assertTrue(summary.get("generator_loss").getAsDouble() > 0, summary.toString());
        assertEquals(run.resolve("samples-epoch2.png").toString(), summary.get("samples").getAsString());
        assertEquals(summary, JsonParser.parseString(Files.readString(run.resolve("metrics.json"))));
    }

    @Test
    void trainingWritesBothLossesPerEpochAsCsvAndPlot() throws IOException {
        assertEquals(0, training.code(), training.toString());
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals("epoch,discriminator_loss,generator_loss,seconds,samples_per_s", lines.get(0));
        assertEquals(3, lines.size(), "header and two epochs");
        assertNotNull(ImageIO.read(run.resolve("training.png").toFile()));
    }

    @Test
    void theCheckpointNamesTheNetworkItHolds() throws IOException {
        assertEquals(0, training.code(), training.toString());
        Map<String, String> meta = Trainer.metadata(run.resolve(Trainer.CHECKPOINT));
        assertEquals("dcgan", meta.get("model"));
        assertEquals("gan", meta.get("kind"));
        assertEquals("2", meta.get("epoch"));
        assertEquals("8", meta.get("latent"));
        assertEquals("4", meta.get("feature_maps"));
        assertEquals("batch", meta.get("discriminator_norm"));
        assertTrue(SafeTensors.readHeader(run.resolve(Trainer.CHECKPOINT)).tensors()
                .containsKey("model.discriminator.0.weight"));
    }

    @Test
    void sampleDrawsTheAskedNumberOfImagesFromTheCheckpointTheSameForOneSeed() throws IOException {
        Path first = tmp.resolve("first.png");
        Path second = tmp.resolve("second.png");
        Result r = kiln("gan", "--sample", run.resolve(Trainer.CHECKPOINT).toString(), "--count", "10", "--seed", "4",
                "--out", first.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(10, r.lastLineJson().get("count").getAsInt());
        assertGrid(first, 8, 2);
        assertEquals(0, kiln("gan", "--sample", run.resolve(Trainer.CHECKPOINT).toString(), "--count", "10", "--seed",
                "4", "--out", second.toString()).code());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void sampleWritesBesideTheCheckpointByDefault() {
        Result r = kiln("gan", "--sample", run.resolve(Trainer.CHECKPOINT).toString(), "--count", "3");
        assertEquals(0, r.code(), r.toString());
        assertEquals(run.resolve("samples.png").toAbsolutePath().toString(), r.lastLineJson().get("samples").getAsString());
        assertTrue(Files.exists(run.resolve("samples.png")));
    }

    @Test
    void sampleOfAnotherCommandsCheckpointFailsWithTwoNamingWhatItHolds() throws IOException {
        Path lm = tmp.resolve("charlm.safetensors");
        SafeTensors.write(lm, Map.of(), Map.of("model", "charlm"));
        Result r = kiln("gan", "--sample", lm.toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals("kiln gan: " + lm + " is not a kiln gan checkpoint (model charlm)", r.err().strip());
    }

    @Test
    void sampleRefusesTrainingOptions() {
        Result r = kiln("gan", "--sample", run.resolve(Trainer.CHECKPOINT).toString(), "--epochs", "2");
        assertEquals(2, r.code(), r.toString());
        assertEquals("kiln gan: unknown option --epochs", r.err().strip());
    }

    @Test
    void helpOffersWganGpWithItsCriticStepsAndPenaltyWeight() {
        Result r = kiln("gan", "--help");
        assertEquals(0, r.code(), r.toString());
        for (String line : List.of("--loss NAME                  bce: binary cross-entropy",
                "wgan-gp: Wasserstein loss with a gradient penalty",
                "--critic-steps N             discriminator (critic) updates per generator update",
                "(default 1; wgan-gp 5)",
                "--gp-weight X                wgan-gp's gradient penalty weight lambda (default 10)",
                "wgan-gp: 0.0005, five times the paper's, betas 0 and 0.9")) {
            assertTrue(r.out().contains(line), line + " in\n" + r.out());
        }
    }

    @Test
    void wganGpTrainsALayerNormCriticAndWritesItsWassersteinEstimateAndPenaltyPerEpoch() throws IOException {
        Path wgan = tmp.resolve("wgan");
        Result r = kiln("gan", "--data-dir", data.toString(), "--epochs", "2", "--batch", "16", "--latent", "8",
                "--feature-maps", "4", "--loss", "wgan-gp", "--critic-steps", "2", "--gp-weight", "5", "--out",
                wgan.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("wgan-gp loss (gradient penalty weight 5.0), 2 discriminator step(s) per generator"
                + " step, Adam lr 5.0E-4 betas (0.0, 0.9)"), r.out());
        List<String> lines = Files.readAllLines(wgan.resolve("metrics.csv"));
        assertEquals("epoch,discriminator_loss,generator_loss,wasserstein_estimate,gradient_penalty,seconds,"
                + "samples_per_s", lines.get(0));
        assertEquals(3, lines.size(), "header and two epochs");
        JsonObject summary = r.lastLineJson();
        assertEquals("wgan-gp", summary.get("loss").getAsString());
        assertEquals(2, summary.get("critic_steps").getAsInt());
        assertTrue(summary.get("gradient_penalty").getAsDouble() > 0, summary.toString());
        assertTrue(summary.has("wasserstein_estimate"), summary.toString());
        BufferedImage plot = ImageIO.read(wgan.resolve("training.png").toFile());
        assertEquals(2 * TrainingPlot.PANEL_WIDTH, plot.getWidth(), "the losses and, beside them, the critic's terms");
        Map<String, String> meta = Trainer.metadata(wgan.resolve(Trainer.CHECKPOINT));
        assertEquals("wgan-gp", meta.get("loss"));
        assertEquals("layer", meta.get("discriminator_norm"));
        Result sample = kiln("gan", "--sample", wgan.resolve(Trainer.CHECKPOINT).toString(), "--count", "4");
        assertEquals(0, sample.code(), sample.toString());
    }

    @Test
    void aPenaltyWeightWithoutWganGpFailsWithTwo() {
        Result r = kiln("gan", "--data-dir", tmp.resolve("nothing").toString(), "--gp-weight", "10");
        assertEquals(2, r.code(), r.toString());
        assertEquals("kiln gan: --gp-weight applies to --loss wgan-gp only, not bce", r.err().strip());
    }

    @Test
    void aPenaltyWeightOrCriticStepsBelowTheirRangeFailWithTwoBeforeLoadingData() {
        Result weight = kiln("gan", "--data-dir", tmp.resolve("nothing").toString(), "--loss", "wgan-gp",
                "--gp-weight", "0");
        assertEquals(2, weight.code(), weight.toString());
        assertEquals("kiln gan: --gp-weight must be a finite number > 0, got 0.0", weight.err().strip());
        Result steps = kiln("gan", "--data-dir", tmp.resolve("nothing").toString(), "--critic-steps", "0");
        assertEquals(2, steps.code(), steps.toString());
        assertEquals("kiln gan: --critic-steps must be a positive integer, got 0", steps.err().strip());
    }

    @Test
    void anUnknownLossFailsWithTwoNamingTheKnownOnesBeforeLoadingData() {
        Result r = kiln("gan", "--data-dir", tmp.resolve("nothing").toString(), "--loss", "wgan");
        assertEquals(2, r.code(), r.toString());
        assertEquals("kiln gan: unknown GAN loss 'wgan'; known: [bce, wgan-gp]", r.err().strip());
    }

    /** {@code kiln gan} on the fake MNIST with the tiny networks of {@link #trainTwoEpochs}, and {@code more} options. */
    private static Result gan(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("gan", "--data-dir", data.toString(), "--batch", "16", "--latent",
                "8", "--feature-maps", "4", "--out", out.toString()));
        args.addAll(Arrays.asList(more));
        return kiln(args.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bce", "wgan-gp"})
    void oneEpochResumedToTwoEndsExactlyWhereAnUninterruptedRunOfTwoEnds(String loss) throws IOException {
        // Two critic steps per generator step and three batches an epoch: the generator's updates straddle the epochs.
        String[] options = {"--loss", loss, "--critic-steps", "2"};
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        assertEquals(0, gan(whole, with(options, "--epochs", "2")).code());
        assertEquals(0, gan(parts, with(options, "--epochs", "1")).code());
        Result resumed = gan(parts, with(options, "--epochs", "2", "--resume",
                parts.resolve(Trainer.CHECKPOINT).toString()));
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resumed after epoch 1 of ") && !resumed.out().contains("epoch 1:"),
                resumed.toString());
        assertSameTensors(whole.resolve(Trainer.CHECKPOINT), parts.resolve(Trainer.CHECKPOINT));
        Map<String, String> expected = Trainer.metadata(whole.resolve(Trainer.CHECKPOINT));
        Map<String, String> actual = Trainer.metadata(parts.resolve(Trainer.CHECKPOINT));
        for (String key : List.of("epoch", "random_seed", "random_counter", "critic_steps_since_generator",
                "last_generator_loss")) {
            assertEquals(expected.get(key), actual.get(key), key);
        }
        assertEquals(withoutTimes(whole), withoutTimes(parts), "metrics.csv: both epochs' losses and terms");
        assertArrayEquals(Files.readAllBytes(whole.resolve("samples-epoch2.png")),
                Files.readAllBytes(parts.resolve("samples-epoch2.png")), "the fixed noise's images after epoch 2");
    }

    /**
     * Two processes simulated in one JVM, each from an empty table of kernel choices: the first settles its
     * convolutions on oneDNN, the resuming one would settle them on OpenBLAS but takes the choices written beside the
     * checkpoint.
     */
    @Test
    void aRunResumedInAProcessThatWouldChooseOtherKernelsEndsExactlyWhereAnUninterruptedRunEnds() throws IOException {
        Backend backend = Engine.get().backend();
        assumeTrue(backend.name().equals("cpu"), "the kernel choices simulated are the CPU backend's");
        String kernel = "kiln.cpu.convolutionKernel";
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        try {
            System.setProperty(kernel, "onednn");
            backend.useTuningChoices(Map.of());
            assertEquals(0, gan(whole, "--epochs", "2").code());
            backend.useTuningChoices(Map.of());
            assertEquals(0, gan(parts, "--epochs", "1").code());
            assumeTrue(Files.exists(parts.resolve(TuningChoices.FILE)), "oneDNN did not load: no choices to keep");
            System.setProperty(kernel, "openblas");
            backend.useTuningChoices(Map.of());
            Result resumed = gan(parts, "--epochs", "2", "--resume", parts.resolve(Trainer.CHECKPOINT).toString());
            assertEquals(0, resumed.code(), resumed.toString());
        } finally {
            System.clearProperty(kernel);
            backend.useTuningChoices(Map.of());
        }
        assertSameTensors(whole.resolve(Trainer.CHECKPOINT), parts.resolve(Trainer.CHECKPOINT));
    }

    @Test
    void resumeWithOtherSettingsFailsWithTwoNamingEachWithBothValuesBeforeLoadingData() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, gan(out, "--epochs", "1").code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result r = kiln("gan", "--data-dir", tmp.resolve("nothing").toString(), "--batch", "8", "--latent", "8",
                "--feature-maps", "4", "--lr", "0.001", "--seed", "2", "--out", out.toString(), "--epochs", "2",
                "--resume", checkpoint.toString());
        assertEquals(2, r.code(), r.toString());
        for (String difference : List.of("batch '16', this run asks for '8'", "lr '2.0E-4', this run asks for '0.001'",
                "seed '1', this run asks for '2'")) {
            assertTrue(r.err().contains(difference), difference + " missing from\n" + r);
        }
        assertEquals("1", Trainer.metadata(checkpoint).get("epoch"), "the checkpoint is left as it was");
    }

    @Test
    void resumeWithAnotherLossFailsWithTwoNamingBoth() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, gan(out, "--epochs", "1").code());
        Result r = gan(out, "--epochs", "2", "--loss", "wgan-gp", "--resume", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("loss 'bce', this run asks for 'wgan-gp'"), r.toString());
    }

    @Test
    void resumeFromAMissingCheckpointFailsWithOneNamingIt() {
        Path missing = tmp.resolve("run").resolve(Trainer.CHECKPOINT);
        Result r = gan(tmp.resolve("run"), "--resume", missing.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals("kiln gan: no such file: " + missing, r.err().strip());
    }

    @Test
    void resumeFromATruncatedCheckpointFailsWithOneNamingItAndWhatIsWrong() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, gan(out, "--epochs", "1").code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        byte[] bytes = Files.readAllBytes(checkpoint);
        Files.write(checkpoint, Arrays.copyOf(bytes, bytes.length / 2));
        Result r = gan(out, "--epochs", "2", "--resume", checkpoint.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("kiln gan: " + checkpoint + ": "), r.toString());
    }

    @Test
    void resumeFromAWeightsOnlyCheckpointFailsWithTwoSayingItCannotBeResumed() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, gan(out, "--epochs", "1").code());
        // In the run's folder: --out over another folder's run is refused before the checkpoint is read.
        Path weights = out.resolve("weights.safetensors");
        Map<String, String> meta = Trainer.metadata(out.resolve(Trainer.CHECKPOINT));
        try (SafeTensors.Loaded all = SafeTensors.read(out.resolve(Trainer.CHECKPOINT))) {
            Map<String, Tensor> model = new LinkedHashMap<>(all.tensors());
            model.keySet().removeIf(name -> !name.startsWith("model."));
            SafeTensors.write(weights, model, meta);
        }
        Result r = gan(out, "--epochs", "2", "--resume", weights.toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals("kiln gan: " + weights + " holds a GAN's weights without its optimizers' state and fixed noise"
                + " (written by a kiln gan that could not resume yet): it cannot be resumed", r.err().strip());
    }

    @Test
    void resumeFromAnotherCommandsCheckpointFailsWithTwoNamingWhatItHolds() throws IOException {
        Path lm = tmp.resolve("charlm.safetensors");
        SafeTensors.write(lm, Map.of(), Map.of("model", "charlm"));
        Result r = gan(tmp.resolve("run"), "--resume", lm.toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals("kiln gan: --resume " + lm + " is not a kiln gan checkpoint (model charlm)", r.err().strip());
    }

    @Test
    void resumingARunAlreadyAtItsEpochsSaysSoAndLeavesItsOutputsAlone() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, gan(out, "--epochs", "1").code());
        byte[] csv = Files.readAllBytes(out.resolve("metrics.csv"));
        byte[] checkpoint = Files.readAllBytes(out.resolve(Trainer.CHECKPOINT));
        Result r = gan(out, "--epochs", "1", "--resume", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("already at epoch 1 of --epochs 1: nothing to train"), r.toString());
        assertFalse(r.out().contains("epoch 1:"), r.toString());
        assertArrayEquals(csv, Files.readAllBytes(out.resolve("metrics.csv")), "metrics.csv is left as it was");
        assertArrayEquals(checkpoint, Files.readAllBytes(out.resolve(Trainer.CHECKPOINT)));
    }

    @Test
    void helpOffersResumeWithEpochsCountedOverTheWholeRun() {
        Result r = kiln("gan", "--help");
        assertEquals(0, r.code(), r.toString());
        for (String line : List.of("--resume FILE                continue from the checkpoint.safetensors of an",
                "--epochs N                   the last epoch to train, counted over the whole run")) {
            assertTrue(r.out().contains(line), line + " in\n" + r.out());
        }
    }

    private static String[] with(String[] options, String... more) {
        List<String> all = new ArrayList<>(Arrays.asList(options));
        all.addAll(Arrays.asList(more));
        return all.toArray(String[]::new);
    }

    /** Every tensor of two checkpoints, value for value: weights, buffers, optimizer states and fixed noise. */
    private static void assertSameTensors(Path expected, Path actual) throws IOException {
        try (SafeTensors.Loaded e = SafeTensors.read(expected); SafeTensors.Loaded a = SafeTensors.read(actual)) {
            assertEquals(e.tensors().keySet(), a.tensors().keySet());
            assertTrue(e.tensors().keySet().containsAll(List.of("model.generator.1.weight",
                    "generator_optimizer.state.0.exp_avg", "discriminator_optimizer.state.0.exp_avg", "fixed_noise")),
                    e.tensors().keySet().toString());
            e.tensors().forEach((name, t) -> assertArrayEquals(t.toDoubleArray(), a.tensors().get(name).toDoubleArray(),
                    name));
        }
    }

    /** The lines of a run's metrics.csv without its two timing columns, the last. */
    private static List<String> withoutTimes(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.csv")).stream()
                .map(line -> line.substring(0, line.lastIndexOf(',', line.lastIndexOf(',') - 1))).toList();
    }

    /** A readable PNG of at least {@code columns} x {@code rows} 28x28 images at ImageGrid's scale. */
    private static void assertGrid(Path png, int columns, int rows) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png.toString());
        int side = 28 * ImageGrid.PIXEL;
        assertTrue(image.getWidth() >= columns * side && image.getHeight() >= rows * side
                && image.getHeight() < (rows + 1) * side + 60, png + ": " + image.getWidth() + "x" + image.getHeight());
    }
}
