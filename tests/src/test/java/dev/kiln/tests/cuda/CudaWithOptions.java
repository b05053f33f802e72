package dev.kiln.tests.cuda;

import dev.kiln.engine.Backend;
import dev.kiln.engine.cuda.CudaOptions;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A further CUDA backend with an opt-in ({@link ParityBackends#openCuda}) for one test class, to check against the
 * CPU: opened before the class's tests, closed after them, and each test skipped, saying why, where it could not be
 * opened (CUDA is not the backend under test, or cannot run).
 * <pre>{@code
 * @RegisterExtension
 * static final CudaWithOptions TF32 = new CudaWithOptions(o -> o.withTf32(true),
 *         "the TF32 opt-in is a CUDA backend setting");
 * }</pre>
 */
final class CudaWithOptions implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final UnaryOperator<CudaOptions> options;
    private final String setting;
    private Backend backend;

    /** @param setting what the opt-in is, for the skip's message */
    CudaWithOptions(UnaryOperator<CudaOptions> options, String setting) {
        this.options = options;
        this.setting = setting;
    }

    /** The backend, while the class's tests run. */
    Backend backend() {
        return backend;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        backend = ParityBackends.openCuda(options);
    }

    /**
     * Runs before the test class's own {@code @BeforeEach} methods, so where CUDA cannot run this skips first with the
     * provider's reason, as {@link ParityTest} would; where it can, the backend is open exactly when CUDA is the
     * backend under test.
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        ParityBackends.assumeAvailable();
        ParityBackends.assumeCudaUnderTest(setting);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }
}
