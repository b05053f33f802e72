import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Normalize;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout2d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.NLLLoss;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.init.Init;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.train.ImageGrid;
import java.nio.file.Path;
import java.util.Locale;

/**
 * PyTorch's "Spatial Transformer Networks" tutorial
 * (pytorch.org/tutorials/intermediate/spatial_transformer_tutorial.html) in Kiln: a LeNet on MNIST behind a spatial
 * transformer whose localization network regresses a 2 x 3 affine matrix, initialised to the identity, applied with
 * {@code F.affineGrid} and {@code F.gridSample}; SGD at 0.01, the tutorial's printed lines, and the transformed images
 * written as a PNG where the tutorial plots them. Run from the repository root:
 * <pre>
 * mvn -q package -DskipTests -pl models -am
 * KILN_DATA=../shared/data java --add-modules jdk.incubator.vector -cp "models/target/classes:models/target/lib/*" \
 *     examples/SpatialTransformer.java [epochs [batches per epoch [test batches [output folder]]]]
 * </pre>
 * The arguments shorten a run (defaults: the tutorial's 20 epochs, every batch, all 157 test batches of 64 (10,000
 * images), the current directory for {@code stn.png}).
 */
public class SpatialTransformer {
    /** {@code class Net(nn.Module)}: modules registered under PyTorch's names, so the state dicts match. */
    static class Net extends Module {
        Net() {
            registerModule("conv1", new Conv2d(1, 10, 5));
            registerModule("conv2", new Conv2d(10, 20, 5));
            registerModule("conv2_drop", new Dropout2d());
            registerModule("fc1", new Linear(320, 50));
            registerModule("fc2", new Linear(50, 10));

            // Spatial transformer localization-network
            registerModule("localization", new Sequential(
                    new Conv2d(1, 8, 7),
                    new MaxPool2d(2, 2),
                    new ReLU(),
                    new Conv2d(8, 10, 5),
                    new MaxPool2d(2, 2),
                    new ReLU()));

            // Regressor for the 3 * 2 affine matrix
            Sequential fcLoc = new Sequential(
                    new Linear(10 * 3 * 3, 32),
                    new ReLU(),
                    new Linear(32, 3 * 2));
            registerModule("fc_loc", fcLoc);

            // Initialize the weights/bias with identity transformation
            Linear last = (Linear) fcLoc.get(2);
            Init.zeros(last.weight());
            last.bias().copyFrom(new float[] {1, 0, 0, 0, 1, 0});
        }

        /** Spatial transformer network forward function: [N, 1, 28, 28] resampled through each image's theta. */
        Tensor stn(Tensor x) {
            Tensor xs = module("localization").call(x);
            xs = xs.view(-1, 10 * 3 * 3);
            Tensor theta = module("fc_loc").call(xs);
            theta = theta.view(-1, 2, 3);

            Tensor grid = F.affineGrid(theta, x.shape().dims());
            return F.gridSample(x, grid);
        }

        @Override
        public Tensor forward(Tensor x) {
            // transform the input
            x = stn(x);

            // Perform the usual forward pass
            x = F.maxPool2d(module("conv1").call(x), 2).relu();
            x = F.maxPool2d(module("conv2_drop").call(module("conv2").call(x)), 2).relu();
            x = x.view(-1, 320);
            x = module("fc1").call(x).relu();
            x = F.dropout(x, isTraining());
            x = module("fc2").call(x);
            return F.logSoftmax(x, 1);
        }
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int batchesPerEpoch = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        int testBatches = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        Path outputs = Path.of(args.length > 3 ? args[3] : ".");

        // datasets.MNIST with transforms.Compose([ToTensor(), Normalize((0.1307,), (0.3081,))]), batches of 64.
        Normalize normalize = new Normalize(new double[] {0.1307}, new double[] {0.3081});
        MnistDataset trainData = MnistDataset.load(null, "mnist", Mnist.Split.TRAIN);
        MnistDataset testData = MnistDataset.load(null, "mnist", Mnist.Split.TEST);
        System.out.println("Using " + Engine.get().backend().device() + " device");

