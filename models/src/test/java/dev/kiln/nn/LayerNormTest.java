package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

class LayerNormTest {
    @Test
    void normalisesEachRowWithItsMeanAndBiasedVariance() {
        try (LayerNorm ln = new LayerNorm(4); Scope s = Scope.open()) {
            ln.to(DType.F64);
            set(ln.weight(), 1, 2, 1, 0.5);
            set(ln.bias(), 0, 0, 1, 0);
            double[] x = {1, 2, 3, 4, -2, 0, 2, 8};
            double[] w = {1, 2, 1, 0.5};
            double[] b = {0, 0, 1, 0};
            double[] expected = new double[8];
            for (int r = 0; r < 2; r++) {
                double mean = 0;
                for (int c = 0; c < 4; c++) {
                    mean += x[r * 4 + c] / 4;
                }
                double var = 0;
                for (int c = 0; c < 4; c++) {
                    var += Math.pow(x[r * 4 + c] - mean, 2) / 4;
                }
                for (int c = 0; c < 4; c++) {
                    expected[r * 4 + c] = (x[r * 4 + c] - mean) / Math.sqrt(var + 1e-5) * w[c] + b[c];
                }
            }
            assertValues(expected, ln.forward(Tensor.fromArray(x, 2, 4)), 1e-12);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        Engine.seed(3);
        try (LayerNorm ln = new LayerNorm(5); Scope s = Scope.open()) {
            ln.to(DType.F64);
            set(ln.weight(), 1.2, -0.4, 0.8, 2.0, 0.5);
            set(ln.bias(), 0.1, 0.2, -0.3, 0.0, 0.7);
            Tensor x = Tensor.randn(DType.F64, 3, 5).requiresGrad(true);
            GradCheck.check("LayerNorm", in -> ln.forward(in[0]), x, ln.weight(), ln.bias());
        }
    }
}
