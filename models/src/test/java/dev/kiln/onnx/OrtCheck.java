package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Exports a model and runs the file in ONNX Runtime on deterministic inputs of batch 3 and batch 1 (the dynamic batch
 * axis), comparing each output with the model's own evaluation-mode forward in F32: |ort - kiln| <= 1e-4 (1 + |kiln|).
 */
public final class OrtCheck {
    public static final double TOLERANCE = 1e-4;

    private OrtCheck() {
    }

    /** Exports {@code model} for inputs [batch, sampleShape...] and checks ORT against Kiln at batch 3 and 1. */
    public static void exportAndCompare(Module model, Path dir, int... sampleShape) throws IOException, OrtException {
        Path file = dir.resolve("model.onnx");
        OnnxExport.export(model, withBatch(3, sampleShape), file);
        for (int batch : new int[] {3, 1}) {
            compare(model, file, withBatch(batch, sampleShape), "input");
        }
    }

    /** The pattern input 0.5 sin(0.7 k + 1.3 seed + 0.1) scaled by 4, so that activations see both signs and kinks. */
    public static float[] input(int[] shape) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] p = PyTorchParity.pattern(n, 7);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (4 * p[i]);
        }
        return x;
    }

    public static int[] withBatch(int batch, int[] sampleShape) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = batch;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }

    /** Runs {@code file} in ORT on the pattern input of {@code shape} and checks it against {@code model}. */
    public static void compare(Module model, Path file, int[] shape, String inputName) throws OrtException {
        float[] x = input(shape);
        float[] expected;
        int[] expectedShape;
        boolean training = model.isTraining();
        model.eval();
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            Tensor y = model.call(Tensor.fromArray(x, shape));
            expected = y.toFloatArray();
            expectedShape = y.shape().dims();
        } finally {
            model.train(training);
        }
        OrtRun actual = run(file, inputName,
                env -> OnnxTensor.createTensor(env, FloatBuffer.wrap(x), OnnxGraph.longs(shape)));
        assertArrayEquals(OnnxGraph.longs(expectedShape), actual.shape(), "output shape for input "
                + Arrays.toString(shape));
        assertClose(expected, actual.values(), Arrays.toString(shape));
    }

    /** Runs {@code file} on int64 indices (a model that starts with an Embedding) and checks it against the model. */
    public static void compareIndices(Module model, Path file, int[] shape, long[] indices) throws OrtException {
        float[] expected;
        model.eval();
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            Tensor idx = Tensor.fromArray(indices, shape);
            expected = model.call(idx).toFloatArray();
        }
        OrtRun actual = run(file, "input",
                env -> OnnxTensor.createTensor(env, LongBuffer.wrap(indices), OnnxGraph.longs(shape)));
        assertClose(expected, actual.values(), Arrays.toString(shape));
    }

    public static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, "output size for " + what);
        for (int i = 0; i < expected.length; i++) {
            double tol = TOLERANCE * (1 + Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                throw new AssertionError("input " + what + ", element " + i + ": Kiln " + expected[i] + ", ORT "
                        + actual[i]);
            }
        }
    }

    /** What ORT computed: the first output's values and shape. */
    record OrtRun(float[] values, long[] shape) {
    }

    interface InputMaker {
        OnnxTensor make(OrtEnvironment env) throws OrtException;
    }

    static OrtRun run(Path file, String inputName, InputMaker input) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = input.make(env);
             OrtSession.Result result = session.run(Map.of(inputName, in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            FloatBuffer b = out.getFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            return new OrtRun(v, out.getInfo().getShape());
        }
    }
}
