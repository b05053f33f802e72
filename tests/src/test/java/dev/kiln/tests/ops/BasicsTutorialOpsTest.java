package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What PyTorch's basics tutorials (examples/Transforms.java, NeuralNetworks.java, SaveLoad.java) need of the engine,
 * against PyTorch 1.13's values ({@code models/src/test/pytorch/basics_tutorial_ops.py}): scatter with a 0-d index,
 * source or destination beside a vector, {@code torch.equal}, {@code F.max_pool2d(x, k)} and the graph walked back
 * through each op's inputs ({@code grad_fn.next_functions}).
 */
class BasicsTutorialOpsTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor scalarIndex(long i) {
        return Tensor.fromArray(new long[] {i});
    }

    @Test
    void scatterTakesAZeroDimensionalIndexAsOneElementOfAVector() {
        // torch.zeros(10).scatter_(dim=0, index=torch.tensor(9), value=1): the Transforms tutorial's one-hot label.
        Tensor oneHot = Tensor.zeros(10).scatter(0, scalarIndex(9), 1);
        assertEquals(1, oneHot.rank());
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, oneHot.toFloatArray());
    }

    @Test
    void scatterTakesAZeroDimensionalSourceOrDestination() {
        // torch.zeros(5).scatter(0, torch.tensor([3]), torch.tensor(7.)) and torch.zeros(()).scatter(0, tensor(0), 2.)
        Tensor written = Tensor.zeros(5).scatter(0, Tensor.fromArray(new long[] {3}, 1), Tensor.scalar(7));
        assertArrayEquals(new float[] {0, 0, 0, 7, 0}, written.toFloatArray());
        Tensor scalar = Tensor.scalar(0).scatter(0, scalarIndex(0), 2);
        assertEquals(0, scalar.rank());
        assertEquals(2.0, scalar.item());
    }

    @Test
    void scatterStillRefusesAZeroDimensionalIndexIntoAMatrix() {
        // PyTorch: "Index tensor must have the same number of dimensions as self tensor".
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(3, 10).scatter(1, scalarIndex(9), 1));
        assertTrue(e.getMessage().contains("must have one rank"), e.getMessage());
    }

    @Test
    void scatterIntoAZeroDimensionalTensorRefusesAnAxisOtherThanZeroOrMinusOne() {
        // PyTorch: "Dimension out of range (expected to be in range of [-1, 0], but got 1)".
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.scalar(0).scatter(1, scalarIndex(0), 2));
        assertTrue(e.getMessage().contains("axis 1 is out of range for a 0-d tensor"), e.getMessage());
    }

    @Test
    void scatterOfAZeroDimensionalSourceRefusesAnIndexOfSeveralEntriesNamingTheSource() {
        // PyTorch: "Expected index [2] to be smaller than self [5] apart from dimension 0 and to be smaller size than
        // src []".
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(5).scatter(0, Tensor.fromArray(new long[] {1, 2}, 2), Tensor.scalar(3)));
        assertTrue(e.getMessage().contains("index [2]") && e.getMessage().contains("0-d source"), e.getMessage());
    }

    @Test
    void scatterOfZeroDimensionalTensorsHasPyTorchsGradients() {
        Tensor x = Tensor.fromArray(new double[] {0, 1, 2, 3, 4}, 5).requiresGrad(true);
        Tensor s = Tensor.fromArray(new double[] {7}).requiresGrad(true);
        Tensor out = x.scatter(0, scalarIndex(3), s);
        out.backward(Tensor.fromArray(new double[] {1, 2, 3, 4, 5}, 5));
        assertArrayEquals(new double[] {0, 1, 2, 7, 4}, out.toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3, 0, 5}, x.grad().toDoubleArray());
        assertEquals(4.0, s.grad().item());
        GradCheck.check("scatter of a 0-d index and source", in -> in[0].scatter(0, scalarIndex(3), in[1]), x, s);
        GradCheck.check("scatter into a 0-d tensor", in -> in[0].scatter(0, scalarIndex(0), in[1]),
                Tensor.fromArray(new double[] {5}).requiresGrad(true), s);
    }

    @Test
    void equalIsTrueOnlyForOneShapeAndEqualValues() {
        // torch.equal: True False False False True.
        Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
        assertTrue(a.equal(a.mul(1.0)));
        assertFalse(a.equal(Tensor.fromArray(new float[] {1, 2, 3, 5}, 2, 2)));
        assertFalse(Tensor.ones(3).equal(Tensor.ones(1, 3)));
        assertFalse(Tensor.fromArray(new float[] {Float.NaN}, 1).equal(Tensor.fromArray(new float[] {Float.NaN}, 1)));
        assertTrue(Tensor.zeros(0, 2).equal(Tensor.zeros(0, 2)));
    }

    @Test
    void equalRefusesTensorsOfTwoDtypes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.ones(3).equal(Tensor.ones(3).to(DType.F64)));
        assertTrue(e.getMessage().contains("equal") && e.getMessage().contains("F64"), e.getMessage());
    }

    @Test
    void maxPool2dOfOneKernelSizeStridesByIt() {
        // F.max_pool2d(torch.arange(25.).view(1, 1, 5, 5), 2): [[6, 8], [16, 18]].
        Tensor pooled = F.maxPool2d(Tensor.arange(25).view(1, 1, 5, 5), 2);
        assertEquals(List.of(1, 1, 2, 2), List.of(pooled.dim(0), pooled.dim(1), pooled.dim(2), pooled.dim(3)));
        assertArrayEquals(new float[] {6, 8, 16, 18}, pooled.toFloatArray());
    }

    @Test
    void gradFnInputsWalkTheGraphBackAsNextFunctions() {
        // z = torch.arange(3.) * w + b: next_functions ['MulBackward0', 'AccumulateGrad'], then
        // [None, 'AccumulateGrad'].
        Tensor w = Tensor.ones(3).requiresGrad(true);
        Tensor b = Tensor.ones(3).requiresGrad(true);
        Tensor x = Tensor.arange(3);
        Tensor product = x.mul(w);
        Tensor z = product.add(b);
        assertEquals(List.of(product, b), z.gradFnInputs());
        assertEquals("mul", z.gradFnInputs().get(0).gradFnName());
        List<Tensor> next = z.gradFnInputs().get(0).gradFnInputs();
        assertSame(x, next.get(0));
        assertFalse(next.get(0).requiresGrad());
        assertSame(w, next.get(1));
        assertNull(w.gradFnName());
        assertEquals(List.of(), w.gradFnInputs());
    }

    @Test
    void gradFnInputsAreEmptyForATensorMadeWithoutGradients() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        try (Autograd.Guard g = Autograd.noGrad()) {
            assertEquals(List.of(), w.mul(2.0).gradFnInputs());
        }
    }
}
