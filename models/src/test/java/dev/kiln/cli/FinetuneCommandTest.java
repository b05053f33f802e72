package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.io.SafeTensors;
import dev.kiln.train.Trainer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln finetune} and {@code kiln pretrain} end to end on a tiny fake MNIST: a LeNet trained once by
 * {@code kiln train} is the source; the references are its checkpoint's tensors and LeNet's parameter counts
 * (conv 520 + conv 25,050 + dense 400,500 kept, new head 500->10: 5,010).
 */
class FinetuneCommandTest {
    private static final long HEAD = 5_010;
    private static final long LENET = 520 + 25_050 + 400_500 + HEAD;

    @TempDir
    static Path shared;
    private static Path data;
    private static Path lenet;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainASourceLenet() throws IOException {
        data = KilnRuns.fakeMnist(shared.resolve("data"), 300, 100);
        Path run = shared.resolve("lenet");
        Result r = kiln("train", "lenet", "--data-dir", data.toString(), "--epochs", "1", "--batch", "64", "--out", run.toString());
        assertEquals(0, r.code(), r.toString());
        lenet = run.resolve(Trainer.CHECKPOINT);
    }

    private Result finetune(Path out, String... more) {
        String[] base = {"finetune", "--from", lenet.toString(), "--data-dir", data.toString(), "--per-class", "5",
                "--epochs", "1", "--batch", "16", "--out", out.toString()};
        String[] args = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return kiln(args);
    }

    private static double[] tensor(Path checkpoint, String name) throws IOException {
        try (SafeTensors.Loaded loaded = SafeTensors.read(checkpoint)) {
            return loaded.tensors().get(name).toDoubleArray();
        }
    }

