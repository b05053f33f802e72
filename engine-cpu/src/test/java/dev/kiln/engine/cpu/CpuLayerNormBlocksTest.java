package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link CpuLayerNorm}'s F32 passes, which copy up to 16 rows at a time, against its F64 ones, on two threads and on
 * this run's row steps (Surefire runs this class on the Vector API's and on the scalar loops): blocks of 16 rows read
 * in pieces that do not divide 16 (300 features: 6 rows a copy), a last block part full, rows longer than a copy's
 * 2048 values, rows shorter than a vector and of one value.
 */
class CpuLayerNormBlocksTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @ParameterizedTest
    @CsvSource({"37, 300", "3, 2100", "35, 15", "18, 16", "17, 17", "33, 64", "19, 1", "5, 1000"})
    void f32AgreesWithF64(int rows, int features) {
        Tensor x = Tensor.randn(DType.F64, rows, features).mul(3).add(50);
        Tensor w = Tensor.randn(DType.F64, features);
        Tensor b = Tensor.randn(DType.F64, features);
        Tensor g = Tensor.randn(DType.F64, rows, features);
        double[][] results = new double[2][];
        DType[] dtypes = {DType.F64, DType.F32};
        try (Parallel parallel = new Parallel(2)) {
            CpuLayerNorm layerNorm = new CpuLayerNorm(parallel);
            for (int k = 0; k < 2; k++) {
                DType t = dtypes[k];
                Tensor xk = x.to(t);
                Tensor wk = w.to(t);
                Tensor out = Tensor.zeros(t, rows, features);
                Tensor mean = Tensor.zeros(t, rows);
                Tensor rstd = Tensor.zeros(t, rows);
                layerNorm.forward(xk, wk, b.to(t), 1e-5, out, mean, rstd);
                Tensor gradX = Tensor.zeros(t, rows, features);
                Tensor gradW = Tensor.zeros(t, features);
                Tensor gradB = Tensor.zeros(t, features);
                layerNorm.backward(g.to(t), xk, mean, rstd, wk, gradX, gradW, gradB);
                results[k] = Tensor.cat(java.util.List.of(out.reshape(-1), gradX.reshape(-1), gradW, gradB), 0)
                        .toDoubleArray();
            }
        }
        for (int i = 0; i < results[0].length; i++) {
            assertEquals(results[0][i], results[1][i], 1e-5 * Math.max(1, Math.abs(results[0][i])),
                    "value " + i + " of [" + rows + ", " + features + "]");
        }
    }
}
