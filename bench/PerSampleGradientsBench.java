import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.func.Fn;
import dev.kiln.func.Func;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-sample gradients of a [784-128-10] ReLU MLP over 64 MNIST-sized samples, F32: PyTorch's tutorial's
 * {@code vmap(grad(compute_loss), in_dims=(None, 0, 0))(params, x, y)} against the loop written by hand (one
 * {@code Autograd.grad} per sample of {@code model(x[i:i+1])}), alternating (and which goes first), each a median of
 * 15 runs after 10 warm-ups; and the largest difference between their gradients. bench/pytorch_per_sample_grads.py
 * times PyTorch 1.13's loop.
 *
 * Usage: java --add-modules jdk.incubator.vector -Dkiln.threads=2 -cp CLASSPATH bench/PerSampleGradientsBench.java
 * [pairs]
 */
public class PerSampleGradientsBench {
    public static void main(String[] args) {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        Engine.seed(1);
        Module model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
        Map<String, Tensor> params = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> params.put(k, v.detach()));
        Tensor x = Tensor.randn(64, 784);
        long[] classes = new long[64];
        for (int i = 0; i < 64; i++) {
            classes[i] = (i * 7) % 10;
        }
        Tensor y = Tensor.fromArray(classes, 64);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        Fn computeLoss = a -> {
            @SuppressWarnings("unchecked")
            Map<String, Tensor> p = (Map<String, Tensor>) a[0];
            return ce.compute(model.functionalCall(p, ((Tensor) a[1]).unsqueeze(0)), ((Tensor) a[2]).unsqueeze(0));
        };
        Fn perSample = Func.vmap(Func.grad(computeLoss), Func.dims(null, 0, 0), Func.dims(0));

        try (Scope s = Scope.open()) {
            @SuppressWarnings("unchecked")
            Map<String, Tensor> viaVmap = (Map<String, Tensor>) perSample.apply(params, x, y);
            List<Tensor> viaLoop = loop(model, ce, x, y);
            double maxDiff = 0;
            int k = 0;
            for (Tensor g : viaVmap.values()) {
                double[] a = g.toDoubleArray();
                double[] b = viaLoop.get(k++).toDoubleArray();
                for (int i = 0; i < a.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                }
            }
            System.out.printf("largest |vmap(grad) - loop| over every per-sample gradient: %.3g%n", maxDiff);
        }
        Runnable viaVmap = () -> perSample.apply(params, x, y);
        Runnable viaLoop = () -> loop(model, ce, x, y);
        for (int pair = 0; pair < pairs; pair++) {
            // Which goes first alternates too, so that neither always runs on a machine the other just warmed.
            double v;
            double l;
            if (pair % 2 == 0) {
                v = millis(viaVmap);
                l = millis(viaLoop);
            } else {
                l = millis(viaLoop);
                v = millis(viaVmap);
            }
            System.out.printf("pair %d: vmap(grad) %.2f ms  loop %.2f ms%n", pair + 1, v, l);
        }
    }

    /** Each sample's gradient by its own backward pass, stacked per parameter: the loop by hand. */
    private static List<Tensor> loop(Module model, CrossEntropyLoss ce, Tensor x, Tensor y) {
        List<Tensor> params = new ArrayList<>(model.namedParameters().values());
        List<List<Tensor>> perParam = new ArrayList<>();
        params.forEach(p -> perParam.add(new ArrayList<>()));
        for (int i = 0; i < x.dim(0); i++) {
            Tensor loss = ce.compute(model.call(x.narrow(0, i, 1)), y.narrow(0, i, 1));
            List<Tensor> grads = Autograd.grad(loss, params);
            for (int k = 0; k < grads.size(); k++) {
                perParam.get(k).add(grads.get(k));
            }
        }
        List<Tensor> stacked = new ArrayList<>();
        perParam.forEach(gs -> stacked.add(Tensor.stack(gs, 0)));
        return stacked;
    }

    private static double millis(Runnable body) {
        for (int i = 0; i < 10; i++) {
            try (Scope s = Scope.open()) {
                body.run();
            }
        }
        double[] times = new double[15];
        for (int i = 0; i < times.length; i++) {
            try (Scope s = Scope.open()) {
                long t0 = System.nanoTime();
                body.run();
                times[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(times);
        return times[times.length / 2];
    }
}
