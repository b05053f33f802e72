import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.nio.file.Path;
import java.util.Locale;

/**
 * PyTorch's "Quickstart" tutorial (pytorch.org/tutorials/beginner/basics/quickstart_tutorial.html) in Kiln: the same
 * network, data, loss, optimizer, epochs and printed lines. Run from the repository root:
 * <pre>
 * mvn -q package -DskipTests -pl models -am
 * KILN_DATA=../shared/data java --add-modules jdk.incubator.vector -cp "models/target/classes:models/target/lib/*" \
 *     examples/Quickstart.java [epochs [model file [batches per epoch]]]
 * </pre>
 * The arguments shorten a run (defaults: the tutorial's 5 epochs, {@code model.safetensors}, every batch).
 */
public class Quickstart {
    static final String[] CLASSES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /** {@code class NeuralNetwork(nn.Module)}: modules registered under PyTorch's names, so the state dicts match. */
    static class NeuralNetwork extends Module {
        NeuralNetwork() {
            registerModule("flatten", new Flatten());
            registerModule("linear_relu_stack", new Sequential(
                    new Linear(28 * 28, 512),
                    new ReLU(),
                    new Linear(512, 512),
                    new ReLU(),
                    new Linear(512, 10)));
        }

        @Override
        public Tensor forward(Tensor x) {
            x = module("flatten").call(x);
            return module("linear_relu_stack").call(x);
        }
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path modelFile = Path.of(args.length > 1 ? args[1] : "model.safetensors");
        int batchesPerEpoch = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;

        // datasets.FashionMNIST(root="data", train=True/False, transform=ToTensor()): pixels in [0, 1], [1, 28, 28].
        MnistDataset trainingData = MnistDataset.load(null, "fashion-mnist", Mnist.Split.TRAIN);
        MnistDataset testData = MnistDataset.load(null, "fashion-mnist", Mnist.Split.TEST);

        int batchSize = 64;
        try (DataLoader trainDataloader = new DataLoader(trainingData, batchSize);
             DataLoader testDataloader = new DataLoader(testData, batchSize)) {
            for (HostBatch batch : testDataloader.epoch(0)) {
                try (Scope s = Scope.open()) {
                    Tensor x = batch.features();
                    Tensor y = batch.labels();
                    System.out.println("Shape of X [N, C, H, W]: " + x.shape());
                    System.out.println("Shape of y: " + y.shape() + " " + y.dtype());
                }
                break;
            }

            System.out.println("Using " + Engine.get().backend().device() + " device");

            try (NeuralNetwork model = new NeuralNetwork()) {
                // print(model): a module's toString is PyTorch's repr, its children nested by name.
                System.out.println(model);

                Loss lossFn = new CrossEntropyLoss();
                try (Optimizer optimizer = new SGD(model.parameters(), 1e-3)) {
                    for (int t = 0; t < epochs; t++) {
                        System.out.println("Epoch " + (t + 1) + "\n-------------------------------");
                        train(trainDataloader, t, batchesPerEpoch, model, lossFn, optimizer);
                        test(testDataloader, model, lossFn);
                    }
                }
                System.out.println("Done!");

                SafeTensors.write(modelFile, model.stateDict());
                System.out.println("Saved Kiln Model State to " + modelFile);
            }

            try (NeuralNetwork model = new NeuralNetwork();
                 SafeTensors.Loaded saved = SafeTensors.read(modelFile)) {
                model.loadStateDict(saved.tensors());

                model.eval();
                try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                    Tensor x = testData.features(0);
                    long y = testData.label(0);
                    Tensor pred = model.call(x);
                    String predicted = CLASSES[(int) pred.argmax(1).item()];
                    String actual = CLASSES[(int) y];
                    System.out.println("Predicted: \"" + predicted + "\", Actual: \"" + actual + "\"");
                }
            }
        }
    }

    static void train(DataLoader dataloader, int epoch, int maxBatches, Module model, Loss lossFn,
                      Optimizer optimizer) {
        int size = dataloader.dataset().size();
        model.train();
        int batch = 0;
        for (HostBatch b : dataloader.epoch(epoch)) {
            if (batch == maxBatches) {
                break;
            }
            try (Scope s = Scope.open()) {
                Tensor x = b.features();
                Tensor y = b.labels();

                // Compute prediction error
                Tensor pred = model.call(x);
                Tensor loss = lossFn.compute(pred, y);

                // Backpropagation
                loss.backward();
                optimizer.step();
                optimizer.zeroGrad();

                if (batch % 100 == 0) {
                    int current = batch * b.size();
                    System.out.printf(Locale.ROOT, "loss: %7f  [%5d/%5d]%n", loss.item(), current, size);
                }
            }
            batch++;
        }
    }

    static double test(DataLoader dataloader, Module model, Loss lossFn) {
        int size = dataloader.dataset().size();
        int numBatches = dataloader.batchesPerEpoch();
        model.eval();
        double testLoss = 0;
        double correct = 0;
        try (Autograd.Guard g = Autograd.noGrad()) {
            for (HostBatch b : dataloader.epoch(0)) {
                try (Scope s = Scope.open()) {
                    Tensor x = b.features();
                    Tensor y = b.labels();
                    Tensor pred = model.call(x);
                    testLoss += lossFn.compute(pred, y).item();
                    correct += pred.argmax(1).eq(y).to(DType.F32).sum().item();
                }
            }
        }
        testLoss /= numBatches;
        correct /= size;
        System.out.printf(Locale.ROOT, "Test Error: %n Accuracy: %.1f%%, Avg loss: %8f %n%n", 100 * correct, testLoss);
        return correct;
    }
}