        try (DataLoader trainLoader = new DataLoader(trainData, 64, true, 1, normalize);
             DataLoader testLoader = new DataLoader(testData, 64, true, 2, normalize);
             Net model = new Net();
             Optimizer optimizer = new SGD(model.parameters(), 0.01)) {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                train(model, optimizer, trainLoader, epoch, batchesPerEpoch);
                test(model, testLoader, testBatches);
            }

            // Visualize the STN transformation on some input batch
            visualizeStn(model, testLoader, outputs.resolve("stn.png"));
        }
    }

    static void train(Net model, Optimizer optimizer, DataLoader trainLoader, int epoch, int maxBatches) {
        NLLLoss nllLoss = new NLLLoss();
        model.train();
        int batchIdx = 0;
        for (HostBatch b : trainLoader.epoch(epoch - 1)) {
            if (batchIdx == maxBatches) {
                break;
            }
            try (Scope s = Scope.open()) {
                Tensor data = b.features();
                Tensor target = b.labels();
                optimizer.zeroGrad();
                Tensor output = model.call(data);
                Tensor loss = nllLoss.compute(output, target);
                loss.backward();
                optimizer.step();
                if (batchIdx % 500 == 0) {
                    System.out.printf(Locale.ROOT, "Train Epoch: %d [%d/%d (%.0f%%)]\tLoss: %.6f%n", epoch,
                            batchIdx * b.size(), trainLoader.dataset().size(),
                            Math.rint(100.0 * batchIdx / trainLoader.batchesPerEpoch()), loss.item());
                }
            }
            batchIdx++;
        }
    }

    /** A simple test procedure to measure the STN's performance on MNIST (its first {@code maxBatches} batches). */
    static void test(Net model, DataLoader testLoader, int maxBatches) {
        NLLLoss sumOfLosses = new NLLLoss(Reduction.SUM);
        model.eval();
        double testLoss = 0;
        long correct = 0;
        int total = 0;
        int batches = 0;
        try (Autograd.Guard g = Autograd.noGrad()) {
            for (HostBatch b : testLoader.epoch(0)) {
                if (batches++ == maxBatches) {
                    break;
                }
                try (Scope s = Scope.open()) {
                    Tensor data = b.features();
                    Tensor target = b.labels();
                    Tensor output = model.call(data);
                    // sum up batch loss
                    testLoss += sumOfLosses.compute(output, target).item();
                    // get the index of the max log-probability
                    Tensor pred = output.argmax(1, true);
                    correct += (long) pred.eq(target.view(pred.shape().dims())).sum().item();
                    total += b.size();
                }
            }
        }
        testLoss /= total;
        // Python's {:.0f} rounds half to even, as Math.rint.
        System.out.printf(Locale.ROOT, "%nTest set: Average loss: %.4f, Accuracy: %d/%d (%.0f%%)%n%n", testLoss,
                correct, total, Math.rint(100.0 * correct / total));
    }

    /**
     * The output of the spatial transformer on a batch of test images, each beside its transformed self, as a PNG (the
     * tutorial plots two grids with matplotlib). Pixels are shown un-normalised (x * 0.3081 + 0.1307; the tutorial's
     * convert_image_np uses ImageNet's statistics).
     */
    static void visualizeStn(Net model, DataLoader testLoader, Path png) throws Exception {
        model.eval();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad();
             DataLoader.BatchIterator batches = testLoader.iterator()) {
            // Get a batch of training data
            Tensor data = batches.next().features();
            Tensor transformed = model.stn(data);
            ImageGrid.pairs(png, data.mul(0.3081).add(0.1307),
                    transformed.mul(0.3081).add(0.1307), 28, 28, 8, "Dataset Images | Transformed Images");
        }
        System.out.println("Dataset and transformed images: " + png);
    }
}