    @Test
    void frozenFeaturesTrainOnlyTheNewHeadAndKeepTheSourcesWeights() throws IOException {
        Path out = tmp.resolve("frozen");
        Result r = finetune(out, "--freeze", "all");
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals("finetune", summary.get("model").getAsString());
        assertEquals("lenet", summary.get("source_model").getAsString());
        assertEquals(9, summary.get("layers").getAsInt(), "all but lenet's output layer");
        assertEquals(50, summary.get("train_images").getAsInt(), "5 per class");
        assertEquals(HEAD, summary.get("trainable_params").getAsLong());
        for (String key : List.of("test_accuracy", "test_loss", "train_accuracy", "seconds", "train_seconds")) {
            assertTrue(summary.has(key), key + " missing from " + summary);
        }
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        for (String frozen : List.of("model.0.weight", "model.3.bias", "model.7.weight")) {
            assertArrayEquals(tensor(lenet, frozen), tensor(checkpoint, frozen), frozen);
        }
        assertEquals(10 * 500, tensor(checkpoint, "model.9.weight").length, "the new head");
        assertNotNull(ImageIO.read(out.resolve("training.png").toFile()));
        assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size());
    }

    @Test
    void freezeNoneFineTunesEveryLayer() throws IOException {
        Path out = tmp.resolve("none");
        Result r = finetune(out, "--freeze", "none");
        assertEquals(0, r.code(), r.toString());
        assertEquals(LENET, r.lastLineJson().get("trainable_params").getAsLong());
        assertFalse(Arrays.equals(tensor(lenet, "model.0.weight"), tensor(out.resolve(Trainer.CHECKPOINT), "model.0.weight")));
    }

    @Test
    void freezeKTrainsTheHeadAndTheTopKKeptLayersWithWeights() throws IOException {
        Path out = tmp.resolve("k1");
        Result r = finetune(out, "--freeze", "1", "--lr-decay", "0.5");
        assertEquals(0, r.code(), r.toString());
        assertEquals(400_500 + HEAD, r.lastLineJson().get("trainable_params").getAsLong());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        assertArrayEquals(tensor(lenet, "model.3.weight"), tensor(checkpoint, "model.3.weight"));
        assertFalse(Arrays.equals(tensor(lenet, "model.7.weight"), tensor(checkpoint, "model.7.weight")));
    }

    @Test
    void randomWeightsTrainTheSameNetworkFromScratch() throws IOException {
        Path out = tmp.resolve("scratch");
        Result r = finetune(out, "--weights", "random", "--freeze", "all");
        assertEquals(0, r.code(), r.toString());
        assertEquals("random", r.lastLineJson().get("weights").getAsString());
        assertFalse(Arrays.equals(tensor(lenet, "model.0.weight"), tensor(out.resolve(Trainer.CHECKPOINT), "model.0.weight")),
                "frozen, yet not the source's weights: fresh ones");
    }

    @Test
    void evalReadsAFineTunedCheckpoint() {
        Path out = tmp.resolve("eval");
        assertEquals(0, finetune(out).code());
        Result r = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("finetune", r.lastLineJson().get("model").getAsString());
        assertTrue(Files.isRegularFile(out.resolve("filters.png")), "the kept convolution's kernels are drawn");
    }

    /** A black 28x28 PNG. */
    private Path blankImage() throws IOException {
        Path image = tmp.resolve("blank.png");
        assertTrue(ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", image.toFile()));
        return image;
    }

    @Test
    void predictReadsAFineTunedCheckpoint() throws IOException {
        Path out = tmp.resolve("predict");
        assertEquals(0, finetune(out).code());
        Result r = kiln("predict", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), blankImage().toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(10, r.lastLineJson().get("probabilities").getAsJsonArray().size(), r.toString());
    }

    @Test
    void evalAndPredictSayAnAutoencoderCheckpointIsKilnPretrainsForKilnFinetune() throws IOException {
        Path run = tmp.resolve("ae");
        assertEquals(0, kiln("pretrain", "ae", "--data-dir", data.toString(), "--epochs", "1", "--train-size", "100",
                "--out", run.toString()).code());
        Path checkpoint = run.resolve(Trainer.CHECKPOINT);
        String expected = checkpoint + " is not a kiln train or kiln finetune checkpoint (model ae): an autoencoder of"
                + " kiln pretrain, which kiln finetune --from reads";
        Result eval = kiln("eval", "--checkpoint", checkpoint.toString(), "--data-dir", data.toString());
        assertEquals(2, eval.code(), eval.toString());
        assertEquals("kiln eval: " + expected, eval.err().strip());
        Result predict = kiln("predict", "--checkpoint", checkpoint.toString(), blankImage().toString());
        assertEquals(2, predict.code(), predict.toString());
        assertEquals("kiln predict: " + expected, predict.err().strip());
    }

    @Test
    void badArgumentsFailWithTwoAndSayWhy() {
        Result noFrom = kiln("finetune", "--data-dir", data.toString());
        assertEquals(2, noFrom.code(), noFrom.toString());
        assertTrue(noFrom.err().contains("--from"), noFrom.toString());

        Result tooDeep = finetune(tmp.resolve("x"), "--freeze", "4");
        assertEquals(2, tooDeep.code(), tooDeep.toString());
        assertTrue(tooDeep.err().contains("3 layers with weights") && tooDeep.err().contains("[0, 3]"), tooDeep.toString());

        Result wrongModel = finetune(tmp.resolve("x"), "--model", "mlp");
        assertEquals(2, wrongModel.code(), wrongModel.toString());
        assertTrue(wrongModel.err().contains("holds a lenet"), wrongModel.toString());

        Result tooMany = finetune(tmp.resolve("x"), "--layers", "11");
        assertEquals(2, tooMany.code(), tooMany.toString());
        assertTrue(tooMany.err().contains("has 10 modules"), tooMany.toString());

        Result both = finetune(tmp.resolve("x"), "--train-size", "20");
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("not both"), both.toString());
    }

    @Test
    void lrDecayAboveOneFailsWithTwoNamingTheOption() {
        Result r = finetune(tmp.resolve("x"), "--lr-decay", "2");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--lr-decay must be in (0, 1], got 2.0"), r.toString());
    }

    @Test
    void pretrainWritesWeightsMetricsAndReconstructionsAndFinetuneTakesItsEncoder() throws IOException {
        Path run = tmp.resolve("ae");
        Result r = kiln("pretrain", "ae", "--data-dir", data.toString(), "--epochs", "2", "--train-size", "100", "--out",
                run.toString());
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals("ae", summary.get("model").getAsString());
        assertEquals(2, summary.get("epochs").getAsInt());
        assertTrue(summary.get("test_reconstruction_mse").getAsDouble() > 0, summary.toString());
        assertEquals(3, Files.readAllLines(run.resolve("metrics.csv")).size(), "header and two epochs");
        assertEquals("autoencoder", Trainer.metadata(run.resolve(Trainer.CHECKPOINT)).get("kind"));
        BufferedImage pairs = ImageIO.read(run.resolve("reconstructions.png").toFile());
        assertNotNull(pairs);
        assertTrue(pairs.getWidth() >= 8 * 28 * 3 && pairs.getHeight() >= 8 * 28 * 3, pairs.getWidth() + "x" + pairs.getHeight());
        assertFalse(Files.exists(run.resolve("samples.png")), "only a VAE samples");

        Path out = tmp.resolve("from-ae");
        Result f = kiln("finetune", "--from", run.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString(),
                "--per-class", "5", "--epochs", "1", "--out", out.toString());
        assertEquals(0, f.code(), f.toString());
        assertEquals(5, f.lastLineJson().get("layers").getAsInt(), "the whole encoder: flatten, dense, ReLU, dense, ReLU");
        assertEquals(64 * 10 + 10, f.lastLineJson().get("trainable_params").getAsLong());
        assertArrayEquals(tensor(run.resolve(Trainer.CHECKPOINT), "model.encoder.1.weight"),
                tensor(out.resolve(Trainer.CHECKPOINT), "model.1.weight"));
    }

    @Test
    void finetuneTakesAConvolutionalAutoencodersEncoder() throws IOException {
        Path run = tmp.resolve("conv");
        Result r = kiln("pretrain", "conv", "--data-dir", data.toString(), "--epochs", "1", "--train-size", "100",
                "--out", run.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.exists(run.resolve("reconstructions.png")));

        Path out = tmp.resolve("from-conv");
        Result f = kiln("finetune", "--from", run.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString(),
                "--per-class", "5", "--epochs", "1", "--out", out.toString());
        assertEquals(0, f.code(), f.toString());
        assertEquals(7, f.lastLineJson().get("layers").getAsInt(),
                "the whole encoder: two convolutions and ReLUs, flatten, dense, ReLU");
        assertEquals(64 * 10 + 10, f.lastLineJson().get("trainable_params").getAsLong());
        assertArrayEquals(tensor(run.resolve(Trainer.CHECKPOINT), "model.encoder.0.weight"),
                tensor(out.resolve(Trainer.CHECKPOINT), "model.0.weight"));
    }

    @Test
    void pretrainOfAVaeAlsoDrawsSamplesFromThePrior() throws IOException {
        Path run = tmp.resolve("vae");
        Result r = kiln("pretrain", "vae", "--data-dir", data.toString(), "--epochs", "1", "--train-size", "100", "--out",
                run.toString());
        assertEquals(0, r.code(), r.toString());
        BufferedImage samples = ImageIO.read(run.resolve("samples.png").toFile());
        assertNotNull(samples);
        assertTrue(samples.getWidth() >= 8 * 28 * 3 && samples.getHeight() >= 8 * 28 * 3, samples.getWidth() + "x" + samples.getHeight());
        assertEquals(run.resolve("samples.png").toString(), r.lastLineJson().get("samples").getAsString());
    }

    @Test
    void aLenetTrainedOnMnistFineTunesOnAFolderOfThreeClassesThatEvalReportsByName() throws IOException {
        Path folder = KilnRuns.imageFolders(tmp.resolve("letters"), List.of("a", "b", "c"), 28, 28, false, 6, 3);
        Path out = tmp.resolve("run");
        Result r = kiln("finetune", "--from", lenet.toString(), "--data", "folder:" + folder, "--channels", "1",
                "--epochs", "1", "--batch", "6", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(3, r.lastLineJson().get("classes").getAsInt());
        Map<String, String> meta = Trainer.metadata(out.resolve(Trainer.CHECKPOINT));
        assertEquals("[\"a\",\"b\",\"c\"]", meta.get("class_names"));
        assertEquals("folder:" + folder.toAbsolutePath(), meta.get("data"));
        assertEquals(3 * 500, tensor(out.resolve(Trainer.CHECKPOINT), "model.9.weight").length,
                "the new head has a row of 500 weights per class");
        Result e = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.out().contains("test set (9 images)"), e.toString());
        for (String name : List.of("a", "b", "c")) {
            assertTrue(e.out().lines().anyMatch(line -> line.matches("\\s*" + name + "( +[01]\\.\\d{4}){3} +\\d+")),
                    "a row for class " + name + " in\n" + e);
        }
    }

    @Test
    void targetImagesOfAnotherShapeThanTheModelTakesAreRefusedSayingWhatToGive() throws IOException {
        Path folder = KilnRuns.imageFolders(tmp.resolve("small"), List.of("a", "b"), 6, 5, false, 2, 1);
        Result r = kiln("finetune", "--from", lenet.toString(), "--data", "folder:" + folder, "--channels", "1",
                "--out", tmp.resolve("run").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("has features of shape [1, 6, 5], but lenet of " + lenet + " takes [1, 28, 28]:"
                + " give folder data --channels 1 --image-size 28x28"), r.toString());
    }
}
