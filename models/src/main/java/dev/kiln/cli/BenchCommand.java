package dev.kiln.cli;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.OperationProfiler;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.Optimizers;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Json;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingListener;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code kiln bench WORKLOAD}: the protocol of shared/BENCHMARKS.md. Training workloads report samples/s
 * as the median over epochs 2..N of training samples / epoch wall time, test accuracy after the last
 * epoch, the process's peak resident memory and the backend's peak tensor memory (the most bytes live at once).
 */
final class BenchCommand {
    static final String HELP = """
            Usage: kiln bench WORKLOAD [--data-dir DIR] [--epochs N] [--batch B] [--steps S] [--precision P]
                              [--cuda-graphs on|off] [--width W] [--profile-trace FILE]
              mlp       W1: MNIST, 784-512-ReLU-512-ReLU-10, Adam lr 1e-3, batch 128, 5 epochs; --width W gives
                        both hidden layers W units (--width 4096 --batch 4096: a GEMM-bound step on a GPU)
              lenet     W2: MNIST, conv 1->20 5x5 ReLU maxpool 2, conv 20->50 5x5 ReLU maxpool 2,
                        dense 800->500 ReLU, dense 500->10; Adam lr 1e-3, batch 64, 3 epochs
              lstm      W3: MNIST rows as 28 steps x 28 features, 1-layer LSTM hidden 128, last hidden
                        state -> dense 10; Adam lr 1e-3, batch 128, 3 epochs
              gru       W3 with a GRU in place of the LSTM
              rnn       W3 with a tanh RNN in place of the LSTM
              resnet    the zoo's small ResNet (3 stages of one basic block, 16-64 channels) on MNIST;
                        Adam lr 1e-3, batch 256, 2 epochs
              transformer
                        MNIST rows as 28 tokens x 28 features, embedded in 64 with a learned position each,
                        2 pre-norm encoder layers (4 heads, feed-forward 256, no dropout), mean of the tokens
                        -> dense 10; Adam lr 1e-3, batch 128, 3 epochs
              resnet18  ResNet-18 (CIFAR form, 11.2 M parameters) on random 3x32x32 images with random
                        labels, S steps an epoch (default 20); Adam lr 1e-3, batch 256, 3 epochs; reports
                        training speed and the last epoch's loss (random labels teach nothing)
              sgemm     W5: C = A*B for square N in 512, 1024, 2048, 4096; best of 10 after 3 warm-ups
              conv      W2's two convolutions alone at batch 64: forward, and forward with backward (input,
                        weight and bias gradients); median of 100 after 50 warm-ups, until the device has
                        finished and until the call returned (the host's share, on a GPU)
              unary     element-wise functions (exp, log, sin, tan, erf, pow, and with their backward the
                        activations sigmoid, tanh, GELU exact and tanh, ELU, SiLU, the inverses asin, acos,
                        atan, asinh, acosh, atanh and the powers x^3, x^4, x^-2) of 2^20 F32 values; median of 50
                        (bench/pytorch_unary.py times the same in PyTorch); --functions exp,silu times those alone
              dispatch  the engine's cost per step apart from arithmetic, from the JVM's first step on: a step of
                        four tiny ops ([4, 4] matmul, ReLU, add, sum) and their backward in a scope, read back
                        (as a training step reads its loss); microseconds per step over steps 1-10, 11-60, 61-120,
                        121-500, 501-1000, 1001-5000 and 5001-20000
            --batch overrides the training workloads' batch size (issue 10 measures them at 1024 too);
            --precision bf16 or f16 trains them in mixed precision (bfloat16 or half operands of matrix
            products and convolutions, F32 weights, f16 with a GradScaler; see kiln train --help), default fp32; --cuda-graphs on replays each
            training step as a recorded CUDA graph on a GPU (see kiln train --help), default off.
            The training workloads also take:
            """ + ProfiledSteps.HELP + """
            The last line printed is one JSON object with the figures. A note before it says when the timed
            epochs (2..N) took under 2 s in all: that early the JIT is still compiling Kiln, so time more epochs.
            """;


