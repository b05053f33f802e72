package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Discovery: the provider is found by ServiceLoader, answers without throwing, and says why when it cannot run. */
class CudaBackendProviderTest {

    private static BackendProvider provider() {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals("cuda")) {
                return p;
            }
        }
        throw new AssertionError("no provider named cuda on the class path");
    }

    @Test
    void providerIsFoundByServiceLoaderAboveTheCpu() {
        assertEquals(10, provider().priority());
    }

    @Test
    void probeAnswersWithAReasonInsteadOfThrowing() {
        BackendProvider.Availability a = provider().probe();
        assertNotNull(a.reason());
        assertFalse(a.reason().isBlank());
        if (!a.available()) {
            System.out.println("CUDA is not available here: " + a.reason());
            assertTrue(a.reason().contains("did not load") || a.reason().contains("device"), a.reason());
        }
    }

    @Test
    void onAGpuTheBackendRoundTripsValuesAndReportsItsDevice() {
        BackendProvider.Availability a = provider().probe();
        Assumptions.assumeTrue(a.available(), "no GPU here: " + a.reason());
        try (Backend cuda = provider().create()) {
            Tensor t = Tensor.empty(Shape.of(3), DType.F32, cuda);
            cuda.copyFromHost(java.nio.FloatBuffer.wrap(new float[] {1, 2, 3}), t);
            cuda.affine(t, 2, 1, t);
            assertEquals("cuda:0", cuda.device().toString());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {3, 5, 7}, t.toFloatArray());
            t.close();
        }
    }
}
