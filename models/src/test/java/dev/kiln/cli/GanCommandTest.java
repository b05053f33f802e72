package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.io.SafeTensors;
import dev.kiln.train.ImageGrid;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingPlot;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** A readable PNG of at least {@code columns} x {@code rows} 28x28 images at ImageGrid's scale. */
    private static void assertGrid(Path png, int columns, int rows) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png.toString());
        int side = 28 * ImageGrid.PIXEL;
        assertTrue(image.getWidth() >= columns * side && image.getHeight() >= rows * side
                && image.getHeight() < (rows + 1) * side + 60, png + ": " + image.getWidth() + "x" + image.getHeight());
    }
}
