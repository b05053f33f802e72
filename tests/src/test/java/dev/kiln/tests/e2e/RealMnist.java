package dev.kiln.tests.e2e;

import dev.kiln.data.DataDirectory;
import dev.kiln.data.Mnist;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;

/** The real MNIST for convergence tests, which skip with a printed reason when it is absent. */
final class RealMnist {
    private RealMnist() {
    }

    /** One split of MNIST from the data directory; aborts (skips) the calling test when it is missing. */
    static Mnist load(String test, Mnist.Split split) throws IOException {
        try {
            return Mnist.load(null, "mnist", split);
        } catch (DataDirectory.DataMissingException e) {
            System.out.println("SKIPPED " + test + ": " + e.getMessage());
            Assumptions.abort("MNIST is not available: " + e.getMessage());
            throw new AssertionError("unreachable: Assumptions.abort throws");
        }
    }
}
