package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.optim.SGD;
import org.junit.jupiter.api.Test;

/**
 * One SGD step of each torchvision model on a tiny batch lowers its loss: the layers, their gradients and the
 * optimizer fit together. The same seed before each forward pass gives both passes the same dropout masks. The VGG
 * and AlexNet classifiers are narrowed to 64 hidden units to keep the step fast; the step is the same at 4096. The
 * models without batch norm take a larger step (0.05) for a clearer fall; at 0.05 the batch-norm ones overshoot.
 */
class TorchvisionModelsTrainingTest {
    private static final int[] LABELS = {0, 1, 2, 3};

    @Test
    void oneStepLowersTheLossOfVgg11Bn() {
        try (VGG model = VGG.withHidden(11, true, 3, 4, 64)) {
            assertLossFalls(model, 32, 0.01);
        }
    }

    @Test
    void oneStepLowersTheLossOfAlexNet() {
        try (AlexNet model = AlexNet.withHidden(3, 4, 64)) {
            assertLossFalls(model, 63, 0.05);
        }
    }

    @Test
    void oneStepLowersTheLossOfMobileNetV2() {
        try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 4)) {
            assertLossFalls(model, 32, 0.01);
        }
    }

    @Test
    void oneStepLowersTheLossOfSqueezeNet1_0() {
        try (SqueezeNet model = SqueezeNet.squeezenet1_0(3, 4)) {
            assertLossFalls(model, 32, 0.05);
        }
    }

    @Test
    void oneStepLowersTheLossOfSqueezeNet1_1() {
        try (SqueezeNet model = SqueezeNet.squeezenet1_1(3, 4)) {
            assertLossFalls(model, 32, 0.05);
        }
    }

    /** Trains {@code model} one step on four random {@code size}x{@code size} RGB images of classes 0 to 3. */
    private static void assertLossFalls(Module model, int size, double lr) {
        try (Scope s = Scope.open()) {
            Engine.seed(11);
            Tensor images = Tensor.randn(LABELS.length, 3, size, size);
            Tensor labels = Tensor.fromArray(LABELS, LABELS.length);
            SGD sgd = new SGD(model.parameters(), lr);
            double before = loss(model, images, labels);
            sgd.step();
            sgd.zeroGrad();
            double after = loss(model, images, labels);
            assertTrue(after < before, model + ": loss " + before + " -> " + after + " after one step");
        }
    }

    /** The loss with its gradients, after seeding the dropout masks. */
    private static double loss(Module model, Tensor images, Tensor labels) {
        Engine.seed(23);
        Tensor loss = F.crossEntropy(model.forward(images), labels);
        loss.backward();
        return loss.item();
    }
}
