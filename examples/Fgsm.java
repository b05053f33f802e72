import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.PythonFloat;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.AtomicFiles;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout2d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.NLLLoss;
import dev.kiln.optim.SGD;
import dev.kiln.train.ImageGrid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * PyTorch's "Adversarial Example Generation" tutorial (pytorch.org/tutorials/beginner/fgsm_tutorial.html) in Kiln: the
 * Fast Gradient Sign Attack on the tutorial's LeNet over its epsilons, one MNIST test image at a time, printing its
 * lines, with its accuracy-vs-epsilon plot and its adversarial examples written as PNGs. Run from the repository root:
 * <pre>
 * mvn -q package -DskipTests -pl models -am
 * KILN_DATA=../shared/data java --add-modules jdk.incubator.vector -cp "models/target/classes:models/target/lib/*" \
 *     examples/Fgsm.java [test images [pretrained model [output folder]]]
 * </pre>
 * The tutorial loads pretrained weights, {@code lenet_mnist_model.pth}, which we do not have: where the pretrained model
 * file (default {@code lenet_mnist_model.safetensors}) does not exist, this example first trains the same LeNet for one
 * epoch (pytorch/examples/mnist's recipe of the tutorial's day: SGD at 0.01 with momentum 0.5, batches of 64) and
 * saves it there, then loads it as the tutorial does. The test images are the first N (default all 10,000), unshuffled,
 * so that a shortened run attacks the same images as PyTorch's (the tutorial shuffles them, which changes no accuracy).
 */
public class Fgsm {
    // List<Number> as the tutorial's list: the int 0 prints "0", the rest as Python prints them.
    static final List<Number> EPSILONS = List.of(0, .05, .1, .15, .2, .25, .3);

    /** LeNet Model definition: {@code class Net(nn.Module)}, its modules registered under PyTorch's names. */
    static class Net extends Module {
        Net() {
            registerModule("conv1", new Conv2d(1, 10, 5));
            registerModule("conv2", new Conv2d(10, 20, 5));
            registerModule("conv2_drop", new Dropout2d());
            registerModule("fc1", new Linear(320, 50));
            registerModule("fc2", new Linear(50, 10));
        }

        @Override
        public Tensor forward(Tensor x) {
            x = F.maxPool2d(module("conv1").call(x), 2).relu();
            x = F.maxPool2d(module("conv2_drop").call(module("conv2").call(x)), 2).relu();
            x = x.view(-1, 320);
            x = module("fc1").call(x).relu();
            x = F.dropout(x, isTraining());
            x = module("fc2").call(x);
            return F.logSoftmax(x, 1);
        }
    }

    /** An attacked image: the prediction before and after, and the perturbed pixels [28 * 28]. */
    record AdversarialExample(long initPred, long finalPred, float[] image) {
    }

    public static void main(String[] args) throws Exception {
        int testImages = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path pretrainedModel = Path.of(args.length > 1 ? args[1] : "lenet_mnist_model.safetensors");
        Path outputs = Path.of(args.length > 2 ? args[2] : ".");

        // MNIST Test dataset and dataloader declaration: ToTensor's pixels in [0, 1], batch size 1.
        MnistDataset testData = MnistDataset.load(null, "mnist", Mnist.Split.TEST);
        System.out.println("Using " + Engine.get().backend().device() + " device");

        if (!Files.exists(pretrainedModel)) {
            trainAndSave(pretrainedModel);
        }

        List<Double> accuracies = new ArrayList<>();
        List<List<AdversarialExample>> examples = new ArrayList<>();
        // Initialize the network, load the pretrained model, and set it in evaluation mode (for the dropout layers).
        try (Net model = new Net();
             SafeTensors.Loaded saved = SafeTensors.read(pretrainedModel);
             DataLoader testLoader = new DataLoader(testData, 1)) {
            model.loadStateDict(saved.tensors());
            model.eval();

            // Run test for each epsilon
            for (Number eps : EPSILONS) {
                List<AdversarialExample> ex = new ArrayList<>();
                accuracies.add(test(model, testLoader, testImages, eps, ex));
                examples.add(ex);
            }
        }

        plotAccuracy(outputs.resolve("fgsm_accuracy.png"), accuracies);
        plotExamples(outputs.resolve("fgsm_examples.png"), examples);
    }

    /** FGSM attack code: {@code clamp(image + epsilon * sign(dataGrad), 0, 1)}. */
    static Tensor fgsmAttack(Tensor image, double epsilon, Tensor dataGrad) {
        // Collect the element-wise sign of the data gradient
        Tensor signDataGrad = dataGrad.sign();
        // Create the perturbed image by adjusting each pixel of the input image
        Tensor perturbedImage = image.add(signDataGrad.mul(epsilon));
        // Adding clipping to maintain [0,1] range
        return perturbedImage.clamp(0, 1);
    }

