package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln train}, {@code kiln eval} and {@code kiln predict} on a user's own data: {@code --data folder:DIR} (tiny
 * generated PNGs, a folder per class) and {@code --data csv:DIR}.
 */
class OwnDataCommandTest {
    private static final List<String> SHAPES = List.of("circle", "square", "triangle");

    @TempDir
    Path tmp;

    private Path folders(String name, List<String> classes, int height, int width, boolean rgb, int train, int test)
            throws IOException {
        return KilnRuns.imageFolders(tmp.resolve(name), classes, height, width, rgb, train, test);
    }

    /** DIR/train.csv and DIR/test.csv: four features and a "species" label column last. */
    private Path csv(String name, List<String> trainSpecies, List<String> testSpecies) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Random random = new Random(5);
        for (String split : List.of("train", "test")) {
            List<String> species = split.equals("train") ? trainSpecies : testSpecies;
            List<String> lines = new ArrayList<>(List.of("a,b,c,d,species"));
            for (int i = 0; i < 30; i++) {
                int c = i % species.size();
                lines.add(String.format("%d,%d,%d,%d,%s", 10 * c + random.nextInt(5), random.nextInt(5),
                        20 * c + random.nextInt(5), random.nextInt(5), species.get(c)));
            }
            Files.write(dir.resolve(split + ".csv"), lines);
        }
        return dir;
    }

    private Result train(String model, String data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", model, "--data", data, "--epochs", "1", "--batch", "8",
                "--out", out.toString()));
        args.addAll(List.of(more));
        return kiln(args.toArray(String[]::new));
    }

    private static void assertReportRowsFor(Result r, List<String> classes) {
        for (String name : classes) {
            String row = "\\s*" + name + "( +[01]\\.\\d{4}){3} +\\d+";
            assertTrue(r.out().lines().anyMatch(line -> line.matches(row)), "a row for class " + name + " in\n" + r);
        }
    }

    @Test
    void greyFolderDataTrainsAnMlpThatEvalAndPredictReportByClassName() throws IOException {
        Path data = folders("shapes", SHAPES, 6, 5, false, 8, 4);
        Path out = tmp.resolve("run");
        Result t = train("mlp", "folder:" + data, out, "--channels", "1");
        assertEquals(0, t.code(), t.toString());
        assertEquals("folder:" + data.toAbsolutePath(), t.lastLineJson().get("data").getAsString());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Map<String, String> meta = Trainer.metadata(checkpoint);
        assertEquals("1,6,5", meta.get("feature_shape"));
        assertEquals("[\"circle\",\"square\",\"triangle\"]", meta.get("class_names"));
        assertEquals("1", meta.get("channels"));

        Result e = kiln("eval", "--checkpoint", checkpoint.toString());
        assertEquals(0, e.code(), e.toString());
        assertReportRowsFor(e, SHAPES);
        assertTrue(e.out().contains("test set (12 images)"), e.toString());

        Path square = data.resolve("test").resolve("square").resolve("0.png");
        Result p = kiln("predict", "--checkpoint", checkpoint.toString(), square.toString());
        assertEquals(0, p.code(), p.toString());
        JsonObject result = p.lastLineJson();
        assertEquals(3, result.get("probabilities").getAsJsonArray().size(), result.toString());
        assertEquals(SHAPES.get(result.get("predicted").getAsInt()), result.get("predicted_class").getAsString());
        for (String name : SHAPES) {
            assertTrue(p.out().contains("class " + name + " "), name + " missing from\n" + p);
        }
    }

    @Test
    void rgbFolderDataTrainsResnet18AtItsImagesSizeAndPredictScalesAnImageToTheGivenSize() throws IOException {
        Path data = folders("tints", List.of("blue", "red"), 8, 8, true, 6, 3);
        Path out = tmp.resolve("run");
        Result t = train("resnet18", "folder:" + data, out, "--image-size", "6x7");
        assertEquals(0, t.code(), t.toString());
        assertEquals("3,6,7", Trainer.metadata(out.resolve(Trainer.CHECKPOINT)).get("feature_shape"));
        Result e = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(0, e.code(), e.toString());
        assertReportRowsFor(e, List.of("blue", "red"));
        Path big = KilnRuns.image(tmp.resolve("big.png"), 20, 30, true, 100, new Random(1));
        Result p = kiln("predict", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), big.toString());
        assertEquals(0, p.code(), p.toString());
        assertEquals(2, p.lastLineJson().get("probabilities").getAsJsonArray().size(), p.toString());
    }

    @Test
    void resnet18TrainsOnImagesOfOnePixel() throws IOException {
        Path data = folders("dots", List.of("dark", "light"), 1, 1, false, 4, 2);
        Result t = train("resnet18", "folder:" + data, tmp.resolve("run"), "--channels", "1");
        assertEquals(0, t.code(), t.toString());
    }

    @Test
    void predictRefusesAnImageOfAnotherSizeThanAModelTrainedAtItsImagesOwnSize() throws IOException {
        Path data = folders("shapes", SHAPES, 6, 5, false, 4, 2);
        Path out = tmp.resolve("run");
        assertEquals(0, train("mlp", "folder:" + data, out, "--channels", "1").code());
        Path big = KilnRuns.image(tmp.resolve("big.png"), 20, 30, false, 0, new Random(1));
        Result p = kiln("predict", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), big.toString());
        assertEquals(2, p.code(), p.toString());
        assertTrue(p.err().contains(big + " is 20 x 30 but " + out.resolve(Trainer.CHECKPOINT)
                + " was trained on images of 6 x 5"), p.toString());
    }

    @Test
    void csvDataTrainsAnMlpThatEvalReportsByLabel() throws IOException {
        List<String> species = List.of("setosa", "versicolor", "virginica");
        Path data = csv("iris", species, species);
        Path out = tmp.resolve("run");
        Result t = train("mlp", "csv:" + data, out, "--label", "species", "--scale", "0.1");
        assertEquals(0, t.code(), t.toString());
        Map<String, String> meta = Trainer.metadata(out.resolve(Trainer.CHECKPOINT));
        assertEquals("4", meta.get("feature_shape"));
        assertEquals("name:species", meta.get("label"));
        assertEquals("0.1", meta.get("scale"));
        Result e = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(0, e.code(), e.toString());
        assertReportRowsFor(e, species);
    }

    @Test
    void csvRowsShapedAsImagesTrainResnet18() throws IOException {
        List<String> species = List.of("setosa", "virginica");
        Path data = csv("iris", species, species);
        Result t = train("resnet18", "csv:" + data, tmp.resolve("run"), "--label", "species", "--shape", "1,2,2");
        assertEquals(0, t.code(), t.toString());
    }

    @Test
    void predictOfACsvModelSaysItClassifiesRowsNotImages() throws IOException {
        List<String> species = List.of("setosa", "virginica");
        Path out = tmp.resolve("run");
        assertEquals(0, train("mlp", "csv:" + csv("iris", species, species), out, "--label", "species").code());
        Path png = KilnRuns.image(tmp.resolve("x.png"), 2, 2, false, 0, new Random(1));
        Result p = kiln("predict", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(), png.toString());
        assertEquals(2, p.code(), p.toString());
        assertTrue(p.err().contains("was trained on CSV rows"), p.toString());
    }

    @Test
    void aFolderWithoutTrainIsRefusedSayingWhatItShouldHold() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("empty"));
        Result t = train("mlp", "folder:" + data, tmp.resolve("run"));
        assertEquals(2, t.code(), t.toString());
        assertTrue(t.err().contains(data.toAbsolutePath().resolve("train") + " is not a folder; --data folder:DIR reads"
                + " DIR/train and DIR/test, each with a folder per class"), t.toString());
    }

    @Test
    void aCsvFolderWithoutTrainCsvIsRefusedNamingTheFile() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("empty"));
        Result t = train("mlp", "csv:" + data, tmp.resolve("run"));
        assertEquals(2, t.code(), t.toString());
        assertTrue(t.err().contains(data.toAbsolutePath().resolve("train.csv") + ": no such file"), t.toString());
    }

    @Test
    void trainAndTestWithOtherClassesAreRefusedNamingBothLists() throws IOException {
        Path data = folders("shapes", SHAPES, 4, 4, false, 2, 1);
        Files.move(data.resolve("test").resolve("square"), data.resolve("test").resolve("squares"));
        Result t = train("mlp", "folder:" + data, tmp.resolve("run"));
        assertEquals(2, t.code(), t.toString());
        assertTrue(t.err().contains("has the classes [circle, square, triangle] but "
                + data.toAbsolutePath().resolve("test") + " has [circle, squares, triangle]; train and test need the same"
                + " classes"), t.toString());
    }

    @Test
    void csvTrainAndTestWithOtherLabelsAreRefusedNamingBothLists() throws IOException {
        Path data = csv("iris", List.of("setosa", "virginica"), List.of("setosa", "versicolor"));
        Result t = train("mlp", "csv:" + data, tmp.resolve("run"), "--label", "species");
        assertEquals(2, t.code(), t.toString());
        assertTrue(t.err().contains("has the classes [setosa, virginica] but "
                + data.toAbsolutePath().resolve("test.csv") + " has [setosa, versicolor]"), t.toString());
    }

    @Test
    void trainAndTestImagesOfOtherSizesAreRefusedNamingBothShapesAndTheOptionThatScales() throws IOException {
        Path data = folders("shapes", SHAPES, 4, 4, false, 2, 0);
        for (String name : SHAPES) {
            KilnRuns.image(Files.createDirectories(data.resolve("test").resolve(name)).resolve("0.png"), 5, 4, false, 0,
                    new Random(2));
        }
        Result t = train("mlp", "folder:" + data, tmp.resolve("run"));
        assertEquals(2, t.code(), t.toString());
        assertTrue(t.err().contains("has features of shape [3, 4, 4] but " + data.toAbsolutePath().resolve("test")
                + " has [3, 5, 4]; give --image-size HxW"), t.toString());
    }

    @Test
    void anMnistShapedModelOnOtherDataIsRefusedNamingBothShapesAndTheData() throws IOException {
        Path data = folders("shapes", SHAPES, 4, 4, false, 2, 1);
        Result t = train("lenet", "folder:" + data, tmp.resolve("run"));
        assertEquals(2, t.code(), t.toString());
        assertTrue(t.err().contains("lenet takes MNIST-shaped images [1, 28, 28]; --data folder:"
                + data.toAbsolutePath() + " gives features of shape [3, 4, 4]"), t.toString());
    }

    @Test
    void resumeWithOtherDataSettingsIsRefusedNamingBothValues() throws IOException {
        Path data = folders("shapes", SHAPES, 4, 4, false, 2, 1);
        Path out = tmp.resolve("run");
        assertEquals(0, train("mlp", "folder:" + data, out).code());
        Result r = train("mlp", "folder:" + data, out, "--channels", "1", "--epochs", "2",
                "--resume", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("channels '3', this run asks for '1'"), r.toString());
    }

    @Test
    void resumeOnAnotherDataFolderIsRefusedNamingBoth() throws IOException {
        Path data = folders("shapes", SHAPES, 4, 4, false, 2, 1);
        Path other = folders("other", SHAPES, 4, 4, false, 2, 1);
        Path out = tmp.resolve("run");
        assertEquals(0, train("mlp", "folder:" + data, out).code());
        Result r = train("mlp", "folder:" + other, out, "--epochs", "2",
                "--resume", out.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("data 'folder:" + data.toAbsolutePath() + "', this run asks for 'folder:"
                + other.toAbsolutePath() + "'"), r.toString());
    }

    @Test
    void evalOnDataOfOtherClassesIsRefusedNamingBothLists() throws IOException {
        Path data = folders("shapes", SHAPES, 4, 4, false, 2, 1);
        Path other = folders("colours", List.of("blue", "green", "red"), 4, 4, false, 2, 1);
        Path out = tmp.resolve("run");
        assertEquals(0, train("mlp", "folder:" + data, out).code());
        Result e = kiln("eval", "--checkpoint", out.resolve(Trainer.CHECKPOINT).toString(),
                "--data", "folder:" + other);
        assertEquals(2, e.code(), e.toString());
        assertTrue(e.err().contains("was trained on the classes [circle, square, triangle] but the test set of --data"
                + " folder:" + other.toAbsolutePath() + " has [blue, green, red]"), e.toString());
    }

    @Test
    void finetuneFromAModelTrainedOnOwnDataIsRefusedNamingItsData() throws IOException {
        Path data = folders("shapes", SHAPES, 4, 4, false, 2, 1);
        Path out = tmp.resolve("run");
        assertEquals(0, train("mlp", "folder:" + data, out).code());
        Path checkpoint = out.resolve(Trainer.CHECKPOINT);
        Result f = kiln("finetune", "--from", checkpoint.toString(), "--out", tmp.resolve("tuned").toString());
        assertEquals(2, f.code(), f.toString());
        assertTrue(f.err().contains(checkpoint + " was trained on --data folder:" + data.toAbsolutePath()
                + "; kiln finetune starts from a model trained on mnist or fashion-mnist"), f.toString());
    }

    @Test
    void optionsOfAnotherDataKindAreRefusedNamingTheirKind() {
        Result r = kiln("train", "mlp", "--channels", "1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--channels is for --data folder:DIR, not --data mnist"), r.toString());
    }

    @Test
    void aMalformedImageSizeIsRefusedSayingTheForm() throws IOException {
        Result r = kiln("train", "mlp", "--data", "folder:" + tmp, "--image-size", "32");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--image-size must be HEIGHTxWIDTH in pixels, e.g. 32x32, got '32'"), r.toString());
    }

    @Test
    void anMnistRunRecordsOnlyTheDataSetsName() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 50);
        Path out = tmp.resolve("run");
        Result t = kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--out", out.toString());
        assertEquals(0, t.code(), t.toString());
        Map<String, String> meta = Trainer.metadata(out.resolve(Trainer.CHECKPOINT));
        assertEquals("mnist", meta.get("data"));
        for (String key : List.of("feature_shape", "class_names", "channels", "image_size", "label", "shape",
                "scale")) {
            assertFalse(meta.containsKey(key), key + " in " + meta);
        }
    }
}
