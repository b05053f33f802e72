package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.nn.Quantization;
import dev.kiln.nn.StaticQuantization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A zoo classifier whose last Linear quantisation replaced (a QuantizedLinear statically, a DynamicQuantizedLinear
 * dynamically) still names itself with its classes, so that a wrong input is refused with the shape message rather
 * than a ClassCastException from its toString.
 */
class ZooQuantisedClassifierNameTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor input(int seed, int... dims) {
        return PyTorchParity.values(seed, dims).mul(2).to(DType.F32);
    }

    private static Module staticallyQuantised(Module model, Tensor calibration) {
        model.eval();
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            prepared.forward(calibration);
        }
        Module q = StaticQuantization.convert(prepared);
        prepared.close();
        model.close();
        return q;
    }

    private static Module dynamicallyQuantised(Module model) {
        model.eval();
        Module q = Quantization.quantizeDynamic(model);
        model.close();
        return q;
    }

    /** {@code q} names itself {@code name} and refuses a 3-channel input of a 1-channel model by its shape. */
    private static void assertNamedAndRefusesByShape(String name, Module q, int size) {
        assertEquals(name, q.describe());
        try (var g = Autograd.noGrad()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> q.forward(input(2, 1, 3, size, size)));
            assertEquals(name + ": input [1, 3, " + size + ", " + size + "] must be [batch, 1, height, width]",
                    e.getMessage());
        }
        q.close();
    }

    @Test
    void aStaticallyQuantisedVggNamesItself() {
        Module q = staticallyQuantised(VGG.withHidden(11, false, 1, 10, 16), input(1, 1, 1, 32, 32));
        assertNamedAndRefusesByShape("VGG11(1 channels -> 10 classes)", q, 32);
    }

    @Test
    void aStaticallyQuantisedAlexNetNamesItself() {
        Module q = staticallyQuantised(AlexNet.withHidden(1, 10, 16), input(1, 1, 1, 64, 64));
        assertNamedAndRefusesByShape("AlexNet(1 channels -> 10 classes)", q, 64);
    }

    /** Its depthwise convolutions keep a MobileNetV2 from static quantisation; dynamic quantisation takes its Linear. */
    @Test
    void aDynamicallyQuantisedMobileNetV2NamesItself() {
        Module q = dynamicallyQuantised(MobileNetV2.mobilenetV2(1, 10, 0.25));
        assertNamedAndRefusesByShape("MobileNetV2x0.25(1 channels -> 10 classes)", q, 32);
    }

    @Test
    void aDynamicallyQuantisedResNetNamesItself() {
        Module q = dynamicallyQuantised(ResNet.resnet18(1, 10));
        assertNamedAndRefusesByShape("ResNet18(1 channels -> 10 classes)", q, 32);
    }
}
