package dev.kiln.distributed;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import java.util.Arrays;

/** The distributed trainer tests' model: the same fixed weights on every rank and in the one-process reference. */
final class FixedMlp {
    private FixedMlp() {
    }

    /** Linear(4, 8), Tanh, Linear(8, 3), every weight 0.5 cos(0.7 k) for k = 1, 2, ... in parameter order. */
    static Module create() {
        Module m = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 3));
        try (var noGrad = Autograd.noGrad()) {
            int k = 0;
            for (Tensor p : m.parameters()) {
                float[] v = new float[(int) p.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) Math.cos(++k * 0.7) * 0.5f;
                }
                try (Tensor fixed = Tensor.fromArray(v, p.shape().dims())) {
                    p.assign(fixed);
                }
            }
        }
        return m;
    }

    /** Every parameter's values in parameter order, as one array. */
    static double[] flatWeights(Module m) {
        return m.parameters().stream().flatMapToDouble(p -> Arrays.stream(p.toDoubleArray())).toArray();
    }
}
