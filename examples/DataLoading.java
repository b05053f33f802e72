import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Example;
import dev.kiln.data.HostBatch;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * PyTorch's "Datasets & DataLoaders" tutorial (pytorch.org/tutorials/beginner/basics/data_tutorial.html) in Kiln:
 * Fashion-MNIST, a random sample of it, a custom data set, and the first shuffled batch of a loader (the tutorial plots
 * images; this prints their labels and one row of pixels). Run from the repository root after
 * {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * KILN_DATA=../shared/data java -cp "models/target/classes:models/target/lib/*" examples/DataLoading.java
 * </pre>
 */
public class DataLoading {
    static final String[] LABELS_MAP = {
        "T-Shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle Boot",
    };

    public static void main(String[] args) throws Exception {
        MnistDataset trainingData = MnistDataset.load(null, "fashion-mnist", Mnist.Split.TRAIN);
        MnistDataset testData = MnistDataset.load(null, "fashion-mnist", Mnist.Split.TEST);
        System.out.println(trainingData.size() + " training and " + testData.size() + " test images");

        // Iterating and visualizing the dataset: sample_idx = torch.randint(len(training_data), size=(1,)).item(), which
        // Kiln spells as a uniform draw scaled and floored.
        try (Scope scope = Scope.open()) {
            for (int i = 1; i < 10; i++) {
                int sampleIdx = (int) Tensor.rand(1).mul(trainingData.size()).floor().item();
                Tensor img = trainingData.features(sampleIdx);
                System.out.println("sample " + sampleIdx + ": " + LABELS_MAP[(int) trainingData.label(sampleIdx)]
                        + ", image " + img.shape());
            }
        }

        // A custom Dataset (__len__ and __getitem__) from a lambda: here each image's horizontal mirror.
        Dataset mirrored = Dataset.of(trainingData.size(), trainingData.featureShape(), trainingData.classes(), i -> {
            float[] pixels = new float[28 * 28];
            trainingData.copyFeatures(i, pixels, 0);
            float[] flipped = new float[pixels.length];
            for (int row = 0; row < 28; row++) {
                for (int col = 0; col < 28; col++) {
                    flipped[row * 28 + col] = pixels[row * 28 + 27 - col];
                }
            }
            return new Example(flipped, trainingData.label(i));
        });

        // DataLoader(training_data, batch_size=64, shuffle=True); next(iter(train_dataloader)).
        try (DataLoader trainDataloader = new DataLoader(mirrored, 64, true, 0)) {
            for (HostBatch batch : trainDataloader.epoch(0)) {
                try (Scope scope = Scope.open()) {
                    Tensor trainFeatures = batch.features();
                    Tensor trainLabels = batch.labels();
                    System.out.println("Feature batch shape: " + trainFeatures.shape());
                    System.out.println("Labels batch shape: " + trainLabels.shape());
                    long label = trainLabels.toLongArray()[0];
                    float[] row = new float[28];
                    System.arraycopy(batch.featureData(), 14 * 28, row, 0, 28);
                    System.out.println("Label: " + label + " (" + LABELS_MAP[(int) label] + "), middle row of the first"
                            + " image: " + Arrays.toString(row));
                }
                break;
            }
        }
    }
}
