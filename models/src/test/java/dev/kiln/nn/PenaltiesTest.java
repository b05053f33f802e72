package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class PenaltiesTest {
    @Test
    void l1IsLambdaTimesSumOfAbsoluteValues() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[] {1, -2, 3}, 3);
            Tensor b = Tensor.fromArray(new double[] {-0.5, 0.5}, 1, 2);
            assertEquals(0.1 * 7, Penalties.l1(List.of(a, b), 0.1).item(), 1e-12);
        }
    }

    @Test
    void l2IsLambdaTimesSumOfSquares() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[] {1, -2, 3}, 3);
            Tensor b = Tensor.fromArray(new double[] {-0.5, 0.5}, 1, 2);
            assertEquals(0.01 * 14.5, Penalties.l2(List.of(a, b), 0.01).item(), 1e-12);
        }
    }

    @Test
    void l2GradientIsTwoLambdaTimesParameter() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[] {1, -2, 3}, 3).requiresGrad(true);
            Penalties.l2(List.of(a), 0.5).backward();
            assertValues(new double[] {1, -2, 3}, a.grad(), 1e-12);
            a.clearGrad();
            GradCheck.check("l2", in -> Penalties.l2(List.of(in[0]), 0.3), a);
            GradCheck.check("l1", in -> Penalties.l1(List.of(in[0]), 0.3), a);
        }
    }

    @Test
    void emptyListGivesZero() {
        try (Scope s = Scope.open()) {
            assertEquals(0, Penalties.l2(List.of(), 1).item());
            assertEquals(DType.F32, Penalties.l1(List.of(), 1).dtype());
        }
    }
}
