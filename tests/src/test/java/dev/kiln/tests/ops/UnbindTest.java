package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#unbind} against PyTorch 1.13's {@code torch.unbind}
 * ({@code models/src/test/pytorch/max_min_unbind.py}): the slices along an axis without it, their gradients back to
 * their slice, and none for an empty axis.
 */
class UnbindTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @Test
    void unbindGivesTheSlicesAlongAnAxisWithoutItAsPyTorch() {
        Tensor x = Tensor.arange(24).to(DType.F64).reshape(2, 3, 4).requiresGrad(true);
        List<Tensor> slices = x.unbind(1);
        assertEquals(3, slices.size());
        for (Tensor slice : slices) {
            assertEquals(Shape.of(2, 4), slice.shape());
        }
        assertValues("slice 2", new double[] {8, 9, 10, 11, 20, 21, 22, 23}, new int[] {2, 4}, slices.get(2), 0);
        backward(slices.get(1), new double[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertValues("gradient", new double[] {0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 5, 6, 7, 8, 0, 0, 0, 0},
                new int[] {2, 3, 4}, x.grad(), 0);
    }

    @Test
    void unbindOfAnEmptyAxisGivesNoSlicesAsPyTorch() {
        assertTrue(Tensor.zeros(0, 3).unbind(0).isEmpty());
    }

    @Test
    void unbindGradientsMatchFiniteDifferences() {
        Tensor x = Tensor.randn(3, 2, 4).to(DType.F64).requiresGrad(true);
        GradCheck.check("unbind", in -> Tensor.stack(List.of(in[0].unbind(-1).get(3), in[0].unbind(-1).get(0)), 0),
                x);
    }

    @Test
    void unbindOfAZeroDimensionalTensorIsRefusedNamingTheOp() {
        // PyTorch: "Dimension specified as 0 but tensor has no dimensions".
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).unbind(0));
        assertTrue(e.getMessage().startsWith("unbind: axis 0 is out of range for shape []"), e.getMessage());
    }
}
