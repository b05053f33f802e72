package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many blocks per channel CUDA's batch-norm statistics use ({@link CudaBatchNorm#parts}). */
class BatchNormPartsTest {

    @Test
    void aResNetFirstStageCutsEachChannelSoThatAboutAThousandBlocksRun() {
        // ResNet-18 on 3x32x32 at batch 256: 64 channels of 256 * 32 * 32 values.
        assertEquals(16, CudaBatchNorm.parts(64, 256L * 32 * 32));
    }

    @Test
    void manyChannelsKeepOneBlockEach() {
        assertEquals(1, CudaBatchNorm.parts(1024, 256L * 4 * 4));
        assertEquals(1, CudaBatchNorm.parts(4096, 1 << 20));
    }

    @Test
    void channelsOfFewValuesKeepOneBlockEach() {
        assertEquals(1, CudaBatchNorm.parts(3, 2 * CudaBatchNorm.MIN_PART - 1));
        assertEquals(1, CudaBatchNorm.parts(6, 16));
    }

    @Test
    void noPartIsSmallerThanTheMinimum() {
        // 3 channels would take 342 parts to fill the device, but 32,768 values make only two parts of 16,384.
        assertEquals(2, CudaBatchNorm.parts(3, 32L * 32 * 32));
    }
}
