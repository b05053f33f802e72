package dev.kiln.tests.cuda;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Scope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A parity test class: the reference and the backend under test are created once for the class and closed
 * after it; each test is skipped with the provider's reason where the backend under test cannot run, and
 * runs inside its own {@link Scope}, which frees every tensor the test made before the next one starts.
 */
abstract class ParityTest {
    private Scope scope;

    @BeforeAll
    static void openBackends() {
        ParityBackends.open();
    }

    @AfterAll
    static void closeBackends() {
        ParityBackends.close();
    }

    @BeforeEach
    void skipUnlessAvailableThenOpenScope() {
        ParityBackends.assumeAvailable();
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        if (scope != null) {
            scope.close();
            scope = null;
        }
    }

    static Backend reference() {
        return ParityBackends.reference();
    }

    static Backend underTest() {
        return ParityBackends.underTest();
    }
}
