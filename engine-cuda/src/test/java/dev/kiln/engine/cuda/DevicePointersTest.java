package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DevicePointersTest {
    @Test
    void aPointerAtADeviceAddressHoldsThatAddress() {
        long deviceAddress = 0x7f9b_79e0_0040L;

        assertEquals(deviceAddress, DevicePointers.at(deviceAddress).address());
    }
}
