package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a {@link Trainer} run logs through a {@link TensorBoardListener}: tags, steps and values. */
class TensorBoardListenerTest {
    @TempDir
    Path dir;

    /** 40 examples of 4 Gaussian features, labelled by the first one's sign. */
    private static ArrayDataset signs() {
        Random random = new Random(3);
        float[] x = new float[40 * 4];
        long[] y = new long[40];
        for (int i = 0; i < 40; i++) {
            for (int f = 0; f < 4; f++) {
                x[i * 4 + f] = (float) random.nextGaussian();
            }
            y[i] = x[i * 4] > 0 ? 1 : 0;
        }
        return new ArrayDataset(x, y, new int[] {4}, 2);
    }

    /** "tag@step" of every summary value after the file's first event, in order. */
    private static List<String> tagsAtSteps(List<byte[]> events) {
        List<String> out = new ArrayList<>();
        for (byte[] e : events.subList(1, events.size())) {
            for (byte[] v : EventFileReader.values(e)) {
                out.add(EventFileReader.tag(v) + "@" + EventFileReader.step(e));
            }
        }
        return out;
    }

    @Test
    void aRunLogsBatchLossesEpochFiguresHistogramsAndWhyItStopped() throws IOException {
        Engine.seed(1);
        Path file;
        List<EpochMetrics> history;
        try (Sequential model = new Sequential(new Linear(4, 2));
             SGD sgd = new SGD(model.trainableParameters(), 0.1);
             SummaryWriter writer = new SummaryWriter(dir)) {
            Trainer trainer = new Trainer(model, sgd, new CrossEntropyLoss())
                    .listener(new TensorBoardListener(writer, "val", 2).histograms(model));
            DataLoader train = new DataLoader(signs(), 16, false, 1);
            history = trainer.fit(train, new DataLoader(signs(), 40, false, 1), 2);
            file = writer.file();
        }
        List<byte[]> events = EventFileReader.records(Files.readAllBytes(file));
        // 40 examples in batches of 16: 3 batches an epoch, the epoch's figures at its last batch's step.
        List<String> epoch1 = List.of("epoch@3", "loss/train@3", "accuracy/train@3", "loss/val@3", "accuracy/val@3",
                "top5/val@3", "lr@3", "samples_per_s@3", "weights/0.weight@3", "gradients/0.weight@3",
                "weights/0.bias@3", "gradients/0.bias@3");
        List<String> expected = new ArrayList<>(List.of("loss/train_step@2"));
        expected.addAll(epoch1);
        // Batches 3 to 6 are epoch 2's: every second one is logged.
        expected.addAll(List.of("loss/train_step@4", "loss/train_step@6"));
        expected.addAll(epoch1.stream().map(t -> t.replace("@3", "@6")).toList());
        expected.add("stopped/text_summary@6");
        assertEquals(expected, tagsAtSteps(events));
        byte[] epoch = EventFileReader.values(events.get(2)).get(0);
        assertEquals(1f, EventFileReader.simpleValue(epoch));
        byte[] valLoss = EventFileReader.values(events.get(5)).get(0);
        assertEquals("loss/val", EventFileReader.tag(valLoss));
        assertEquals((float) history.get(0).validationLoss(), EventFileReader.simpleValue(valLoss));
        byte[] lr = EventFileReader.values(events.get(8)).get(0);
        assertEquals("lr", EventFileReader.tag(lr));
        assertEquals(0.1f, EventFileReader.simpleValue(lr));
    }

    @Test
    void withoutEvaluationDataTheEvaluationTagsAreLeftOut() throws IOException {
        Path file;
        try (SummaryWriter writer = new SummaryWriter(dir)) {
            TensorBoardListener listener = new TensorBoardListener(writer, null, 1);
            listener.onBatchEnd(3, 4, 4, 0.5);
            listener.onEpochEnd(new EpochMetrics(3, 0.5, 0.75, Double.NaN, Double.NaN, Double.NaN, 0.01, 2, 20, 0));
            file = writer.file();
        }
        assertEquals(List.of("loss/train_step@12", "epoch@12", "loss/train@12", "accuracy/train@12", "lr@12",
                "samples_per_s@12"),
                tagsAtSteps(EventFileReader.records(Files.readAllBytes(file))));
    }

    @Test
    void onAStreamTheStepsCountTheBatchesOverTheEpochs() throws IOException {
        Path file;
        try (SummaryWriter writer = new SummaryWriter(dir)) {
            TensorBoardListener listener = new TensorBoardListener(writer, null, 1);
            listener.onBatchEnd(1, 1, 0, 0.5);
            listener.onBatchEnd(1, 2, 0, 0.5);
            listener.onEpochEnd(new EpochMetrics(1, 0.5, 0.75, Double.NaN, Double.NaN, Double.NaN, 0.01, 2, 20, 0));
            listener.onBatchEnd(2, 1, 0, 0.5);
            listener.onEpochEnd(new EpochMetrics(2, 0.5, 0.75, Double.NaN, Double.NaN, Double.NaN, 0.01, 2, 20, 0));
            listener.onTrainingEnd(2, "done");
            file = writer.file();
        }
        List<String> tags = tagsAtSteps(EventFileReader.records(Files.readAllBytes(file)));
        assertEquals(List.of("loss/train_step@1", "loss/train_step@2", "epoch@2", "loss/train_step@3", "epoch@3"),
                tags.stream().filter(t -> t.startsWith("loss/train_step") || t.startsWith("epoch")).toList());
        assertTrue(tags.contains("stopped/text_summary@3"), tags.toString());
    }

    @Test
    void aRunResumedAfterTwoEpochsOfFiveBatchesPurgesFromStepEleven() {
        assertEquals(11, TensorBoardListener.firstStepAfter(2, 5));
    }

    @Test
    void everyStepsBelowOneIsRefused() throws IOException {
        try (SummaryWriter writer = new SummaryWriter(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TensorBoardListener(writer, "val", 0));
            assertTrue(e.getMessage().contains("everySteps must be at least 1, got 0"), e.getMessage());
        }
    }
}
