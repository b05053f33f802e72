package dev.kiln.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Fusion;
import dev.kiln.nn.Module;
import dev.kiln.zoo.ResNet;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Inference latency of Kiln's evaluation-mode forward beside ONNX Runtime's on the same exported model, on this
 * machine's CPU: the median of 30 timed runs, for each model and batch. "cold" is Kiln after 10 warm-ups, in a JVM
 * that has not yet compiled the code it runs (a freshly started service's first requests); "warm" is Kiln and ONNX
 * Runtime after warm-ups of {@value #WARM_SECONDS} s (at most {@value #WARM_MAX_RUNS} runs), when the JIT has
 * compiled the forward pass: the MLP at batch 1 took 0.3-0.5 ms cold and 0.03 ms warm. A benchmark, not a test (run
 * by hand; docs/BENCHMARKS.md has the command and the figures). "fused" is Kiln's warm median after
 * {@link Fusion#fuseConvBatchNorm(Module)}, which folds each batch norm into the convolution before it as ONNX Runtime
 * does when it loads a model (the same as unfused for models without batch norm).
 */
public final class OrtInferenceComparison {
    private static final int COLD_WARM_UPS = 10;
    private static final double WARM_SECONDS = 2;
    private static final int WARM_MAX_RUNS = 1000;
    private static final int RUNS = 30;

    /** One inference, returning its time in milliseconds. */
    @FunctionalInterface
    private interface Inference {
        double millis() throws OrtException;
    }

    private OrtInferenceComparison() {
    }

    public static void main(String[] args) throws IOException, OrtException {
        Engine.seed(1);
        Path dir = Files.createTempDirectory("kiln-ort");
        System.out.printf("%-26s %12s %12s %13s %10s %8s %9s%n", "model [input]", "Kiln cold ms", "Kiln warm ms",
                "Kiln fused ms", "ORT ms", "warm/ORT", "fused/ORT");
        compare("mlp", Zoo.mlp(784, 10), dir, 1, 784);
        compare("mlp", Zoo.mlp(784, 10), dir, 128, 784);
        compare("lenet", Zoo.lenet(10), dir, 1, 1, 28, 28);
        compare("lenet", Zoo.lenet(10), dir, 64, 1, 28, 28);
        compare("resnet18", ResNet.resnet18(3, 1000), dir, 1, 3, 224, 224);
        compare("resnet18", ResNet.resnet18(3, 1000), dir, 16, 3, 64, 64);
    }

    private static void compare(String name, Module model, Path dir, int... shape) throws IOException, OrtException {
        Path file = dir.resolve(name + ".onnx");
        model.eval();
        OnnxExport.export(model, shape, file);
        float[] x = OrtCheck.input(shape);
        double[] kiln = kilnMillis(model, x, shape);
        double fused = kilnMillis(Fusion.fuseConvBatchNorm(model), x, shape)[1];
        double ort = ortMillis(file, x, shape);
        System.out.printf("%-26s %12.3f %12.3f %13.3f %10.3f %8.2f %9.2f%n", name + " " + Arrays.toString(shape),
                kiln[0], kiln[1], fused, ort, kiln[1] / ort, fused / ort);
    }

    /** Kiln's cold and warm medians. */
    private static double[] kilnMillis(Module model, float[] x, int[] shape) throws OrtException {
        model.eval();
        try (var noGrad = Autograd.noGrad()) {
            Inference forward = () -> {
                try (Scope s = Scope.open()) {
                    long start = System.nanoTime();
                    model.call(Tensor.fromArray(x, shape)).toFloatArray();
                    return (System.nanoTime() - start) / 1e6;
                }
            };
            double cold = median(forward, COLD_WARM_UPS);
            return new double[] {cold, warmMedian(forward)};
        }
    }

    private static double ortMillis(Path file, float[] x, int[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            return warmMedian(() -> {
                long start = System.nanoTime();
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), OnnxGraph.longs(shape));
                     OrtSession.Result result = session.run(Map.of("input", in))) {
                    ((OnnxTensor) result.get(0)).getFloatBuffer();
                }
                return (System.nanoTime() - start) / 1e6;
            });
        }
    }

    /** The median after warm-ups for {@value #WARM_SECONDS} s or {@value #WARM_MAX_RUNS} runs, whichever ends first. */
    private static double warmMedian(Inference inference) throws OrtException {
        double spent = 0;
        for (int i = 0; i < WARM_MAX_RUNS && spent < WARM_SECONDS * 1e3; i++) {
            spent += inference.millis();
        }
        return median(inference, 0);
    }

    /** The median of {@value #RUNS} timed runs after {@code warmUps} untimed ones. */
    private static double median(Inference inference, int warmUps) throws OrtException {
        for (int i = 0; i < warmUps; i++) {
            inference.millis();
        }
        double[] times = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            times[i] = inference.millis();
        }
        Arrays.sort(times);
        return times[RUNS / 2];
    }
}
