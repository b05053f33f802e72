package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataDirectory;
import dev.kiln.data.Mnist;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The imported MLP (import_mlp.onnx) fine-tuned in Kiln on real MNIST digits. */
class OnnxImportFineTuningTest {
    private static final int BATCH = 64;

    @Test
    void sgdStepsOnMnistLowerTheLossAndChangeTheInitializers() throws IOException {
        Mnist mnist;
        try {
            mnist = Mnist.load(null, "mnist", Mnist.Split.TRAIN);
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("MNIST not present (set KILN_DATA): " + e.getMessage());
            return;
        }
        try (OnnxModule model = OnnxImport.load(OnnxImportPyTorchParityTest.path("mlp"));
             Scope outer = Scope.open();
             SGD sgd = new SGD(model.trainableParameters(), 0.5)) {
            Map<String, double[]> before = values(model);
            Tensor images = images(mnist);
            Tensor labels = Tensor.fromArray(Arrays.copyOf(mnist.labels(), BATCH), BATCH);
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 30; step++) {
                try (Scope s = Scope.open()) {
                    sgd.zeroGrad();
                    // The graph ends in LogSoftmax, which cross-entropy's own log-softmax leaves as it is.
                    Tensor loss = F.crossEntropy(model.forward(images), labels);
                    loss.backward();
                    sgd.step();
                    last = loss.item();
                    first = step == 0 ? last : first;
                }
            }

            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
            Map<String, double[]> after = values(model);
            for (String name : before.keySet()) {
                assertTrue(!Arrays.equals(before.get(name), after.get(name)), name + " did not change");
            }
        }
    }

    private static Map<String, double[]> values(OnnxModule model) {
        Map<String, double[]> out = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    /** The first {@link #BATCH} training images, [BATCH, 1, 28, 28] in [0, 1]. */
    private static Tensor images(Mnist mnist) {
        float[] pixels = new float[BATCH * Mnist.PIXELS];
        for (int i = 0; i < BATCH; i++) {
            mnist.copyImage(i, pixels, i * Mnist.PIXELS);
        }
        return Tensor.fromArray(pixels, BATCH, 1, 28, 28);
    }
}
