package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link SummaryWriter#addScalars}' writers as they live (one per series, open until the writer's flush and close),
 * and the input {@code addScalars}, {@code addImages}, weighted {@code addPrCurve} and {@code addHparams} with domains
 * refuse.
 */
class SummaryWriterScalarsImagesTest {
    @TempDir
    Path dir;

    private static int records(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> events = files.filter(Files::isRegularFile).toList();
            assertEquals(1, events.size(), events.toString());
            return EventFileReader.records(Files.readAllBytes(events.get(0))).size();
        }
    }

    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void eachSeriesKeepsOneFileThatFlushAndCloseWrite() throws IOException {
        SummaryWriter w = new SummaryWriter(dir);
        for (int step = 0; step < 3; step++) {
            w.addScalars("loss", Map.of("train", 1.0 / (step + 1), "test", 2.0), step);
        }
        w.flush();
        assertEquals(4, records(dir.resolve("loss_train")));
        assertEquals(4, records(dir.resolve("loss_test")));
        w.addScalars("loss", Map.of("train", 0.125), 3);
        w.close();
        assertEquals(5, records(dir.resolve("loss_train")));
        assertEquals("SummaryWriter: " + w.file() + " is closed",
                assertThrows(IllegalStateException.class, () -> w.addScalars("loss", Map.of("train", 1.0), 4))
                        .getMessage());
    }

    @Test
    void addScalarsRefusesASeriesThatWouldLeaveTheLogDirectoryAndWritesNoneOfTheCall() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir)) {
            Map<String, Double> series = new LinkedHashMap<>();
            series.put("fine", 1.0);
            series.put("x/../../up", 2.0);
            assertEquals("scalars 'loss': the series tag 'x/../../up' must not hold . or .. between slashes, which"
                    + " would put its run outside loss_<tag>", refusal(() -> w.addScalars("loss", series, 0)));
            assertFalse(Files.exists(dir.resolve("loss_fine")));
            Map<String, Double> noValue = new LinkedHashMap<>();
            noValue.put("train", null);
            assertEquals("scalars 'loss': a series needs a tag and a value, got train = null",
                    refusal(() -> w.addScalars("loss", noValue, 0)));
            assertEquals("SummaryWriter: a tag must not be empty", refusal(() -> w.addScalars("", series, 0)));
        }
    }

    @Test
    void addImagesRefusesWhatPyTorchCannotLayOut() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor chw = Tensor.zeros(3, 4, 5);
             Tensor rgba = Tensor.zeros(2, 4, 4, 5);
             Tensor none = Tensor.zeros(0, 3, 4, 5)) {
            assertEquals("images 'img': expected a shape [N, C, H, W] with C 1 or 3 and N, H, W at least 1, got"
                    + " [3, 4, 5]", refusal(() -> w.addImages("img", chw, 0)));
            assertEquals("images 'img': expected a shape [N, C, H, W] with C 1 or 3 and N, H, W at least 1, got"
                    + " [2, 4, 4, 5]", refusal(() -> w.addImages("img", rgba, 0)));
            assertEquals("images 'img': expected a shape [N, C, H, W] with C 1 or 3 and N, H, W at least 1, got"
                    + " [0, 3, 4, 5]", refusal(() -> w.addImages("img", none, 0)));
        }
    }

    @Test
    void prCurveWeightsMustBeOnePerElementFiniteAndNotNegative() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor labels = Tensor.fromArray(new float[] {1, 0, 1}, 3);
             Tensor predictions = Tensor.fromArray(new float[] {0.5f, 0.25f, 1}, 3);
             Tensor two = Tensor.fromArray(new float[] {1, 1}, 2);
             Tensor nan = Tensor.fromArray(new float[] {1, Float.NaN, 1}, 3);
             Tensor negative = Tensor.fromArray(new float[] {1, 1, -0.5f}, 3)) {
            assertEquals("pr curve 'pr': weights [2] must have as many elements as labels [3], got 2",
                    refusal(() -> w.addPrCurve("pr", labels, predictions, 0, 127, two)));
            assertEquals("pr curve 'pr': weights must be finite and at least 0, got NaN at 1",
                    refusal(() -> w.addPrCurve("pr", labels, predictions, 0, 127, nan)));
            assertEquals("pr curve 'pr': weights must be finite and at least 0, got -0.5 at 2",
                    refusal(() -> w.addPrCurve("pr", labels, predictions, 0, 127, negative)));
            assertEquals("pr curve 'pr': weights must not be null (the overload without them counts each element as"
                    + " 1)", refusal(() -> w.addPrCurve("pr", labels, predictions, 0, 127, null)));
        }
    }

    @Test
    void hparamDomainsMustNameAHyperparameterAndHoldValuesOfItsType() throws IOException {
        Map<String, Object> hparams = new LinkedHashMap<>();
        hparams.put("lr", 0.01);
        hparams.put("batch", 64);
        hparams.put("dropout", null);
        try (SummaryWriter w = new SummaryWriter(dir)) {
            Map<String, Double> metrics = Map.of("hparam/loss", 0.5);
            assertEquals("hparams: hparamDomainDiscrete names 'momentum', which is not one of the hyperparameters"
                    + " [lr, batch, dropout]",
                    refusal(() -> w.addHparams(hparams, metrics, Map.of("momentum", List.of(0.9)), "run")));
            assertEquals("hparams: hparamDomainDiscrete['lr'] must hold values of the hyperparameter's type"
                    + " (floating-point number, as 0.01), as PyTorch asks; got 1 (integer) at 1",
                    refusal(() -> w.addHparams(hparams, metrics, Map.of("lr", List.of(0.1, 1)), "run")));
            assertEquals("hparams: hparamDomainDiscrete['batch'] must hold values of the hyperparameter's type"
                    + " (integer, as 64), as PyTorch asks; got big (string) at 0",
                    refusal(() -> w.addHparams(hparams, metrics, Map.of("batch", List.of("big")), "run")));
            assertEquals("hparams: hparamDomainDiscrete['dropout'] needs a hyperparameter and a list of values, got"
                    + " the value null and the list [0.5]",
                    refusal(() -> w.addHparams(hparams, metrics, Map.of("dropout", List.of(0.5)), "run")));
            assertFalse(Files.exists(dir.resolve("run")));
        }
    }
}
