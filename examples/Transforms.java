import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * PyTorch's "Transforms" tutorial (pytorch.org/tutorials/beginner/basics/transforms_tutorial.html) in Kiln:
 * Fashion-MNIST's images as float tensors in [0, 1] (torchvision's {@code ToTensor()}) and its labels one-hot encoded
 * by a lambda that scatters a 1 at the label ({@code target_transform=Lambda(...)}). The tutorial prints nothing; this
 * prints the first image's shape and range and its label before and after the target transform, then the same
 * transform on a batch of labels. Run from the repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * KILN_DATA=../shared/data java -cp "models/target/classes:models/target/lib/*" examples/Transforms.java
 * </pre>
 */
public class Transforms {
    public static void main(String[] args) throws Exception {
        // datasets.FashionMNIST(root="data", train=True, transform=ToTensor()): Kiln's MNIST reader does ToTensor's
        // work, [1, 28, 28] F32 pixels scaled into [0, 1]. Labels stay class indices, which a loader batches as I64.
        MnistDataset ds = MnistDataset.load(null, "fashion-mnist", Mnist.Split.TRAIN);

        // target_transform = Lambda(lambda y: torch.zeros(10, dtype=torch.float).scatter_(dim=0,
        //     index=torch.tensor(y), value=1))
        LongFunction<Tensor> targetTransform = y -> Tensor.zeros(10).scatter(0, Tensor.fromArray(new long[] {y}), 1);

        try (Scope scope = Scope.open()) {
            Tensor img = ds.features(0);
            Tensor label = targetTransform.apply(ds.label(0));
            System.out.printf(Locale.ROOT, "Image: %s %s, values in [%.1f, %.1f]%n", img.shape(), img.dtype(),
                    img.min().item(), img.max().item());
            System.out.println("Label " + ds.label(0) + " one-hot: " + label);

            // The same target transform on a batch of labels: one scatter along axis 1.
            long[] labels = new long[4];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = ds.label(i);
            }
            Tensor batch = Tensor.fromArray(labels, labels.length);
            System.out.println("Labels " + Arrays.toString(labels) + " one-hot:\n"
                    + Tensor.zeros(4, 10).scatter(1, batch.unsqueeze(1), 1));
        }
    }
}
