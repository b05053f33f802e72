import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.FakeQuantization;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.nn.QuantizationAwareTraining;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.zoo.Zoo;
import java.util.Arrays;
import java.util.Random;

/**
 * Per-tensor fake quantisation of [64, 8, 28, 28] F32 forward and backward (a given output gradient), a ReLU of the
 * same for comparison, and a training step (Adam, cross entropy, random images) of the zoo LeNet at batch 64 in F32 and
 * prepared for quantisation-aware training: medians in ms after warm-ups, with the 10th and 90th percentiles.
 *
 * Usage: java --add-modules jdk.incubator.vector -cp CLASSPATH bench/FakeQuantizationBench.java
 */
public class FakeQuantizationBench {
    public static void main(String[] args) {
        Tensor x = Tensor.randn(DType.F32, 64, 8, 28, 28).mul(2).detach().requiresGrad(true);
        Tensor g = Tensor.randn(DType.F32, 64, 8, 28, 28).detach();
        report("fakeQuant [64,8,28,28] fwd+bwd", 30, 200, () -> {
            x.clearGrad();
            FakeQuantization.perTensorAffine(x, 0.03f, 128, 0, 255).backward(g);
        });
        report("relu [64,8,28,28] fwd+bwd", 30, 200, () -> {
            x.clearGrad();
            x.relu().backward(g);
        });
        Engine.seed(1);
        Random r = new Random(1);
        long[] labels = new long[64];
        for (int i = 0; i < 64; i++) {
            labels[i] = r.nextInt(10);
        }
        Tensor images = Tensor.randn(DType.F32, 64, 1, 28, 28).detach();
        Tensor targets = Tensor.fromArray(labels, 64);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        try (Sequential model = Zoo.lenet(10); Module qat = QuantizationAwareTraining.prepareQat(model)) {
            for (Module m : new Module[] {model, qat}) {
                try (Optimizer adam = new Adam(m.trainableParameters(), 1e-4)) {
                    report((m == model ? "F32" : "QAT") + " LeNet step b64", 20, 100, () -> {
                        adam.zeroGrad();
                        loss.compute(m.call(images), targets).backward();
                        adam.step();
                    });
                }
            }
        }
    }

    static void report(String what, int warm, int runs, Runnable step) {
        double[] ms = new double[runs];
        for (int i = 0; i < warm + runs; i++) {
            try (Scope s = Scope.open()) {
                long t = System.nanoTime();
                step.run();
                if (i >= warm) {
                    ms[i - warm] = (System.nanoTime() - t) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        System.out.printf("%-34s median %.3f ms (p10 %.3f, p90 %.3f)%n", what, ms[runs / 2], ms[runs / 10],
                ms[runs * 9 / 10]);
    }
}
