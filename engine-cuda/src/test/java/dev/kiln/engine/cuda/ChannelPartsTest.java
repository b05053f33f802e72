package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many blocks per channel CUDA's per-channel reductions use ({@link ChannelParts#of}). */
class ChannelPartsTest {

    @Test
    void aResNetFirstStageCutsEachChannelSoThatAboutAThousandBlocksRun() {
        // ResNet-18 on 3x32x32 at batch 256: 64 channels of 256 * 32 * 32 values.
        assertEquals(16, ChannelParts.of(64, 256L * 32 * 32));
    }

    @Test
    void manyChannelsKeepOneBlockEach() {
        assertEquals(1, ChannelParts.of(1024, 256L * 4 * 4));
        assertEquals(1, ChannelParts.of(4096, 1 << 20));
    }

    @Test
    void channelsOfFewValuesKeepOneBlockEach() {
        assertEquals(1, ChannelParts.of(3, 2 * ChannelParts.MIN_PART - 1));
        assertEquals(1, ChannelParts.of(6, 16));
    }

    @Test
    void aLeNetFirstLayerAtBatch1024CutsEachOfItsTwentyChannels() {
        // conv1's bias gradient: 20 channels of 1024 * 24 * 24 values (one block each left 112 of 132 SMs idle).
        assertEquals(36, ChannelParts.of(20, 1024L * 24 * 24));
    }

    @Test
    void noPartIsSmallerThanTheMinimum() {
        // 3 channels would take 342 parts to fill the device, but 32,768 values make only two parts of 16,384.
        assertEquals(2, ChannelParts.of(3, 32L * 32 * 32));
    }
}
