import dev.kiln.data.CsvDataset;
import dev.kiln.data.CsvOptions;
import dev.kiln.data.HostBatch;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.data.IterableDataset;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What resuming a stream part-way through an epoch costs: seconds until batch 400 of an MNIST CSV stream (batches of
 * 64) is in hand, by {@code IterableDataLoader.epoch(e, 400)} (the workers pass over the first 400 batches) against
 * reading those 400 batches normally ({@code epoch(e)}, each handed back unused). No model. The CSV (Kaggle's layout,
 * as TrainerStreamTest writes it) holds the first 30,000 training images and is written to a temporary folder, removed
 * at the end. Pipelines: the file sharded by its own reader (the records passed over are found by their ends, never
 * split into fields), and the file through {@code shuffled(1000)} before sharding (the buffer draws as it would, then
 * reads only the 1000 examples it holds afterwards; each worker passes over the whole file's records). Each line: the
 * pipeline and workers, then "read" and "resume" seconds of each of 5 alternating trials after a warm-up pair.
 *
 * Usage: java -cp models/target/classes:$(cat CP) bench/StreamResumeBench.java
 * (CP from {@code mvn -o -q dependency:build-classpath -pl models -Dmdep.outputFile=CP}; MNIST found as the tests find it)
 */
public class StreamResumeBench {
    private static final int BATCHES = 400;
    private static final int TRIALS = 5;

    public static void main(String[] args) throws Exception {
        Path folder = Files.createTempDirectory("stream-resume-bench");
        Path csv = folder.resolve("mnist_train.csv");
        try {
            writeCsv(MnistDataset.load(null, "mnist", Mnist.Split.TRAIN), 30_000, csv);
            IterableDataset file = CsvDataset.streaming(csv,
                    CsvOptions.defaults().featureShape(1, 28, 28).scale(1 / 255.0), 10);
            bench("sharded csv", file.shardedByWorker());
            bench("shuffled(1000) csv", file.shuffled(1000).shardedByWorker());
        } finally {
            Files.deleteIfExists(csv);
            Files.deleteIfExists(folder);
        }
    }

    private static void bench(String name, IterableDataset stream) {
        for (int workers : new int[] {1, 2}) {
            try (IterableDataLoader loader = new IterableDataLoader(stream, 64, 1).withWorkers(workers)) {
                StringBuilder read = new StringBuilder();
                StringBuilder resume = new StringBuilder();
                for (int trial = 0; trial <= TRIALS; trial++) {
                    double r = secondsToBatch(loader.epoch(trial), BATCHES);
                    double s = secondsToBatch(loader.epoch(trial, BATCHES), 0);
                    if (trial > 0) {
                        read.append(String.format(" %.3f", r));
                        resume.append(String.format(" %.3f", s));
                    }
                }
                System.out.println(name + ", workers " + workers + ": read" + read + " s; resume" + resume + " s");
            }
        }
    }

    /** Seconds until the batch after the first {@code before} of {@code epoch} is in hand; the rest not read. */
    private static double secondsToBatch(IterableDataLoader.Epoch epoch, int before) {
        long start = System.nanoTime();
        IterableDataLoader.BatchIterator batches = epoch.iterator();
        for (int b = 0; b <= before; b++) {
            batches.next().recycle();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        batches.close();
        return seconds;
    }

    private static void writeCsv(MnistDataset mnist, int n, Path file) throws Exception {
        float[] image = new float[Mnist.PIXELS];
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            StringBuilder header = new StringBuilder("label");
            for (int p = 0; p < Mnist.PIXELS; p++) {
                header.append(",pixel").append(p);
            }
            out.write(header.toString());
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
    }
}
