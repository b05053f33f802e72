package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AdaptiveAvgPool3d;
import dev.kiln.nn.AdaptiveMaxPool3d;
import dev.kiln.nn.AvgPool3d;
import dev.kiln.nn.BatchNorm3d;
import dev.kiln.nn.Conv3d;
import dev.kiln.nn.ConvTranspose3d;
import dev.kiln.nn.InstanceNorm3d;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.MaxPool3d;
import dev.kiln.nn.MaxUnpool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.OnnxExportOptions;
import dev.kiln.onnx.OnnxSecondInput;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kiln's 3-D layers (Conv3d, ConvTranspose3d, BatchNorm3d, InstanceNorm3d, the 3-D pools) and MaxUnpool2d with its
 * indices go Kiln -> ONNX -> Kiln: the import gives the model's own outputs within 1e-5 (1 + |kiln|).
 */
class OnnxImportVolumesRoundTripTest {
    private static final double TOLERANCE = 1e-5;

    private static void assertClose(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape().dims(), actual.shape().dims(), "shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], TOLERANCE * (1 + Math.abs(e[i])), "element " + i);
        }
    }

    private static Tensor input(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Tensor.arange(0, n, 1, DType.F32).mul(0.37).sin().reshape(shape);
    }

    @Test
    void aVolumeNetImportsToItsOwnOutputs() {
        Engine.seed(5);
        try (Scope s = Scope.open();
             Module model = new Sequential(
                     new Conv3d(2, 4, new int[] {3, 3, 2}, new int[] {1, 2, 1}, new int[] {1, 1, 0},
                             new int[] {1, 1, 2}, 2, true, PaddingMode.ZEROS),
                     new BatchNorm3d(4), new ReLU(),
                     new MaxPool3d(new int[] {2, 2, 2}, new int[] {2, 1, 2}, new int[] {1, 0, 1}, new int[] {1, 2, 1},
                             true),
                     new InstanceNorm3d(4, 1e-5, 0.1, true, false),
                     new ConvTranspose3d(4, 3, new int[] {2, 3, 2}, new int[] {2, 1, 2}, new int[] {0, 1, 1},
                             new int[] {1, 0, 1}, new int[] {1, 1, 1}, true),
                     new AvgPool3d(new int[] {3, 2, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1}, true, false),
                     new AvgPool3d(new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {1, 0, 1}, false, true),
                     new AdaptiveAvgPool3d(1))) {
            model.eval();
            int[] shape = {2, 2, 6, 7, 8};
            try (OnnxModule imported = OnnxImport.load(OnnxExport.toProto(model, shape,
                    OnnxExportOptions.defaults()))) {
                assertClose(model.forward(input(shape)), imported.forward(input(shape)));
            }
        }
    }

    @Test
    void anAdaptiveMaxPoolOfAVolumeImportsToItsOwnOutputs() {
        try (Scope s = Scope.open(); Module model = new Sequential(new AdaptiveMaxPool3d(1))) {
            int[] shape = {2, 3, 4, 5, 6};
            try (OnnxModule imported = OnnxImport.load(OnnxExport.toProto(model, shape,
                    OnnxExportOptions.defaults()))) {
                assertClose(model.forward(input(shape)), imported.forward(input(shape)));
            }
        }
    }

    @Test
    void maxUnpool2dOfItsPoolingsIndicesImportsToItsOwnOutputs() {
        try (Scope s = Scope.open(); MaxUnpool2d unpool = new MaxUnpool2d(3, 2, 1)) {
            F.MaxPoolOutput pooled = new MaxPool2d(3, 2, 1).forwardWithIndices(input(2, 3, 7, 7));
            int[] pooledShape = pooled.output().shape().dims();
            try (OnnxModule imported = OnnxImport.load(OnnxExport.toProto(unpool, pooledShape,
                    OnnxSecondInput.of("indices", DType.I64, pooledShape), OnnxExportOptions.defaults()))) {
                List<Tensor> out = imported.forwardAll(pooled.output(), pooled.indices());
                assertClose(unpool.forward(pooled.output(), pooled.indices()), out.get(0));
            }
        }
    }
}
