package dev.kiln.distributions;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the distributions' finite-difference gradient checks share: a scope per test, F64 leaves of a vector of values,
 * and reparameterised samples whose noise is fixed by reseeding the engine before each evaluation.
 */
abstract class DistributionGradientCheck {
    private static final long SEED = 1234;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** An F64 vector requiring a gradient. */
    static Tensor leaf(double... values) {
        return Tensor.fromArray(values, values.length).requiresGrad(true);
    }

    /** {@code draw} of freshly seeded noise, so that every evaluation of the check sees the same noise. */
    static Function<Tensor[], Tensor> seeded(Function<Tensor[], Tensor> draw) {
        return in -> {
            Engine.seed(SEED);
            return draw.apply(in);
        };
    }
}
