import dev.kiln.data.CsvDataset;
import dev.kiln.data.CsvOptions;
import dev.kiln.data.HostBatch;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.data.IterableDataset;
import java.nio.file.Path;

/**
 * Seconds per epoch of streaming a CSV file of MNIST images (Kaggle's layout: label, pixel0 .. pixel783, as
 * TrainerStreamTest writes it) through {@code CsvDataset.streaming(...).shardedByWorker()} and an IterableDataLoader of
 * batches of 64 with 1 and with 2 workers, the batches only handed back (no model): what the loader delivers at best.
 * Each line: workers, then the seconds of each of 3 epochs after one warm-up epoch.
 *
 * Usage: java -cp CLASSPATH bench/CsvStreamBench.java mnist_train.csv
 */
public class CsvStreamBench {
    public static void main(String[] args) throws Exception {
        IterableDataset csv = CsvDataset.streaming(Path.of(args[0]),
                CsvOptions.defaults().featureShape(1, 28, 28).scale(1 / 255.0), 10).shardedByWorker();
        for (int workers : new int[] {1, 2}) {
            try (IterableDataLoader loader = new IterableDataLoader(csv, 64, 1).withWorkers(workers)) {
                StringBuilder line = new StringBuilder("workers " + workers + ":");
                long examples = 0;
                for (int epoch = 0; epoch <= 3; epoch++) {
                    long start = System.nanoTime();
                    examples = 0;
                    for (HostBatch batch : loader.epoch(epoch)) {
                        examples += batch.size();
                        batch.recycle();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (epoch > 0) {
                        line.append(String.format(" %.2f", seconds));
                    }
                }
                System.out.println(line + " s/epoch (" + examples + " examples)");
            }
        }
    }
}