    /** The accuracy under attack with strength {@code epsilon} on the first {@code limit} test images. */
    static double test(Net model, DataLoader testLoader, int limit, Number epsilon, List<AdversarialExample> advExamples) {
        NLLLoss nllLoss = new NLLLoss();
        int correct = 0;
        int total = 0;
        // Loop over all examples in test set
        for (HostBatch b : testLoader.epoch(0)) {
            if (total == limit) {
                break;
            }
            total++;
            try (Scope s = Scope.open()) {
                Tensor data = b.features();
                Tensor target = b.labels();
                // Set requires_grad attribute of tensor. Important for Attack
                data.requiresGrad(true);

                // Forward pass the data through the model
                Tensor output = model.call(data);
                long initPred = (long) output.argmax(1, true).item();  // get the index of the max log-probability

                // If the initial prediction is wrong, dont bother attacking, just move on
                if (initPred != target.item()) {
                    continue;
                }
                // Calculate the loss
                Tensor loss = nllLoss.compute(output, target);
                // Zero all existing gradients
                model.zeroGrad();
                // Calculate gradients of model in backward pass
                loss.backward();
                // Collect datagrad
                Tensor dataGrad = data.grad();

                // Call FGSM Attack
                Tensor perturbedData = fgsmAttack(data, epsilon.doubleValue(), dataGrad);
                // Re-classify the perturbed image
                output = model.call(perturbedData);

                // Check for success
                long finalPred = (long) output.argmax(1, true).item();
                boolean keep = advExamples.size() < 5;
                if (finalPred == target.item()) {
                    correct++;
                    // Special case for saving 0 epsilon examples
                    keep &= epsilon.doubleValue() == 0;
                }
                if (keep) {
                    // Save some adv examples for visualization later
                    float[] advEx = perturbedData.squeeze().detach().toFloatArray();
                    advExamples.add(new AdversarialExample(initPred, finalPred, advEx));
                }
            }
        }
        // Calculate final accuracy for this epsilon
        double finalAcc = correct / (double) total;
        System.out.println("Epsilon: " + epsilon + "\tTest Accuracy = " + correct + " / " + total + " = "
                + PythonFloat.repr(finalAcc));
        return finalAcc;
    }

    /**
     * The accuracy versus epsilon plot, matplotlib's {@code plt.plot(epsilons, accuracies, "*-")}, as a PNG written
     * atomically (an interrupted run leaves no half-written file).
     */
    static void plotAccuracy(Path png, List<Double> accuracies) throws Exception {
        XYChart chart = new XYChartBuilder().width(500).height(500).title("Accuracy vs Epsilon")
                .xAxisTitle("Epsilon").yAxisTitle("Accuracy").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.addSeries("accuracy", EPSILONS.stream().map(Number::doubleValue).toList(), accuracies);
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        System.out.println("Accuracy vs Epsilon: " + png);
    }

    /** Several adversarial examples at each epsilon, a row each, titled "original -> adversarial classification". */
    static void plotExamples(Path png, List<List<AdversarialExample>> examples) throws Exception {
        int columns = examples.stream().mapToInt(List::size).max().orElse(0);
        if (columns == 0) {
            return;
        }
        float[] pixels = new float[EPSILONS.size() * columns * 28 * 28];
        List<String> captions = new ArrayList<>();
        List<String> rowLabels = new ArrayList<>();
        for (int i = 0; i < EPSILONS.size(); i++) {
            rowLabels.add("Eps: " + EPSILONS.get(i));
            for (int j = 0; j < columns; j++) {
                if (j < examples.get(i).size()) {
                    AdversarialExample ex = examples.get(i).get(j);
                    System.arraycopy(ex.image(), 0, pixels, (i * columns + j) * 28 * 28, 28 * 28);
                    captions.add(ex.initPred() + " -> " + ex.finalPred());
                } else {
                    captions.add(null);
                }
            }
        }
        try (Scope s = Scope.open()) {
            ImageGrid.captioned(png, Tensor.fromArray(pixels, EPSILONS.size() * columns, 28 * 28), captions,
                    rowLabels, 28, 28, columns, "FGSM adversarial examples");
        }
        System.out.println("Sample Adversarial Examples: " + png);
    }

    /**
     * In place of the tutorial's download: trains the LeNet one epoch with pytorch/examples/mnist's recipe (SGD at 0.01,
     * momentum 0.5, batches of 64), printing its "Train Epoch" line every 100 batches (that script's log interval was
     * 10, too many lines here), and saves its state dict as safetensors.
     */
    static void trainAndSave(Path file) throws Exception {
        MnistDataset trainData = MnistDataset.load(null, "mnist", Mnist.Split.TRAIN);
        NLLLoss nllLoss = new NLLLoss();
        try (Net model = new Net();
             DataLoader trainLoader = new DataLoader(trainData, 64, true, 1);
             SGD optimizer = new SGD(model.parameters(), 0.01).momentum(0.5)) {
            model.train();
            int batchIdx = 0;
            int size = trainData.size();
            for (HostBatch b : trainLoader.epoch(0)) {
                try (Scope s = Scope.open()) {
                    optimizer.zeroGrad();
                    Tensor loss = nllLoss.compute(model.call(b.features()), b.labels());
                    loss.backward();
                    optimizer.step();
                    if (batchIdx % 100 == 0) {
                        System.out.printf(Locale.ROOT, "Train Epoch: %d [%d/%d (%.0f%%)]\tLoss: %.6f%n", 1,
                                batchIdx * 64, size, 100.0 * batchIdx * 64 / size, loss.item());
                    }
                }
                batchIdx++;
            }
            SafeTensors.write(file, model.stateDict());
            System.out.println("Trained the tutorial's LeNet (no pretrained lenet_mnist_model.pth here), saved to "
                    + file);
        }
    }
}
