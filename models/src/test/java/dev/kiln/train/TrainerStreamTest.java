package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.CsvDataset;
import dev.kiln.data.CsvOptions;
import dev.kiln.data.DataDirectory;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Example;
import dev.kiln.data.ExampleStream;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.data.IterableDataset;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Subset;
import dev.kiln.data.WorkerInfo;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Trainer#fit(IterableDataLoader, DataLoader, int)}: training on a stream whose length is not known. */
class TrainerStreamTest {
    @TempDir
    Path dir;

    /** n examples of 2 features, class 1 when their sum is positive, as a stream and as arrays (the reference). */
    private static ArrayDataset line(int n) {
        float[] x = new float[2 * n];
        long[] y = new long[n];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) random.nextGaussian();
            x[2 * i + 1] = (float) random.nextGaussian();
            y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0;
        }
        return new ArrayDataset(x, y, new int[] {2}, 2);
    }

    private static IterableDataset stream(ArrayDataset data) {
        return new IterableDataset() {
            @Override
            public int[] featureShape() {
                return data.featureShape();
            }

            @Override
            public int classes() {
                return data.classes();
            }

            @Override
            public ExampleStream open(WorkerInfo worker) {
                return ExampleStream.of(IntStream.range(0, data.size()).mapToObj(i -> {
                    float[] f = new float[2];
                    data.copyFeatures(i, f, 0);
                    return new Example(f, data.label(i));
                }).iterator());
            }
        };
    }

    /** The batch counts the listener saw: (batch, batchesPerEpoch) of every call. */
    private static final class Batches implements TrainingListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
            seen.add(epoch + ":" + batch + "/" + batchesPerEpoch);
        }
    }

    @Test
    void aStreamTrainsAsTheSameBatchesInMemoryDoAndReportsNoTotal() {
        ArrayDataset data = line(50);
        List<EpochMetrics> fromStream;
        List<EpochMetrics> fromArrays;
        Batches batches = new Batches();
        Engine.seed(5);
        try (Linear model = new Linear(2, 2); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             IterableDataLoader loader = new IterableDataLoader(stream(data), 16, 0)) {
            fromStream = new Trainer(model, sgd, new CrossEntropyLoss()).listener(batches).fit(loader, null, 2);
        }
        Engine.seed(5);
        try (Linear model = new Linear(2, 2); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(data, 16, false, 0)) {
            fromArrays = new Trainer(model, sgd, new CrossEntropyLoss()).fit(loader, null, 2);
        }
        for (int e = 0; e < 2; e++) {
            assertEquals(fromArrays.get(e).trainLoss(), fromStream.get(e).trainLoss(), "loss of epoch " + (e + 1));
            assertEquals(fromArrays.get(e).trainAccuracy(), fromStream.get(e).trainAccuracy());
        }
        assertEquals(List.of("1:1/0", "1:2/0", "1:3/0", "1:4/0", "2:1/0", "2:2/0", "2:3/0", "2:4/0"), batches.seen,
                "4 batches an epoch, their number unknown beforehand (0)");
    }

    @Test
    void accumulatingGradientsOverAStreamIsRefused() {
        try (Linear model = new Linear(2, 2); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             IterableDataLoader loader = new IterableDataLoader(stream(line(8)), 4, 0)) {
            Trainer trainer = new Trainer(model, sgd, new CrossEntropyLoss()).accumulateGradients(2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.fit(loader, null, 1));
            assertEquals("Trainer: accumulateGradients(2) over a stream (IterableDataLoader) cannot tell which batch"
                    + " ends the epoch's last group before the stream ends; accumulate over a DataLoader", e.getMessage());
        }
    }

    /** The first {@code n} MNIST training images as a CSV file, Kaggle's layout: label, pixel0..pixel783. */
    private Path mnistCsv(MnistDataset mnist, int n) throws IOException {
        Path file = dir.resolve("train.csv");
        float[] image = new float[Mnist.PIXELS];
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("label," + String.join(",", IntStream.range(0, Mnist.PIXELS).mapToObj(p -> "pixel" + p).toList()));
            out.newLine();
            for (int i = 0; i < n; i++) {
                mnist.copyFeatures(i, image, 0);
                StringBuilder row = new StringBuilder().append(mnist.label(i));
                for (float v : image) {
                    row.append(',').append(Math.round(v * 255));
                }
                out.write(row.toString());
                out.newLine();
            }
        }
        return file;
    }

    @Test
    void anMlpLearnsMnistStreamedFromACsvFileByTwoWorkers() throws IOException {
        MnistDataset train;
        MnistDataset test;
        try {
            train = MnistDataset.load(null, "mnist", Mnist.Split.TRAIN);
            test = MnistDataset.load(null, "mnist", Mnist.Split.TEST);
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("MNIST not present: " + e.getMessage());
            return;
        }
        Path csv = mnistCsv(train, 12000);
        IterableDataset stream = CsvDataset.streaming(csv, CsvOptions.defaults().featureShape(1, 28, 28).scale(1 / 255.0),
                10).shuffled(1000).shardedByWorker();
        Engine.seed(1);
        List<EpochMetrics> history;
        try (Sequential model = new Sequential(new Flatten(), new Linear(Mnist.PIXELS, 64), new ReLU(),
                new Linear(64, 10));
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             IterableDataLoader loader = new IterableDataLoader(stream, 64, 1).withWorkers(2);
             DataLoader validation = new DataLoader(new Subset(test, IntStream.range(0, 2000).toArray()),
                     500, false, 0)) {
            history = new Trainer(model, adam, new CrossEntropyLoss()).fit(loader, validation, 3);
        }
        EpochMetrics last = history.get(2);
        // Observed: 0.927 training and 0.887 validation accuracy (the test set's first 2000 images are its harder half).
        assertTrue(last.trainAccuracy() > 0.9, "training accuracy " + last.trainAccuracy() + " " + history);
        assertTrue(last.validationAccuracy() > 0.87, "validation accuracy " + last.validationAccuracy() + " " + history);
        assertTrue(last.trainLoss() < history.get(0).trainLoss(), "the loss falls: " + history);
    }
}
