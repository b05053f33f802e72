package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GRUCell and LSTMCell called without a state start from zeros on their input's backend and in its dtype, as
 * PyTorch's cells start from {@code torch.zeros(..., dtype=input.dtype, device=input.device)}, not on the engine's
 * default one: a cell whose parameters and input are on a second CPU backend instance gives the output the default
 * backend gives, on that backend.
 */
class RecurrentCellsOnTheInputsBackendTest {
    private static Backend second;

    @BeforeAll
    static void openSecondBackend() {
        BackendProvider cpu = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cpu")).findFirst().orElseThrow();
        second = cpu.create();
    }

    @AfterAll
    static void closeSecondBackend() {
        second.close();
    }

    static Stream<Supplier<Module>> cells() {
        return Stream.of(() -> new GRUCell(5, 4), () -> new LSTMCell(5, 4));
    }

    @ParameterizedTest
    @MethodSource("cells")
    void theZeroStateIsMadeOnTheInputsBackendInItsDtype(Supplier<Module> cell) {
        try (Scope s = Scope.open()) {
            Module m = cell.get().to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 3, 5);
            double[] expected = m.forward(x).toDoubleArray();
            moveParameters(m, second);
            Tensor y = m.forward(x.to(second));
            assertSame(second, y.backend(), m + ": the output must stay on its input's backend");
            assertValues(expected, y, 0);
        }
    }

    /** Replaces each of the cell's parameters by its copy on {@code backend}, as a model built there would hold. */
    private static void moveParameters(Module m, Backend backend) {
        for (String name : m.namedParameters().keySet()) {
            Tensor old = m.removeParameter(name);
            m.registerParameter(name, old.to(backend));
            old.close();
        }
    }
}
