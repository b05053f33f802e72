package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatParameters#parametersToVector} and {@link FlatParameters#vectorToParameters}, PyTorch's
 * {@code torch.nn.utils.parameters_to_vector} and {@code vector_to_parameters}.
 */
class FlatParametersTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor weight() {
        return Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
    }

    private static Tensor bias() {
        return Tensor.fromArray(new double[] {7, 8}, 2).requiresGrad(true);
    }

    @Test
    void parametersToVectorLaysOutEachParameterRowMajorInOrder() {
        Tensor vector = FlatParameters.parametersToVector(List.of(weight(), bias()));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, vector.toDoubleArray());
    }

    @Test
    void aLossOnTheVectorBackPropagatesIntoTheParameters() {
        Tensor w = weight();
        Tensor b = bias();
        Tensor scale = Tensor.fromArray(new double[] {10, 20, 30, 40, 50, 60, 70, 80}, 8);
        FlatParameters.parametersToVector(List.of(w, b)).mul(scale).sum().backward();
        assertArrayEquals(new double[] {10, 20, 30, 40, 50, 60}, w.grad().toDoubleArray());
        assertArrayEquals(new double[] {70, 80}, b.grad().toDoubleArray());
    }

    @Test
    void vectorToParametersWritesConsecutiveSlicesInPlaceConvertingTheDtype() {
        Tensor w = weight();
        Tensor b = bias().to(DType.F32).detach().requiresGrad(true);
        Tensor vector = Tensor.fromArray(new double[] {-1, -2, -3, -4, -5, -6, -7, -8}, 8);
        FlatParameters.vectorToParameters(vector, List.of(w, b));
        assertArrayEquals(new double[] {-1, -2, -3, -4, -5, -6}, w.toDoubleArray());
        assertEquals(DType.F32, b.dtype());
        assertArrayEquals(new double[] {-7, -8}, b.toDoubleArray());
    }

    @Test
    void vectorToParametersInvertsParametersToVector() {
        Tensor w = weight();
        Tensor b = bias();
        Tensor saved = FlatParameters.parametersToVector(List.of(w, b)).detach().copy();
        FlatParameters.vectorToParameters(Tensor.zeros(DType.F64, 8), List.of(w, b));
        FlatParameters.vectorToParameters(saved, List.of(w, b));
        assertArrayEquals(saved.toDoubleArray(), FlatParameters.parametersToVector(List.of(w, b)).toDoubleArray());
    }

    @Test
    void vectorToParametersRefusesAVectorOfAnotherLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlatParameters.vectorToParameters(Tensor.zeros(DType.F64, 9), List.of(weight(), bias())));
        assertEquals("vectorToParameters: vector [9] must be [8], the elements of the 2 parameters", e.getMessage());
    }

    @Test
    void parametersToVectorRefusesAnEmptyList() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlatParameters.parametersToVector(List.of()));
        assertEquals("parametersToVector: needs at least one parameter, got none", e.getMessage());
    }
}
