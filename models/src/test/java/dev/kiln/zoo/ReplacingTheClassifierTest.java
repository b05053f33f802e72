package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Each torchvision model's replaceClassifier, PyTorch's {@code model.classifier[i] = nn.Linear(..., n)}: a new head
 * of n classes in the old one's place, every other weight the same tensor, and the old head closed.
 */
class ReplacingTheClassifierTest {
    @Test
    void vggGetsANewLastLinear() {
        try (VGG model = VGG.withHidden(11, false, 3, 1000, 64)) {
            assertHeadReplaced(model, model.classifier().weight(), model::replaceClassifier, "classifier.6.weight",
                    new int[] {5, 64}, 32);
        }
    }

    @Test
    void alexNetGetsANewLastLinear() {
        try (AlexNet model = AlexNet.withHidden(3, 1000, 64)) {
            assertHeadReplaced(model, model.classifier().weight(), model::replaceClassifier, "classifier.6.weight",
                    new int[] {5, 64}, 63);
        }
    }

    @Test
    void mobileNetV2GetsANewLinear() {
        try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 1000, 0.35)) {
            assertHeadReplaced(model, model.classifier().weight(), model::replaceClassifier, "classifier.1.weight",
                    new int[] {5, 1280}, 32);
        }
    }

    @Test
    void squeezeNetGetsANewConvolution() {
        try (SqueezeNet model = SqueezeNet.squeezenet1_1(3, 1000)) {
            assertHeadReplaced(model, model.classifier().weight(), model::replaceClassifier, "classifier.1.weight",
                    new int[] {5, 512, 1, 1}, 32);
        }
    }

    private static void assertHeadReplaced(Module model, Tensor oldHead, IntFunction<Module> replace, String headKey,
                                           int[] headShape, int size) {
        List<String> keys = List.copyOf(model.stateDict().keySet());
        Tensor stem = model.stateDict().get(keys.get(0));
        replace.apply(5);
        assertTrue(oldHead.isClosed(), "the old head is closed");
        assertSame(stem, model.stateDict().get(keys.get(0)), "the other weights stay");
        assertArrayEquals(headShape, model.stateDict().get(headKey).shape().dims());
        assertEquals(keys, List.copyOf(model.stateDict().keySet()), "the keys keep their names and order");
        try (Scope s = Scope.open()) {
            assertArrayEquals(new int[] {2, 5}, model.forward(Tensor.randn(2, 3, size, size)).shape().dims());
        }
    }
}
