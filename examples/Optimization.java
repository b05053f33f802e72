import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.Locale;

/**
 * PyTorch's "Optimizing Model Parameters" tutorial (pytorch.org/tutorials/beginner/basics/optimization_tutorial.html)
 * in Kiln: the hyperparameters, the loss function and optimizer, {@code train_loop} and {@code test_loop} with
 * {@code model.train()} and {@code model.eval()}, 10 epochs on Fashion-MNIST. Run from the repository root:
 * <pre>
 * mvn -q package -DskipTests -pl models -am
 * KILN_DATA=../shared/data java --add-modules jdk.incubator.vector -cp "models/target/classes:models/target/lib/*" \
 *     examples/Optimization.java [epochs [batches per epoch]]
 * </pre>
 * The arguments shorten a run (defaults: the tutorial's 10 epochs, every batch).
 */
public class Optimization {

    /** The network of "Build the Neural Network", its modules under PyTorch's names. */
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
            Tensor logits = module("linear_relu_stack").call(x);
            return logits;
        }
    }

    // Hyperparameters.
    static final double LEARNING_RATE = 1e-3;
    static final int BATCH_SIZE = 64;

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int batchesPerEpoch = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;

        MnistDataset trainingData = MnistDataset.load(null, "fashion-mnist", Mnist.Split.TRAIN);
        MnistDataset testData = MnistDataset.load(null, "fashion-mnist", Mnist.Split.TEST);

        try (DataLoader trainDataloader = new DataLoader(trainingData, BATCH_SIZE);
             DataLoader testDataloader = new DataLoader(testData, BATCH_SIZE);
             NeuralNetwork model = new NeuralNetwork()) {
            // Initialize the loss function and the optimizer.
            Loss lossFn = new CrossEntropyLoss();
            try (Optimizer optimizer = new SGD(model.parameters(), LEARNING_RATE)) {
                for (int t = 0; t < epochs; t++) {
                    System.out.println("Epoch " + (t + 1) + "\n-------------------------------");
                    trainLoop(trainDataloader, t, batchesPerEpoch, model, lossFn, optimizer);
                    testLoop(testDataloader, model, lossFn);
                }
            }
            System.out.println("Done!");
        }
    }

    static void trainLoop(DataLoader dataloader, int epoch, int maxBatches, Module model, Loss lossFn,
                          Optimizer optimizer) {
        int size = dataloader.dataset().size();
        // Set the model to training mode - important for batch normalization and dropout layers.
        // Unnecessary in this situation but added for best practices.
        model.train();
        int batch = 0;
        for (HostBatch b : dataloader.epoch(epoch)) {
            if (batch == maxBatches) {
                break;
            }
            try (Scope s = Scope.open()) {
                Tensor x = b.features();
                Tensor y = b.labels();

                // Compute prediction and loss
                Tensor pred = model.call(x);
                Tensor loss = lossFn.compute(pred, y);

                // Backpropagation
                optimizer.zeroGrad();
                loss.backward();
                optimizer.step();

                if (batch % 100 == 0) {
                    int current = batch * BATCH_SIZE + b.size();
                    System.out.printf(Locale.ROOT, "loss: %7f  [%5d/%5d]%n", loss.item(), current, size);
                }
            }
            batch++;
        }
    }

    static void testLoop(DataLoader dataloader, Module model, Loss lossFn) {
        // Set the model to evaluation mode - important for batch normalization and dropout layers.
        // Unnecessary in this situation but added for best practices.
        model.eval();
        int size = dataloader.dataset().size();
        int numBatches = dataloader.batchesPerEpoch();
        double testLoss = 0;
        double correct = 0;

        // Evaluating the model under Autograd.noGrad() ensures that no gradients are computed during test mode;
        // it also spares the memory and work of recording the graph for tensors that require gradients.
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
    }
}