    private BenchCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException("name a workload: kiln bench mlp|lenet|lstm|gru|rnn|resnet|transformer|resnet18|sgemm|conv"
                    + "|unary|dispatch");
        }
        String workload = args[0];
        Options o = Options.parse(Arrays.copyOfRange(args, 1, args.length), Set.of(ProfiledSteps.MEMORY));
        return switch (workload) {
            case "mlp" -> {
                int width = o.getInt("width", 512);
                if (width < 1) {
                    throw new IllegalArgumentException("mlp: --width must be at least 1, got " + width);
                }
                yield training("mlp", Map.of("width", width), () -> Zoo.mlp(Mnist.PIXELS, width, Mnist.CLASSES, 0),
                        128, 5, o, out);
            }
            case "lenet" -> training("lenet", Map.of(), () -> Zoo.lenet(Mnist.CLASSES), 64, 3, o, out);
            case "lstm", "gru", "rnn" -> training(workload, Map.of(), () -> Zoo.rowReader(workload, Mnist.CLASSES, 0),
                    128, 3, o, out);
            case "resnet" -> training("resnet", Map.of(), () -> Zoo.resnet(Mnist.CLASSES), 256, 2, o, out);
            case "transformer" -> training("transformer", Map.of(), () -> Zoo.rowTransformer(Mnist.CLASSES), 128, 3, o,
                    out);
            case "resnet18" -> randomImages("resnet18", () -> Zoo.resnet18(3, 10), new int[] {3, 32, 32}, 10, o, out);
            case "sgemm" -> {
                o.rejectUnknown();
                yield sgemm(out);
            }
            case "conv" -> {
                o.rejectUnknown();
                yield convolutions(out);
            }
            case "unary" -> {
                String functions = o.get("functions", "");
                o.rejectUnknown();
                yield UnaryBench.run(functions.isBlank() ? List.of() : List.of(functions.split(",")), out);
            }
            case "dispatch" -> {
                o.rejectUnknown();
                yield dispatch(out);
            }
            default -> throw new IllegalArgumentException("unknown workload '" + workload
                    + "'; known: mlp, lenet, lstm, gru, rnn, resnet, transformer, resnet18, sgemm, conv, unary, dispatch");
        };
    }

    /**
     * A training workload on MNIST: Adam lr 1e-3, the given batch and epochs unless --batch and --epochs say
     * otherwise; samples/s the median over epochs 2..N, test accuracy after the last epoch, peak RSS. The JSON line
     * gives {@code settings} (the model's own options) after the workload's name.
     */
    private static int training(String workload, Map<String, Object> settings, Supplier<Module> modelFactory,
                                int defaultBatch, int defaultEpochs, Options o, PrintStream out) throws Exception {
        Path dataDir = DataOptions.dataDir(o);
        int batch = o.getPositiveInt("batch", defaultBatch);
        int epochs = o.getPositiveInt("epochs", defaultEpochs);
        Precision precision = TrainCommand.precision(o);
        boolean cudaGraphs = o.getOnOff("cuda-graphs", false);
        ProfiledSteps profiledSteps = ProfiledSteps.fromOptions(o, out);
        o.rejectUnknown();
        if (profiledSteps != null) {
            profiledSteps.start();
        }
        Engine.seed(1);
        Dataset train = MnistDataset.load(dataDir, "mnist", Mnist.Split.TRAIN);
        Dataset test = MnistDataset.load(dataDir, "mnist", Mnist.Split.TEST);
        return fit(workload, settings, modelFactory, train, test, batch, epochs, precision, cudaGraphs, profiledSteps,
                out);
    }

    /**
     * Training speed on random images: N(0, 1) pixels of {@code shape} and uniform labels of {@code classes}
     * classes, seeded, --steps batches an epoch (default 20), batch 256 and 3 epochs unless --batch and --epochs
     * say otherwise. Reports the last epoch's training loss in place of a test accuracy.
     */
    private static int randomImages(String workload, Supplier<Module> modelFactory, int[] shape, int classes, Options o,
                                    PrintStream out) throws Exception {
        int batch = o.getInt("batch", 256);
        int steps = o.getInt("steps", 20);
        int epochs = o.getPositiveInt("epochs", 3);
        Precision precision = TrainCommand.precision(o);
        boolean cudaGraphs = o.getOnOff("cuda-graphs", false);
        ProfiledSteps profiledSteps = ProfiledSteps.fromOptions(o, out);
        o.rejectUnknown();
        if (batch < 1 || steps < 1) {
            throw new IllegalArgumentException(workload + ": --batch and --steps must be at least 1, got " + batch
                    + " and " + steps);
        }
        if (profiledSteps != null) {
            profiledSteps.start();
        }
        Engine.seed(1);
        Random random = new Random(1);
        int n = Math.multiplyExact(batch, steps);
        float[] features = new float[Math.multiplyExact(n, Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) random.nextGaussian();
        }
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(classes);
        }
        return fit(workload, Map.of(), modelFactory, new ArrayDataset(features, labels, shape, classes), null, batch,
                epochs, precision, cudaGraphs, profiledSteps, out);
    }

    /**
     * Trains with Adam lr 1e-3 and prints the figures; {@code test} null reports the last training loss instead.
     * {@code profiledSteps} (null: none) profiles a few steps in place of {@link OperationProfileReport}'s epochs.
     */
    private static int fit(String workload, Map<String, Object> settings, Supplier<Module> modelFactory, Dataset train,
                           Dataset test, int batch, int epochs, Precision precision, boolean cudaGraphs,
                           ProfiledSteps profiledSteps, PrintStream out) throws Exception {
        Backend backend = Engine.get().backend();
        CountersPerStep counters = new CountersPerStep(() -> {
            Map<String, Long> all = new LinkedHashMap<>(backend.counters());
            all.putAll(PageFaults.read());
            return all;
        });
        try (Module model = modelFactory.get();
             Optimizer adam = Optimizers.create("adam", model.trainableParameters(), 1e-3)) {
            Trainer trainer = TrainCommand.mixedPrecision(new Trainer(model, adam, new CrossEntropyLoss()), precision)
                    .cudaGraphs(cudaGraphs);
            trainer.listener(counters);
            OperationProfileReport profile = profiledSteps != null ? null
                    : OperationProfiler.of(backend).map(OperationProfileReport::new).orElse(null);
            if (profile != null) {
                trainer.listener(profile);
            }
            if (profiledSteps != null) {
                trainer.listener(profiledSteps);
            }
            trainer.listener(new TrainingListener() {
                @Override
                public void onEpochEnd(EpochMetrics m) {
                    out.printf("epoch %d: %.1f s, %.0f samples/s, train loss %.4f%n", m.epoch(), m.seconds(), m.samplesPerSecond(), m.trainLoss());
                }
            });
            List<EpochMetrics> history = trainer.fit(new DataLoader(train, batch, true, 1), null, epochs);
            warnIfWarmUpDominates(history, out);
            double gemmReplayMillis = Double.NaN;
            if (profile != null) {
                profile.print(out, counters.steps());
                gemmReplayMillis = profile.replayGemms(out, counters.steps());
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("workload", workload);
            r.putAll(settings);
            r.put("batch", batch);
            r.put("epochs", epochs);
            r.put("precision", precision.name().toLowerCase(Locale.ROOT));
            r.put("cuda_graphs", cudaGraphs && backend.canCaptureSteps());
            r.put("samples_per_s", Math.round(TrainCommand.median(history) * 10) / 10.0);
            // Near 1: the device's work bounds the step and the host waits; near 0: the host's work bounds it.
            r.put("loss_wait_share", Math.round(TrainCommand.medianAfterWarmUp(history.stream()
                    .mapToDouble(m -> m.lossWaitSeconds() / m.seconds()).toArray()) * 100) / 100.0);
            if (test != null) {
                Evaluation e = trainer.evaluate(new DataLoader(test, 1000, false, 1));
                r.put("test_accuracy", TrainCommand.round(e.accuracy()));
            } else {
                r.put("train_loss", TrainCommand.round(history.get(history.size() - 1).trainLoss()));
            }
            r.put("parameters", model.parameterCount());
            r.put("peak_rss_mib", peakResidentMiB());
            r.put("peak_tensor_mib", Math.round(backend.peakBytesInUse() / 1048576.0 * 10) / 10.0);
            r.putAll(counters.perStep());
            if (!Double.isNaN(gemmReplayMillis)) {
                r.put("gemm_replay_ms_per_step", Math.round(gemmReplayMillis * 1000) / 1000.0);
            }
            r.put("backend", backend.name());
            r.put("device", backend.deviceName());
            r.put("threads", Integer.getInteger("kiln.threads", Runtime.getRuntime().availableProcessors()));
            out.println(Json.line(r));
        }
        return 0;
    }

    /** Timed epochs shorter than this run while the JIT is still compiling the engine (kiln bench dispatch). */
    private static final double STEADY_STATE_SECONDS = 2.0;

    /**
     * Says so when the timed epochs (2..N) took under {@link #STEADY_STATE_SECONDS} in all: on a fast GPU a short
     * epoch times the JVM's warm-up as much as the training (docs/BENCHMARKS.md, kiln bench dispatch).
     */
    private static void warnIfWarmUpDominates(List<EpochMetrics> history, PrintStream out) {
        double timed = history.stream().skip(1).mapToDouble(EpochMetrics::seconds).sum();
        if (history.size() > 1 && timed < STEADY_STATE_SECONDS) {
            out.printf("note: epochs 2-%d took %.2f s in all; so early in the JVM's life much of Kiln still runs"
                    + " interpreted, and samples/s understate its steady state: time more epochs (--epochs)%n",
                    history.size(), timed);
        }
    }

    /** C = A B on square F32 matrices; a GPU backend is synchronised around each product, so its time is the GEMM's. */
    private static int sgemm(PrintStream out) {
        Backend backend = Engine.get().backend();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", "sgemm");
        for (int n : new int[] {512, 1024, 2048, 4096}) {
            double gflops;
            try (Scope s = Scope.open()) {
                Tensor a = Tensor.randn(n, n);
                Tensor b = Tensor.randn(n, n);
                long best = Long.MAX_VALUE;
                for (int i = 0; i < 13; i++) {
                    backend.synchronize();
                    long t = System.nanoTime();
                    try (Scope step = Scope.open()) {
                        a.matmul(b);
                        backend.synchronize();
                    }
                    if (i >= 3) {
                        best = Math.min(best, System.nanoTime() - t);
                    }
                }
                gflops = 2.0 * n * n * n / best;
            }
            out.printf("N=%d: %.1f GFLOP/s%n", n, gflops);
            r.put("gflops_" + n, Math.round(gflops * 10) / 10.0);
        }
        r.put("backend", backend.name());
        r.put("device", backend.deviceName());
        out.println(Json.line(r));
        return 0;
    }

    /**
     * W2's convolutions alone, batch 64 with bias: conv1 [64, 1, 28, 28] by [20, 1, 5, 5] (its input needs no
     * gradient, as in LeNet) and conv2 [64, 20, 12, 12] by [50, 20, 5, 5]; milliseconds per call, median of 100.
     */
    private static int convolutions(PrintStream out) {
        Backend backend = Engine.get().backend();
        Engine.seed(1);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", "conv");
        r.put("batch", 64);
        timeConvolution("conv1", new int[] {64, 1, 28, 28}, new int[] {20, 1, 5, 5}, false, backend, out, r);
        timeConvolution("conv2", new int[] {64, 20, 12, 12}, new int[] {50, 20, 5, 5}, true, backend, out, r);
        r.put("backend", backend.name());
        r.put("device", backend.deviceName());
        out.println(Json.line(r));
        return 0;
    }

    private static void timeConvolution(String name, int[] input, int[] weight, boolean inputGradient, Backend backend,
                                        PrintStream out, Map<String, Object> r) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(input).requiresGrad(inputGradient);
            Tensor w = Tensor.randn(weight).requiresGrad(true);
            Tensor b = Tensor.randn(weight[0]).requiresGrad(true);
            Tensor gradOut;
            try (Autograd.Guard g = Autograd.noGrad()) {
                gradOut = F.conv2d(x, w, b, 1, 0).fullLike(1);
            }
            Timing forward = medianMillis(backend, () -> {
                try (Autograd.Guard g = Autograd.noGrad()) {
                    F.conv2d(x, w, b, 1, 0);
                }
            });
            Timing both = medianMillis(backend, () -> {
                w.clearGrad();
                b.clearGrad();
                x.clearGrad();
                F.conv2d(x, w, b, 1, 0).backward(gradOut);
            });
            out.printf("%s: forward %.3f ms (host %.3f ms), forward and backward %.3f ms (host %.3f ms)%n", name,
                    forward.total(), forward.host(), both.total(), both.host());
            r.put(name + "_forward_ms", Math.round(forward.total() * 1000) / 1000.0);
            r.put(name + "_forward_backward_ms", Math.round(both.total() * 1000) / 1000.0);
            r.put(name + "_forward_host_ms", Math.round(forward.host() * 1000) / 1000.0);
            r.put(name + "_forward_backward_host_ms", Math.round(both.host() * 1000) / 1000.0);
        }
    }

    /**
     * Microseconds per step of four tiny ops and their backward, each step in its own scope and read back, over
     * ranges of the JVM's first 20,000 steps: what the engine costs beside arithmetic, and how long the JIT takes to
     * bring it down (short benchmark epochs run early in that curve).
     */
    private static int dispatch(PrintStream out) {
        Backend backend = Engine.get().backend();
        Engine.seed(1);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", "dispatch");
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(4, 4).requiresGrad(true);
            Tensor w = Tensor.randn(4, 4).requiresGrad(true);
            int done = 0;
            for (int end : new int[] {10, 60, 120, 500, 1000, 5000, 20_000}) {
                int first = done + 1;
                long start = System.nanoTime();
                for (; done < end; done++) {
                    try (Scope step = Scope.open()) {
                        Tensor loss = x.matmul(w).relu().add(x).sum();
                        loss.backward();
                        loss.item();
                        x.zeroGrad();
                        w.zeroGrad();
                    }
                }
                double micros = (System.nanoTime() - start) / 1e3 / (end - first + 1);
                out.printf("steps %d-%d: %.1f us per step%n", first, end, micros);
                r.put("us_per_step_" + first + "_" + end, Math.round(micros * 10) / 10.0);
            }
        }
        r.put("backend", backend.name());
        r.put("device", backend.deviceName());
        out.println(Json.line(r));
        return 0;
    }

    /**
     * Medians in ms of a body's wall time until the device has finished ({@code total}) and until the body returned
     * ({@code host}: on an asynchronous device, the host's cost of issuing the work; on the CPU about the total).
     */
    record Timing(double total, double host) {
    }

    /** {@link Timing} of 100 runs of {@code body}, each in its own scope, after 50 warm-ups. */
    private static Timing medianMillis(Backend backend, Runnable body) {
        return medianMillis(backend, 50, 100, body);
    }

    /** {@link Timing} of {@code runs} runs of {@code body}, each in its own scope, after {@code warmUps} more. */
    static Timing medianMillis(Backend backend, int warmUps, int runs, Runnable body) {
        double[] total = new double[runs];
        double[] host = new double[runs];
        for (int i = -warmUps; i < total.length; i++) {
            backend.synchronize();
            long t = System.nanoTime();
            try (Scope step = Scope.open()) {
                body.run();
                long issued = System.nanoTime();
                backend.synchronize();
                if (i >= 0) {
                    host[i] = (issued - t) / 1e6;
                }
            }
            if (i >= 0) {
                total[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        return new Timing(TrainCommand.median(total), TrainCommand.median(host));
    }

    /** VmHWM of this process in MiB, or -1 where /proc is missing. */
    static double peakResidentMiB() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 * 10) / 10.0;
            }
        }
        return -1;
    }
}
