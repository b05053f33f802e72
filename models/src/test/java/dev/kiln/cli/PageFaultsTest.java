package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageFaultsTest {
    @Test
    void readsMinorAndMajorFaultsAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (kiln) x) S 1 4242 4242 0 -1 4194304 123456 0 78 0 900 40 0 0 20 0 31 0 1000 "
                + "5000000000 300000 18446744073709551615";
        Map<String, Long> faults = PageFaults.parse(stat);
        assertEquals(123456L, faults.get("minor_page_faults"));
        assertEquals(78L, faults.get("major_page_faults"));
    }

    @Test
    void refusesALineWithoutTheFields() {
        assertThrows(IllegalArgumentException.class, () -> PageFaults.parse("4242 java S 1"));
        assertThrows(IllegalArgumentException.class, () -> PageFaults.parse("4242 (java) S 1 2 3"));
    }

    @Test
    void touchingFreshMemoryCountsMinorFaults() {
        Map<String, Long> before = PageFaults.read();
        assumeTrue(!before.isEmpty(), "this system has no /proc/self/stat (not Linux): nothing to count");
        // allocateDirect zeroes its memory, touching each page of a mapping the process has not used before.
        ByteBuffer fresh = ByteBuffer.allocateDirect(64 << 20);
        long faults = PageFaults.read().get("minor_page_faults") - before.get("minor_page_faults");
        // 16,384 pages of 4 KiB, or 32 huge pages of 2 MiB where transparent huge pages back the mapping.
        assertTrue(faults >= 32, "64 MiB of fresh memory touched with " + faults + " minor faults");
        assertEquals(64 << 20, fresh.capacity());
    }
}
