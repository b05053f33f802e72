package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The parameterless and normalising layers of volumes beside the convolutions and poolings: {@link BatchNorm3d},
 * {@link InstanceNorm3d}, {@link Dropout3d}, the 3-D padding layers and {@link Upsample} on volumes: gradients
 * against finite differences, dropout's whole-channel masks, and the errors; {@link VolumetricPyTorchParityTest}
 * holds their values against PyTorch's.
 */
class Volume3dLayersTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(45);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void batchNorm3dGradientsInTrainingMatchFiniteDifferences() {
        BatchNorm3d norm = (BatchNorm3d) new BatchNorm3d(3).to(DType.F64);
        try (Autograd.Guard g = Autograd.noGrad()) {
            norm.weight().assign(Tensor.fromArray(new double[] {0.5, 1.5, -1}, 3));
        }
        Tensor x = Tensor.randn(DType.F64, 2, 3, 2, 3, 2).requiresGrad(true);
        GradCheck.check("BatchNorm3d", in -> norm.forward(in[0]), x, norm.weight(), norm.bias());
    }

    @Test
    void batchNorm3dNormalisesEachChannelOverTheBatchAndItsVolume() {
        BatchNorm3d norm = new BatchNorm3d(2);
        Tensor y = norm.forward(Tensor.randn(3, 2, 4, 3, 5).mul(3).add(1));
        Tensor perChannel = y.permute(1, 0, 2, 3, 4).reshape(2, -1);
        assertArrayEquals(new double[] {0, 0}, perChannel.mean(1, false).toDoubleArray(), 1e-5);
        assertArrayEquals(new double[] {1, 1}, perChannel.var(new int[] {1}, 0, false).toDoubleArray(), 1e-3);
        assertEquals("BatchNorm3d(2): input [3, 2, 4, 5] must be [batch, 2, depth, height, width]",
                assertThrows(IllegalArgumentException.class, () -> norm.forward(Tensor.zeros(3, 2, 4, 5))).getMessage());
    }

    @Test
    void instanceNorm3dGradientsMatchFiniteDifferences() {
        InstanceNorm3d norm = (InstanceNorm3d) new InstanceNorm3d(2, 1e-5, 0.1, true, false).to(DType.F64);
        try (Autograd.Guard g = Autograd.noGrad()) {
            norm.weight().assign(Tensor.fromArray(new double[] {0.5, -2}, 2));
        }
        Tensor x = Tensor.randn(DType.F64, 2, 2, 2, 3, 2).requiresGrad(true);
        GradCheck.check("InstanceNorm3d", in -> norm.forward(in[0]), x, norm.weight(), norm.bias());
        assertEquals("InstanceNorm3d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=False): input [2, 3, 2] must be [batch, 2, depth, height,"
                + " width] or unbatched without the batch axis", assertThrows(IllegalArgumentException.class,
                        () -> norm.forward(Tensor.zeros(DType.F64, 2, 3, 2))).getMessage());
    }

    @Test
    void dropout3dZeroesWholeChannelVolumesAndScalesTheOthers() {
        Dropout3d dropout = new Dropout3d(0.5);
        for (int[] dims : new int[][] {{8, 16, 2, 3, 4}, {16, 2, 3, 4}}) {
            double[] y = dropout.forward(Tensor.ones(dims)).toDoubleArray();
            int volume = 2 * 3 * 4;
            int kept = 0;
            for (int c = 0; c < y.length / volume; c++) {
                double first = y[c * volume];
                assertTrue(first == 0 || first == 2, "kept values are scaled by 1/(1-p): " + first);
                for (int i = 1; i < volume; i++) {
                    assertEquals(first, y[c * volume + i], 0, "channel " + c + " is dropped or kept whole");
                }
                kept += first == 2 ? 1 : 0;
            }
            int channels = y.length / volume;
            assertTrue(kept > channels / 4 && kept < 3 * channels / 4, kept + " of " + channels + " kept");
        }
        Tensor x = Tensor.ones(2, 3, 2, 2, 2);
        dropout.eval();
        assertSame(x, dropout.forward(x), "evaluation is the identity");
        assertEquals("Dropout3d(p=0.5, inplace=False): input [2, 3, 4] must be [batch, channels, depth, height, width] or unbatched"
                + " [channels, depth, height, width]",
                assertThrows(IllegalArgumentException.class, () -> dropout.forward(Tensor.zeros(2, 3, 4))).getMessage());
    }

    @Test
    void paddingLayersPadTheLastThreeAxesAndNameTheirSixAmounts() {
        Tensor x = Tensor.randn(DType.F64, 1, 2, 3, 3, 4).requiresGrad(true);
        ReflectionPad3d reflect = new ReflectionPad3d(new int[] {1, 2, 0, 1, 2, 1});
        assertArrayEquals(new int[] {1, 2, 6, 4, 7}, reflect.forward(x).shape().dims());
        GradCheck.check("ReflectionPad3d", in -> reflect.forward(in[0]), x);
        GradCheck.check("ReplicationPad3d", in -> new ReplicationPad3d(2).forward(in[0]), x);
        assertEquals("ConstantPad3d: padding must hold 6 amounts (left, right, top, bottom, front, back), got [1, 1]",
                assertThrows(IllegalArgumentException.class, () -> new ConstantPad3d(new int[] {1, 1}, 0)).getMessage());
        assertEquals("ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=-1.0)", new ConstantPad3d(1, -1).toString());
    }

    @Test
    void trilinearAndNearestUpsamplingGradientsMatchFiniteDifferences() {
        Tensor x = Tensor.randn(DType.F64, 1, 2, 2, 3, 2).requiresGrad(true);
        for (Upsample up : new Upsample[] {new Upsample(2, "trilinear"), new Upsample(3, "trilinear", true),
                Upsample.toSize(3, 2, 5, "trilinear", false), new Upsample(2),
                Upsample.toSize(3, 2, 5, "nearest", false)}) {
            GradCheck.check(up.toString(), in -> up.forward(in[0]), x);
        }
    }

    @Test
    void upsamplingRefusesAModeOrSizeThatDoesNotFitTheInput() {
        assertEquals("Upsample(scale_factor=2.0, mode=trilinear): input [1, 2, 3, 4] must be [batch, channels, depth,"
                + " height, width]", assertThrows(IllegalArgumentException.class,
                        () -> new Upsample(2, "trilinear").forward(Tensor.zeros(1, 2, 3, 4))).getMessage());
        assertEquals("Upsample(scale_factor=2.0, mode=bilinear): input [1, 2, 3, 4, 5] must be [batch, channels, height,"
                + " width]", assertThrows(IllegalArgumentException.class,
                        () -> new Upsample(2, "bilinear").forward(Tensor.zeros(1, 2, 3, 4, 5))).getMessage());
        assertEquals("Upsample(size=(3, 4, 5), mode=nearest): input [1, 2, 3, 4] must be [batch, channels, depth,"
                + " height, width]", assertThrows(IllegalArgumentException.class,
                        () -> Upsample.toSize(3, 4, 5, "nearest", false).forward(Tensor.zeros(1, 2, 3, 4))).getMessage());
        assertEquals("Upsample: mode 'trilinear' does not take a size of 2 axes [3, 4]",
                assertThrows(IllegalArgumentException.class, () -> Upsample.toSize(3, 4, "trilinear", false))
                        .getMessage());
    }
}
