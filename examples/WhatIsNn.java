import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.Mnist;
import dev.kiln.data.TensorDataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Idx;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Lambda;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * PyTorch's "What is torch.nn really?" tutorial (pytorch.org/tutorials/beginner/nn_tutorial.html, by Jeremy Howard)
 * in Kiln: logistic regression on MNIST written from scratch, then refactored step by step with
 * {@code torch.nn.functional}, {@code nn.Module}, {@code nn.Linear}, {@code optim}, {@code TensorDataset},
 * {@code DataLoader} and a validation set, and finally a CNN, {@code nn.Sequential} with a {@code Lambda} layer, a
 * wrapped loader and adaptive pooling. Each of the tutorial's sections is a method printing its lines under the
 * section's heading. Run from the repository root:
 * <pre>
 * mvn -q package -DskipTests -pl models -am
 * KILN_DATA=../shared/data java --add-modules jdk.incubator.vector -cp "models/target/classes:models/target/lib/*" \
 *     examples/WhatIsNn.java [section [epochs [batches per epoch]]]
 * </pre>
 * {@code section} is {@code all} (the default) or one of {@code scratch}, {@code functional}, {@code module},
 * {@code linear}, {@code optim}, {@code dataset}, {@code dataloader}, {@code validation}, {@code fit}, {@code cnn},
 * {@code sequential}, {@code wrapped}, {@code gpu}: the data set-up and that section ({@code functional} goes on from
 * {@code scratch}'s weights, so runs it first). {@code epochs} defaults to the tutorial's 2, every batch of each.
 *
 * <p>The tutorial reads deeplearning.net's {@code mnist.pkl.gz}: MNIST's 60,000 training images split into 50,000 for
 * training and 10,000 for validation, flattened to 784 values in [0, 1]. This example takes the first 50,000 and the
 * next 10,000 from the IDX files under {@code $KILN_DATA/mnist} (grey levels / 255, as ToTensor).
 */
public class WhatIsNn {
    static final int BS = 64; // batch size

    static int epochs = 2; // how many epochs to train for
    static int maxBatches = Integer.MAX_VALUE;

    static Tensor xTrain;
    static Tensor yTrain;
    static Tensor xValid;
    static Tensor yValid;
    static int n;
    static int c;

    public static void main(String[] args) throws Exception {
        String section = args.length > 0 ? args[0] : "all";
        epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        maxBatches = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        // The sections that each train a model of their own, by the name that runs one alone.
        Map<String, Runnable> refactorings = new LinkedHashMap<>();
        refactorings.put("module", WhatIsNn::refactorUsingNnModule);
        refactorings.put("linear", WhatIsNn::refactorUsingNnLinear);
        refactorings.put("optim", WhatIsNn::refactorUsingOptim);
        refactorings.put("dataset", WhatIsNn::refactorUsingDataset);
        refactorings.put("dataloader", WhatIsNn::refactorUsingDataLoader);
        refactorings.put("validation", WhatIsNn::addValidation);
        refactorings.put("fit", WhatIsNn::createFitAndGetData);
        refactorings.put("cnn", WhatIsNn::switchToCnn);
        refactorings.put("sequential", WhatIsNn::nnSequential);
        List<String> sections = new ArrayList<>(List.of("all", "scratch", "functional"));
        sections.addAll(refactorings.keySet());
        sections.addAll(List.of("wrapped", "gpu"));
        if (!sections.contains(section)) {
            throw new IllegalArgumentException("section " + section + ": expected one of " + sections);
        }
        boolean all = section.equals("all");
        try (Scope data = Scope.open()) {
            mnistDataSetup();
            if (all || section.equals("scratch") || section.equals("functional")) {
                try (Scope s = Scope.open()) {
                    Tensor[] weightsAndBias = neuralNetFromScratch();
                    if (all || section.equals("functional")) {
                        usingTorchNnFunctional(weightsAndBias[0], weightsAndBias[1]);
                    }
                }
            }
            for (Map.Entry<String, Runnable> r : refactorings.entrySet()) {
                if (all || section.equals(r.getKey())) {
                    try (Scope s = Scope.open()) {
                        r.getValue().run();
                    }
                }
            }
            boolean wrapping = all || section.equals("wrapped");
            boolean gpu = all || section.equals("gpu");
            if (wrapping || gpu) {
                try (Scope s = Scope.open()) {
                    wrappingDataLoaderAndGpu(wrapping, gpu);
                }
            }
        }
    }

    static void header(String title) {
        System.out.println("\n" + title + "\n" + "-".repeat(title.length()));
    }

    // ---- MNIST data setup -------------------------------------------------------------------------------------

    /** x_train, y_train, x_valid, y_valid as tensors: [50000, 784] and [50000], [10000, 784] and [10000]. */
    static void mnistDataSetup() throws Exception {
        header("MNIST data setup");
        Mnist mnist = Mnist.load(null, "mnist", Mnist.Split.TRAIN);
        xTrain = images(mnist, 0, 50_000);
        yTrain = labels(mnist, 0, 50_000);
        xValid = images(mnist, 50_000, 60_000);
        yValid = labels(mnist, 50_000, 60_000);
        n = xTrain.dim(0);
        c = xTrain.dim(1);
        // The tutorial first shows x_train[0] with pyplot.imshow; a console example has no window to show it in.
        System.out.println("(" + n + ", " + c + ")"); // print(x_train.shape) of the pickle's numpy array
        System.out.println(xTrain + " " + yTrain);
        System.out.println(xTrain.shape());
        System.out.println(yTrain.min() + " " + yTrain.max());
    }

    static Tensor images(Mnist mnist, int from, int to) {
        float[] pixels = new float[(to - from) * Mnist.PIXELS];
        for (int i = from; i < to; i++) {
            mnist.copyImage(i, pixels, (i - from) * Mnist.PIXELS);
        }
        return Tensor.fromArray(pixels, to - from, Mnist.PIXELS);
    }

    static Tensor labels(Mnist mnist, int from, int to) {
        return Tensor.fromArray(Arrays.copyOfRange(mnist.labels(), from, to), to - from);
    }

    // ---- Neural net from scratch (no torch.nn) ----------------------------------------------------------------

    static Tensor logSoftmax(Tensor x) {
        return x.sub(x.exp().sum(-1).log().unsqueeze(-1));
    }

    static Tensor nll(Tensor input, Tensor target) {
        Tensor rows = Tensor.arange(0, target.dim(0), 1, DType.I64); // range(target.shape[0])
        return input.index(Idx.tensor(rows), Idx.tensor(target)).mean().neg();
    }

    static Tensor accuracy(Tensor out, Tensor yb) {
        Tensor preds = out.argmax(1);
        return preds.eq(yb).to(DType.F32).mean();
    }

    /** How many mini-batches of {@code BS} an epoch over x_train runs: all of them, or the first maxBatches. */
    static int batches() {
        return Math.min((n - 1) / BS + 1, maxBatches);
    }

    /** x_train[start_i:end_i] of the loops' last batch, which Python's xb still holds after them. */
    static Tensor lastXb() {
        int start = (batches() - 1) * BS;
        return xTrain.index(Idx.slice(start, Math.min(start + BS, n)));
    }

    static Tensor lastYb() {
        int start = (batches() - 1) * BS;
        return yTrain.index(Idx.slice(start, Math.min(start + BS, n)));
    }

    /** Trains the tutorial's logistic regression by hand; returns its weights and bias for the next section. */
    static Tensor[] neuralNetFromScratch() {
        header("Neural net from scratch (no torch.nn)");
        // Xavier initialisation; requires_grad set after it, so that the division is not recorded.
        Tensor weights = Tensor.randn(784, 10).div(Math.sqrt(784));
        weights.requiresGrad(true);
        Tensor bias = Tensor.zeros(10).requiresGrad(true);

        UnaryOperator<Tensor> model = xb -> logSoftmax(xb.matmul(weights).add(bias));

        Tensor xb = xTrain.index(Idx.slice(0, BS)); // a mini-batch from x
        Tensor preds = model.apply(xb); // predictions
        System.out.println(preds.index(Idx.at(0)) + " " + preds.shape());

        BiFunction<Tensor, Tensor, Tensor> lossFunc = WhatIsNn::nll;
        Tensor yb = yTrain.index(Idx.slice(0, BS));
        System.out.println(lossFunc.apply(preds, yb));
        System.out.println(accuracy(preds, yb));

        double lr = 0.5; // learning rate
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = 0; i < batches(); i++) {
                try (Scope s = Scope.open()) {
                    int startI = i * BS;
                    int endI = Math.min(startI + BS, n);
                    Tensor xbI = xTrain.index(Idx.slice(startI, endI));
                    Tensor ybI = yTrain.index(Idx.slice(startI, endI));
                    Tensor pred = model.apply(xbI);
                    Tensor loss = lossFunc.apply(pred, ybI);

                    loss.backward();
                    try (Autograd.Guard g = Autograd.noGrad()) {
                        weights.addInPlace(weights.grad(), -lr); // weights -= weights.grad * lr
                        bias.addInPlace(bias.grad(), -lr);
                        weights.zeroGrad();
                        bias.zeroGrad();
                    }
                }
            }
        }
        xb = lastXb();
        yb = lastYb();
        System.out.println(lossFunc.apply(model.apply(xb), yb) + " " + accuracy(model.apply(xb), yb));
        return new Tensor[] {weights, bias};
    }

    // ---- Using torch.nn.functional ----------------------------------------------------------------------------

    static void usingTorchNnFunctional(Tensor weights, Tensor bias) {
        header("Using torch.nn.functional");
        BiFunction<Tensor, Tensor, Tensor> lossFunc = F::crossEntropy;
        UnaryOperator<Tensor> model = xb -> xb.matmul(weights).add(bias);
        Tensor xb = lastXb();
        Tensor yb = lastYb();
        System.out.println(lossFunc.apply(model.apply(xb), yb) + " " + accuracy(model.apply(xb), yb));
    }

    // ---- Refactor using nn.Module -----------------------------------------------------------------------------

    /** {@code class Mnist_Logistic(nn.Module)} with {@code nn.Parameter}s: registerParameter marks them trainable. */
    static class MnistLogistic extends Module {
        MnistLogistic() {
            registerParameter("weights", unscoped(() -> Tensor.randn(784, 10).mulInPlace(1 / Math.sqrt(784))));
            registerParameter("bias", unscoped(() -> Tensor.zeros(10)));
        }

        @Override
        public Tensor forward(Tensor xb) {
            return xb.matmul(param("weights")).add(param("bias"));
        }
    }

    /** The tutorial's first {@code fit()}: SGD by hand over model.parameters(), then model.zero_grad(). */
    static void fit(Module model, double lr) {
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = 0; i < batches(); i++) {
                try (Scope s = Scope.open()) {
                    int startI = i * BS;
                    int endI = Math.min(startI + BS, n);
                    Tensor xb = xTrain.index(Idx.slice(startI, endI));
                    Tensor yb = yTrain.index(Idx.slice(startI, endI));
                    Tensor pred = model.call(xb);
                    Tensor loss = F.crossEntropy(pred, yb);

                    loss.backward();
                    try (Autograd.Guard g = Autograd.noGrad()) {
                        for (Tensor p : model.parameters()) {
                            p.addInPlace(p.grad(), -lr); // p -= p.grad * lr
                        }
                        model.zeroGrad();
                    }
                }
            }
        }
    }

    static void refactorUsingNnModule() {
        header("Refactor using nn.Module");
        BiFunction<Tensor, Tensor, Tensor> lossFunc = F::crossEntropy;
        Tensor xb = lastXb();
        Tensor yb = lastYb();
        try (MnistLogistic model = new MnistLogistic()) {
            System.out.println(lossFunc.apply(model.call(xb), yb));
            fit(model, 0.5);
            System.out.println(lossFunc.apply(model.call(xb), yb));
        }
    }

    // ---- Refactor using nn.Linear -----------------------------------------------------------------------------

    /** The tutorial's second {@code Mnist_Logistic}, made of an {@code nn.Linear} (Java cannot redefine a class). */
    static class MnistLinear extends Module {
        MnistLinear() {
            registerModule("lin", new Linear(784, 10));
        }

        @Override
        public Tensor forward(Tensor xb) {
            return module("lin").call(xb);
        }
    }

    static void refactorUsingNnLinear() {
        header("Refactor using nn.Linear");
        Tensor xb = lastXb();
        Tensor yb = lastYb();
        try (MnistLinear model = new MnistLinear()) {
            System.out.println(F.crossEntropy(model.call(xb), yb));
            fit(model, 0.5);
            System.out.println(F.crossEntropy(model.call(xb), yb));
        }
    }

    // ---- Refactor using optim ---------------------------------------------------------------------------------

    /** {@code get_model()}: the model and its optimizer, closed together. */
    record ModelAndOpt(Module model, Optimizer opt) implements AutoCloseable {
        @Override
        public void close() {
            opt.close();
            model.close();
        }
    }

    static ModelAndOpt getModel(double lr) {
        Module model = new MnistLinear();
        return new ModelAndOpt(model, new SGD(model.parameters(), lr));
    }

    static void refactorUsingOptim() {
        header("Refactor using optim");
        Tensor xbLast = lastXb();
        Tensor ybLast = lastYb();
        try (ModelAndOpt m = getModel(0.5)) {
            Module model = m.model();
            Optimizer opt = m.opt();
            System.out.println(F.crossEntropy(model.call(xbLast), ybLast));
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (int i = 0; i < batches(); i++) {
                    try (Scope s = Scope.open()) {
                        int startI = i * BS;
                        int endI = Math.min(startI + BS, n);
                        Tensor xb = xTrain.index(Idx.slice(startI, endI));
                        Tensor yb = yTrain.index(Idx.slice(startI, endI));
                        Tensor pred = model.call(xb);
                        Tensor loss = F.crossEntropy(pred, yb);

                        loss.backward();
                        opt.step();
                        opt.zeroGrad();
                    }
                }
            }
            System.out.println(F.crossEntropy(model.call(xbLast), ybLast));
        }
    }

    // ---- Refactor using Dataset -------------------------------------------------------------------------------

    static void refactorUsingDataset() {
        header("Refactor using Dataset");
        TensorDataset trainDs = new TensorDataset(xTrain, yTrain);
        try (ModelAndOpt m = getModel(0.5)) {
            Module model = m.model();
            Optimizer opt = m.opt();
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (int i = 0; i < batches(); i++) {
                    try (Scope s = Scope.open()) {
                        HostBatch b = trainDs.slice(i * BS, i * BS + BS); // xb, yb = train_ds[i*bs : i*bs+bs]
                        Tensor pred = model.call(b.features());
                        Tensor loss = F.crossEntropy(pred, b.labels());

                        loss.backward();
                        opt.step();
                        opt.zeroGrad();
                    }
                }
            }
            HostBatch last = trainDs.slice((batches() - 1) * BS, batches() * BS);
            System.out.println(F.crossEntropy(model.call(last.features()), last.labels()));
        }
    }

    // ---- Refactor using DataLoader ----------------------------------------------------------------------------

    static void refactorUsingDataLoader() {
        header("Refactor using DataLoader");
        TensorDataset trainDs = new TensorDataset(xTrain, yTrain);
        try (DataLoader trainDl = new DataLoader(trainDs, BS);
             ModelAndOpt m = getModel(0.5)) {
            Module model = m.model();
            Optimizer opt = m.opt();
            for (int epoch = 0; epoch < epochs; epoch++) {
                trainOneEpoch(trainDl, epoch, model, opt);
            }
            // The loader's last batch: unshuffled, x_train's last rows.
            System.out.println(F.crossEntropy(model.call(lastXb()), lastYb()));
        }
    }

    /** {@code for xb, yb in train_dl:} one step each, the first maxBatches batches where the run is shortened. */
    static void trainOneEpoch(DataLoader trainDl, int epoch, Module model, Optimizer opt) {
        int batch = 0;
        for (HostBatch b : trainDl.epoch(epoch)) {
            if (batch++ == maxBatches) {
                break;
            }
            try (Scope s = Scope.open()) {
                Tensor pred = model.call(b.features());
                Tensor loss = F.crossEntropy(pred, b.labels());

                loss.backward();
                opt.step();
                opt.zeroGrad();
            }
        }
    }

    // ---- Add validation ---------------------------------------------------------------------------------------

    static final long SHUFFLE_SEED = 0;

    static void addValidation() {
        header("Add validation");
        TensorDataset trainDs = new TensorDataset(xTrain, yTrain);
        TensorDataset validDs = new TensorDataset(xValid, yValid);
        try (DataLoader trainDl = new DataLoader(trainDs, BS, true, SHUFFLE_SEED);
             DataLoader validDl = new DataLoader(validDs, BS * 2);
             ModelAndOpt m = getModel(0.5)) {
            Module model = m.model();
            Optimizer opt = m.opt();
            for (int epoch = 0; epoch < epochs; epoch++) {
                model.train();
                trainOneEpoch(trainDl, epoch, model, opt);

                model.eval();
                try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                    Tensor validLoss = Tensor.zeros(); // sum(loss_func(model(xb), yb) for xb, yb in valid_dl)
                    for (HostBatch b : validDl.epoch(0)) {
                        validLoss = validLoss.add(F.crossEntropy(model.call(b.features()), b.labels()));
                    }
                    System.out.println(epoch + " " + validLoss.div(validDl.batchesPerEpoch()));
                }
            }
        }
    }

    // ---- Create fit() and get_data() --------------------------------------------------------------------------

    /** What a loss for one batch returns: {@code loss.item(), len(xb)}. */
    record LossAndCount(double loss, int count) {
    }

    static LossAndCount lossBatch(Module model, BiFunction<Tensor, Tensor, Tensor> lossFunc, Tensor xb, Tensor yb,
                                  Optimizer opt) {
        Tensor loss = lossFunc.apply(model.call(xb), yb);

        if (opt != null) {
            loss.backward();
            opt.step();
            opt.zeroGrad();
        }

        return new LossAndCount(loss.item(), xb.dim(0));
    }

    /** A batch (xb, yb), as the tutorial's loaders yield them. */
    record Batch(Tensor xb, Tensor yb) {
    }

    /**
     * What {@code fit} iterates, Python's "any iterable of (xb, yb)": each batch's tensors are made in a scope of
     * their own, freed when the body has run (Java's for-each would make them before a body's scope opens).
     */
    interface Batches {
        /** The first {@code limit} batches of epoch {@code epoch} (all of them where the epoch is shorter). */
        void forEach(int epoch, int limit, Consumer<Batch> body);

        int length();
    }

    /** The tutorial's {@code WrappedDataLoader}: dl's batches through func; a plain loader is one with no change. */
    record WrappedDataLoader(DataLoader dl, BiFunction<Tensor, Tensor, Batch> func) implements Batches {
        WrappedDataLoader(DataLoader dl) {
            this(dl, Batch::new);
        }

        @Override
        public void forEach(int epoch, int limit, Consumer<Batch> body) {
            int batch = 0;
            for (HostBatch b : dl.epoch(epoch)) {
                if (batch++ == limit) {
                    break;
                }
                try (Scope s = Scope.open()) {
                    body.accept(func.apply(b.features(), b.labels()));
                }
            }
        }

        @Override
        public int length() {
            return dl.batchesPerEpoch();
        }
    }

    static void fit(int epochs, Module model, BiFunction<Tensor, Tensor, Tensor> lossFunc, Optimizer opt,
                    Batches trainDl, Batches validDl) {
        for (int epoch = 0; epoch < epochs; epoch++) {
            model.train();
            trainDl.forEach(epoch, maxBatches, b -> lossBatch(model, lossFunc, b.xb(), b.yb(), opt));

            model.eval();
            List<LossAndCount> results = new ArrayList<>();
            try (Autograd.Guard g = Autograd.noGrad()) {
                validDl.forEach(0, Integer.MAX_VALUE, b -> results.add(lossBatch(model, lossFunc, b.xb(), b.yb(), null)));
            }
            double weighted = 0;
            long nums = 0;
            for (LossAndCount r : results) {
                weighted += r.loss() * r.count();
                nums += r.count();
            }
            double valLoss = weighted / nums;

            System.out.println(epoch + " " + valLoss);
        }
    }

    /** {@code get_data}: a shuffled training loader and a validation loader of twice the batch size. */
    static DataLoader[] getData(TensorDataset trainDs, TensorDataset validDs, int bs) {
        return new DataLoader[] {
            new DataLoader(trainDs, bs, true, SHUFFLE_SEED),
            new DataLoader(validDs, bs * 2),
        };
    }

    /** Runs {@code body} with get_data's two loaders, closed after it. */
    static void withData(BiConsumer<DataLoader, DataLoader> body) {
        DataLoader[] loaders = getData(new TensorDataset(xTrain, yTrain), new TensorDataset(xValid, yValid), BS);
        try (DataLoader trainDl = loaders[0]; DataLoader validDl = loaders[1]) {
            body.accept(trainDl, validDl);
        }
    }

    static void createFitAndGetData() {
        header("Create fit() and get_data()");
        withData((trainDl, validDl) -> {
            try (ModelAndOpt m = getModel(0.5)) {
                fit(epochs, m.model(), F::crossEntropy, m.opt(), new WrappedDataLoader(trainDl),
                        new WrappedDataLoader(validDl));
            }
        });
    }

    // ---- Switch to CNN ----------------------------------------------------------------------------------------

    static class MnistCnn extends Module {
        MnistCnn() {
            registerModule("conv1", new Conv2d(1, 16, 3, 2, 1, 1, true));
            registerModule("conv2", new Conv2d(16, 16, 3, 2, 1, 1, true));
            registerModule("conv3", new Conv2d(16, 10, 3, 2, 1, 1, true));
        }

        @Override
        public Tensor forward(Tensor xb) {
            xb = xb.view(-1, 1, 28, 28);
            xb = F.relu(module("conv1").call(xb));
            xb = F.relu(module("conv2").call(xb));
            xb = F.relu(module("conv3").call(xb));
            xb = F.avgPool2d(xb, 4);
            return xb.view(-1, xb.dim(1));
        }
    }

    static void switchToCnn() {
        header("Switch to CNN");
        double lr = 0.1;
        withData((trainDl, validDl) -> {
            try (MnistCnn model = new MnistCnn();
                 Optimizer opt = new SGD(model.parameters(), lr, 0.9, false, 0)) {
                fit(epochs, model, F::crossEntropy, opt, new WrappedDataLoader(trainDl),
                        new WrappedDataLoader(validDl));
            }
        });
    }

    // ---- nn.Sequential ----------------------------------------------------------------------------------------

    static Tensor preprocess(Tensor x) {
        return x.view(-1, 1, 28, 28);
    }

    static void nnSequential() {
        header("nn.Sequential");
        double lr = 0.1;
        withData((trainDl, validDl) -> {
            try (Sequential model = new Sequential(
                    new Lambda(WhatIsNn::preprocess),
                    new Conv2d(1, 16, 3, 2, 1, 1, true),
                    new ReLU(),
                    new Conv2d(16, 16, 3, 2, 1, 1, true),
                    new ReLU(),
                    new Conv2d(16, 10, 3, 2, 1, 1, true),
                    new ReLU(),
                    new AvgPool2d(4),
                    new Lambda(x -> x.view(x.dim(0), -1)));
                 Optimizer opt = new SGD(model.parameters(), lr, 0.9, false, 0)) {
                fit(epochs, model, F::crossEntropy, opt, new WrappedDataLoader(trainDl),
                        new WrappedDataLoader(validDl));
            }
        });
    }

    // ---- Wrapping DataLoader ----------------------------------------------------------------------------------

    static Batch preprocess(Tensor x, Tensor y) {
        return new Batch(x.view(-1, 1, 28, 28), y);
    }

    /** The CNN for any single-channel image size: adaptive pooling to 1 x 1, the reshape left to the loader. */
    static Sequential adaptiveCnn() {
        return new Sequential(
                new Conv2d(1, 16, 3, 2, 1, 1, true),
                new ReLU(),
                new Conv2d(16, 16, 3, 2, 1, 1, true),
                new ReLU(),
                new Conv2d(16, 10, 3, 2, 1, 1, true),
                new ReLU(),
                new AdaptiveAvgPool2d(1),
                new Lambda(x -> x.view(x.dim(0), -1)));
    }

    /**
     * The tutorial's last two sections, which train one model: "Wrapping DataLoader" and then, on the same model,
     * "Using your GPU"; either alone starts from a new model.
     */
    static void wrappingDataLoaderAndGpu(boolean wrapping, boolean gpu) {
        double lr = 0.1;
        try (Sequential model = adaptiveCnn()) {
            if (wrapping) {
                header("Wrapping DataLoader");
                withData((trainDl, validDl) -> {
                    Batches train = new WrappedDataLoader(trainDl, WhatIsNn::preprocess);
                    Batches valid = new WrappedDataLoader(validDl, WhatIsNn::preprocess);
                    try (Optimizer opt = new SGD(model.parameters(), lr, 0.9, false, 0)) {
                        fit(epochs, model, F::crossEntropy, opt, train, valid);
                    }
                });
            }
            if (gpu) {
                usingYourGpu(model, lr);
            }
        }
    }

    // ---- Using your GPU ---------------------------------------------------------------------------------------

    static void usingYourGpu(Module model, double lr) {
        header("Using your GPU");
        // torch.cuda.is_available(): Kiln picks its backend once, CUDA where a device and its libraries load.
        boolean cuda = Engine.get().backend().device().kind().equals("cuda");
        System.out.println(cuda ? "True" : "False");
        // dev = torch.device("cuda") ..., preprocess moving each batch there and model.to(dev): Kiln makes every
        // tensor, parameters and batches alike, on the engine's backend, so the same code runs on the GPU as it is.
        withData((trainDl, validDl) -> {
            Batches train = new WrappedDataLoader(trainDl, WhatIsNn::preprocess);
            Batches valid = new WrappedDataLoader(validDl, WhatIsNn::preprocess);
            try (Optimizer opt = new SGD(model.parameters(), lr, 0.9, false, 0)) {
                fit(epochs, model, F::crossEntropy, opt, train, valid);
            }
        });
    }
}
