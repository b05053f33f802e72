import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.OperationProfiler;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.StaticQuantization;
import dev.kiln.zoo.ResNet;
import java.util.Arrays;

/**
 * ResNet-18 ({@code dev.kiln.zoo.ResNet.resnet18(3, 10)}) on randn [8, 3, 64, 64] under noGrad, in F32 and after
 * post-training static quantisation (calibrated on three randn batches): ms per forward, medians of 20 after 25 (the
 * JIT compiles for several seconds: after 5 warm-ups the first rounds still ran 1-4 ms slower), for several rounds
 * in one JVM. With {@code -Dkiln.profileOperations=true} it also prints the int8 forward's operations,
 * longest first, over the last round. bench/pytorch_static_int8_resnet.py runs the same in PyTorch 1.13.
 *
 * Usage: java -cp CLASSPATH bench/StaticInt8ResNetBench.java [rounds]
 */
public class StaticInt8ResNetBench {
    private static final int WARM = 25;
    private static final int RUNS = 20;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Engine.seed(1);
        Module model = ResNet.resnet18(3, 10);
        model.eval();
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < 3; i++) {
                try (Scope s = Scope.open()) {
                    prepared.forward(Tensor.randn(DType.F32, 8, 3, 64, 64));
                }
            }
        }
        Module quantised = StaticQuantization.convert(prepared);
        prepared.close();
        Tensor x = Tensor.randn(DType.F32, 8, 3, 64, 64).detach();
        for (int r = 0; r < rounds; r++) {
            report("round " + r + " F32 ", () -> model.forward(x));
            if (r == rounds - 1) {
                OperationProfiler.of(Engine.get().backend()).ifPresent(OperationProfiler::reset);
            }
            report("round " + r + " int8", () -> quantised.forward(x));
        }
        OperationProfiler.of(Engine.get().backend()).ifPresent(p -> {
            double total = p.operations().stream().mapToDouble(OperationProfiler.Operation::seconds).sum();
            int forwards = WARM + RUNS;
            System.out.printf("int8 operations per forward over %d, %.2f ms in all:%n", forwards,
                    total * 1e3 / forwards);
            p.operations().stream().limit(25).forEach(o -> System.out.printf("%8.3f ms %5.1f%% %5d  %s%n",
                    o.seconds() * 1e3 / forwards, 100 * o.seconds() / total, o.calls() / forwards, o.name()));
        });
    }

    static void report(String what, Runnable forward) {
        double[] ms = new double[RUNS];
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < WARM + RUNS; i++) {
                try (Scope s = Scope.open()) {
                    long t = System.nanoTime();
                    forward.run();
                    if (i >= WARM) {
                        ms[i - WARM] = (System.nanoTime() - t) / 1e6;
                    }
                }
            }
        }
        Arrays.sort(ms);
        System.out.printf("%s median %.2f ms (p10 %.2f, p90 %.2f)%n", what, ms[RUNS / 2], ms[RUNS / 10],
                ms[RUNS * 9 / 10]);
    }
}
