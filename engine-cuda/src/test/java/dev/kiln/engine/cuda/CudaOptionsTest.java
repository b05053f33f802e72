package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's opt-ins as system properties give them; a property set wins over the environment, so these
 * hold whatever the environment sets.
 */
class CudaOptionsTest {
    private static final String[] PROPERTIES = {"kiln.cuda.device", "kiln.cuda.tf32", "kiln.cuda.cudnnBenchmark"};

    @AfterEach
    void clearProperties() {
        for (String p : PROPERTIES) {
            System.clearProperty(p);
        }
    }

    @Test
    void strictDeviceHasNeitherOptIn() {
        assertEquals(new CudaOptions(2, false, false), CudaOptions.strict(2));
    }

    @Test
    void propertiesTurnOptInsOnWithOneOrTrue() {
        System.setProperty("kiln.cuda.device", "1");
        System.setProperty("kiln.cuda.tf32", "1");
        System.setProperty("kiln.cuda.cudnnBenchmark", "TRUE");
        assertEquals(new CudaOptions(1, true, true), CudaOptions.fromSystem());
    }

    @Test
    void anyOtherValueLeavesAnOptInOff() {
        System.setProperty("kiln.cuda.tf32", "yes");
        System.setProperty("kiln.cuda.cudnnBenchmark", "0");
        CudaOptions options = CudaOptions.fromSystem();
        assertFalse(options.tf32());
        assertFalse(options.cudnnBenchmark());
    }

    @Test
    void withersChangeOneSettingOnly() {
        CudaOptions options = CudaOptions.strict(3).withCudnnBenchmark(true);
        assertEquals(new CudaOptions(3, false, true), options);
        assertTrue(options.withTf32(true).tf32());
        assertTrue(options.withTf32(true).cudnnBenchmark());
    }
}
