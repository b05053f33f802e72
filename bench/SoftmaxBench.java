import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * F32 softmax and log-softmax over the last axis through the backend's SPI calls (no autograd): milliseconds per
 * call, forward and backward, for [3584, 64] (layer-norm-sized rows), [64, 1024], [128, 10] (a classifier's logits)
 * and [14336, 28] (the transformer benchmark's attention rows); medians of 31 runs of 200 calls after 2,000 warm-ups.
 * bench/pytorch_softmax.py times PyTorch's same calls.
 *
 * Usage: java -XX:+UseSerialGC --add-modules jdk.incubator.vector -Dkiln.threads=2 -cp CLASSPATH
 * bench/SoftmaxBench.java
 */
public class SoftmaxBench {
    private static final int[][] SHAPES = {{3584, 64}, {64, 1024}, {128, 10}, {512 * 28, 28}};

    public static void main(String[] args) {
        Backend backend = Engine.get().backend();
        Engine.seed(1);
        try (Scope s = Scope.open()) {
            for (int[] shape : SHAPES) {
                Tensor x = Tensor.randn(shape[0], shape[1]);
                Tensor gy = Tensor.randn(shape[0], shape[1]);
                Tensor out = Tensor.zeros(DType.F32, shape[0], shape[1]);
                Tensor gx = Tensor.zeros(DType.F32, shape[0], shape[1]);
                for (boolean log : new boolean[] {false, true}) {
                    Tensor y = log ? F.logSoftmax(x, 1) : F.softmax(x, 1);
                    double forward = millis(() -> backend.softmax(x, log, out));
                    double backward = millis(() -> backend.softmaxBackward(y, gy, log, gx));
                    System.out.printf("%-12s %-11s forward %.4f ms  backward %.4f ms%n", Arrays.toString(shape),
                            log ? "log-softmax" : "softmax", forward, backward);
                }
            }
        }
    }

    /** The median over 31 runs of the milliseconds per call of 200 calls. */
    private static double millis(Runnable call) {
        for (int i = 0; i < 2000; i++) {
            call.run();
        }
        double[] runs = new double[31];
        for (int k = 0; k < runs.length; k++) {
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                call.run();
            }
            runs[k] = (System.nanoTime() - start) / 1e6 / 200;
        }
        Arrays.sort(runs);
        return runs[runs.length / 2];
    }
}
