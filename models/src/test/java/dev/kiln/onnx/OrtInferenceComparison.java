package dev.kiln.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
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
 * machine's CPU: the median of 30 timed runs after 10 warm-ups, for each model and batch. A benchmark, not a test (run
 * by hand; docs/BENCHMARKS.md has the command and the figures).
 */
public final class OrtInferenceComparison {
    private static final int WARM_UPS = 10;
    private static final int RUNS = 30;

    private OrtInferenceComparison() {
    }

    public static void main(String[] args) throws IOException, OrtException {
        Engine.seed(1);
        Path dir = Files.createTempDirectory("kiln-ort");
        System.out.printf("%-26s %10s %10s %8s%n", "model [input]", "Kiln ms", "ORT ms", "Kiln/ORT");
        compare("mlp", Zoo.mlp(784, 10), dir, 1, 784);
        compare("mlp", Zoo.mlp(784, 10), dir, 128, 784);
        compare("lenet", Zoo.lenet(10), dir, 1, 1, 28, 28);
        compare("lenet", Zoo.lenet(10), dir, 64, 1, 28, 28);
        compare("resnet18", ResNet.resnet18(3, 1000), dir, 1, 3, 224, 224);
        compare("resnet18", ResNet.resnet18(3, 1000), dir, 16, 3, 64, 64);
    }

    private static void compare(String name, Module model, Path dir, int... shape) throws IOException, OrtException {
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.export(model, shape, file);
        float[] x = OrtCheck.input(shape);
        double kiln = kilnMillis(model, x, shape);
        double ort = ortMillis(file, x, shape);
        System.out.printf("%-26s %10.3f %10.3f %8.2f%n", name + " " + Arrays.toString(shape), kiln, ort, kiln / ort);
    }

    private static double kilnMillis(Module model, float[] x, int[] shape) {
        model.eval();
        double[] times = new double[RUNS];
        try (var noGrad = Autograd.noGrad()) {
            for (int i = -WARM_UPS; i < RUNS; i++) {
                try (Scope s = Scope.open()) {
                    long start = System.nanoTime();
                    model.call(Tensor.fromArray(x, shape)).toFloatArray();
                    if (i >= 0) {
                        times[i] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
        }
        return median(times);
    }

    private static double ortMillis(Path file, float[] x, int[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double[] times = new double[RUNS];
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            for (int i = -WARM_UPS; i < RUNS; i++) {
                long start = System.nanoTime();
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), OnnxGraph.longs(shape));
                     OrtSession.Result result = session.run(Map.of("input", in))) {
                    ((OnnxTensor) result.get(0)).getFloatBuffer();
                }
                if (i >= 0) {
                    times[i] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        return median(times);
    }

    private static double median(double[] times) {
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
