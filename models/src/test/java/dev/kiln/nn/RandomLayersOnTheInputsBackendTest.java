package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
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
 * The layers that draw random numbers in training (channel dropouts, RReLU's slopes, Gaussian noise) draw them on
 * their input's backend, as {@link Dropout} does, not on the engine's default one: an input on a second CPU backend
 * instance (a GPU model under a CPU default, or the reverse) gives the output the default backend gives, on the input's
 * backend.
 */
class RandomLayersOnTheInputsBackendTest {
    private static final long SEED = 31;
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

    static Stream<Supplier<Module>> layers() {
        return Stream.of(() -> new Dropout2d(0.4), () -> new Dropout3d(0.4), () -> new FeatureAlphaDropout(0.4),
                RReLU::new, () -> new GaussianNoise(0.5));
    }

    @ParameterizedTest
    @MethodSource("layers")
    void trainingDrawsOnTheInputsBackendWhatTheDefaultBackendDraws(Supplier<Module> layer) {
        try (Scope s = Scope.open()) {
            Module m = layer.get().train();
            Tensor x = Tensor.randn(DType.F64, 3, 4, 5, 6);
            Engine.seed(SEED);
            double[] expected = m.forward(x).toDoubleArray();
            Engine.seed(SEED);
            Tensor y = m.forward(x.to(second));
            assertSame(second, y.backend(), m + ": the output must stay on its input's backend");
            assertValues(expected, y, 0);
        }
    }
}
