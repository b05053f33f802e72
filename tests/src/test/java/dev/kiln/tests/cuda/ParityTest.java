package dev.kiln.tests.cuda;

import dev.kiln.engine.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A parity test: skips where the backend under test cannot run, and frees each test's tensors. */
abstract class ParityTest {
    private Scope scope;

    @BeforeEach
    void openBackendsAndScope() {
        ParityBackends.require();
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        if (scope != null) {
            scope.close();
        }
    }
}
