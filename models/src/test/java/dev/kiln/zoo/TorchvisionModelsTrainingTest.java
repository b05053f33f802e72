package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.optim.SGD;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * One SGD step of each torchvision model on a tiny batch lowers its loss: the layers, their gradients and the
 * optimizer fit together. The same seed before each forward pass gives both passes the same dropout masks. The VGG
 * and AlexNet classifiers are narrowed to 64 hidden units to keep the step fast; the step is the same at 4096. The
 * models without batch norm take a larger step (0.05) for a clearer fall; VGG11-BN, whose batch norms see 4 images,
 * a small one (0.001). Every model starts from the same seed, whichever tests ran before.
 */
class TorchvisionModelsTrainingTest {
    private static final int[] LABELS = {0, 1, 2, 3};
    private static final long SEED = 11;

    @Test
    void oneStepLowersTheLossOfVgg11Bn() {
        assertLossFalls(() -> VGG.withHidden(11, true, 3, 4, 64), 32, 0.001);
    }

    @Test
    void oneStepLowersTheLossOfAlexNet() {
        assertLossFalls(() -> AlexNet.withHidden(3, 4, 64), 63, 0.05);
    }

    /**
     * In evaluation mode: in training mode its last batch norms see 4 values a channel (1x1 maps of 4 images), where
     * the loss is so steep that even a step of 1e-5 overshoots (the gradients themselves are held to PyTorch's in
     * training mode by TorchvisionMobileNetSqueezeNetPyTorchParityTest).
     */
    @Test
    void oneStepLowersTheLossOfMobileNetV2() {
        assertLossFalls(() -> {
            MobileNetV2 model = MobileNetV2.mobilenetV2(3, 4);
            model.eval();
            return model;
        }, 32, 0.01);
    }

    @Test
    void oneStepLowersTheLossOfSqueezeNet1_0() {
        assertLossFalls(() -> SqueezeNet.squeezenet1_0(3, 4), 32, 0.05);
    }

    @Test
    void oneStepLowersTheLossOfSqueezeNet1_1() {
        assertLossFalls(() -> SqueezeNet.squeezenet1_1(3, 4), 32, 0.05);
    }

    /**
     * Trains the model {@code build} makes one step on four random {@code size}x{@code size} RGB images of classes 0
     * to 3. The seed comes first, so that the initial weights are the same whichever tests ran before.
     */
    private static void assertLossFalls(Supplier<Module> build, int size, double lr) {
        Engine.seed(SEED);
        try (Module model = build.get(); Scope s = Scope.open()) {
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
