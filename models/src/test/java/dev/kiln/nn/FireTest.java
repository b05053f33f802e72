package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FireTest {
    @BeforeEach
    void seed() {
        Engine.seed(9);
    }

    @Test
    void parametersAreNamedAsInTorchvision() {
        try (Fire fire = new Fire(6, 2, 3, 4)) {
            assertEquals(List.of("squeeze.weight", "squeeze.bias", "expand1x1.weight", "expand1x1.bias",
                    "expand3x3.weight", "expand3x3.bias"), List.copyOf(fire.namedParameters().keySet()));
        }
    }

    @Test
    void theOneByOneExpansionComesFirstInTheChannels() {
        try (Fire fire = new Fire(6, 2, 3, 4); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 6, 5, 5);
            Tensor y = fire.forward(x);
            assertArrayEquals(new int[] {2, 7, 5, 5}, y.shape().dims());
            Tensor squeezed = ((Conv2d) fire.getSubmodule("squeeze")).forward(x).relu();
            Tensor narrow = ((Conv2d) fire.getSubmodule("expand1x1")).forward(squeezed).relu();
            Tensor wide = ((Conv2d) fire.getSubmodule("expand3x3")).forward(squeezed).relu();
            assertValues(narrow.toDoubleArray(), y.narrow(1, 0, 3), 1e-6);
            assertValues(wide.toDoubleArray(), y.narrow(1, 3, 4), 1e-6);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (Fire fire = new Fire(3, 2, 2, 2); Scope s = Scope.open()) {
            fire.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, 4, 4).requiresGrad(true);
            GradCheck.check("Fire", in -> fire.forward(in[0]), x, fire.namedParameters().get("squeeze.weight"),
                    fire.namedParameters().get("expand1x1.bias"), fire.namedParameters().get("expand3x3.weight"));
        }
    }
}
