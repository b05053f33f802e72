package dev.kiln.zoo;

import dev.kiln.engine.Engine;
import dev.kiln.nn.Module;
import dev.kiln.onnx.OnnxExportLayersTest;
import dev.kiln.onnx.OrtCheck;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zoo's models exported with random weights (batch norms' statistics perturbed) and run in ONNX Runtime against
 * Kiln's evaluation-mode forward at batch 3 and 1, |ort - kiln| <= 1e-4 (1 + |kiln|) (see {@link OrtCheck}). VGG and
 * AlexNet have small hidden classifier layers, as their own tests do.
 */
@Tag("onnxruntime")
class ZooOnnxExportTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(13);
    }

    private void check(Module model, int... sampleShape) throws Exception {
        OnnxExportLayersTest.perturbBatchNorms(model);
        OrtCheck.exportAndCompare(model, dir, sampleShape);
    }

    @Test
    void mlp() throws Exception {
        check(Zoo.mlp(784, 10, 0.2), 1, 28, 28);
    }

    @Test
    void lenet() throws Exception {
        check(Zoo.lenet(10, 0.5), 1, 28, 28);
    }

    @Test
    void smallResnet() throws Exception {
        check(Zoo.resnet(10), 1, 28, 28);
    }

    @Test
    void resnet18() throws Exception {
        check(ResNet.resnet18(3, 10), 3, 32, 32);
    }

    @Test
    void vgg11WithBatchNorm() throws Exception {
        check(VGG.withHidden(11, true, 3, 10, 32), 3, 32, 32);
    }

    @Test
    void alexnetPoolsOneByOneFeaturesToSixBySix() throws Exception {
        check(AlexNet.withHidden(3, 10, 32), 3, 64, 64);
    }

    @Test
    void mobilenetV2() throws Exception {
        check(MobileNetV2.mobilenetV2(3, 10, 0.25), 3, 32, 32);
    }

    @Test
    void squeezenet() throws Exception {
        check(SqueezeNet.squeezenet1_1(3, 10), 3, 64, 64);
        check(SqueezeNet.squeezenet1_0(3, 10), 3, 64, 64);
    }
}
