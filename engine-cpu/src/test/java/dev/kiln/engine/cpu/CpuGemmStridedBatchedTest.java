package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gemmStridedBatched with C's stride 0, which the SPI allows (one matrix for every batch entry): with beta 1 each
 * product is added to the one C in turn, as a loop over the batch adds them, on a backend of several threads.
 */
class CpuGemmStridedBatchedTest {
    private CpuBackend cpu;

    @BeforeEach
    void open() {
        cpu = new CpuBackend(4);
    }

    @AfterEach
    void close() {
        cpu.close();
    }

    @Test
    void aSharedOutputGetsEveryProductOfTheBatch() {
        int batch = 256;
        int size = 32;
        float[] ones = new float[batch * size * size];
        Arrays.fill(ones, 1);
        Tensor a = Tensor.fromArray(ones, batch, size, size).to(cpu);
        for (int trial = 0; trial < 20; trial++) {
            Tensor c = Tensor.zeros(size, size).to(cpu);
            cpu.gemmStridedBatched(false, false, size, size, size, 1, a, (long) size * size, a, (long) size * size, 1,
                    c, 0, batch);
            float[] sums = c.toFloatArray();
            for (int i = 0; i < sums.length; i++) {
                assertEquals(batch * size, sums[i], "trial " + trial + ", element " + i);
            }
        }
    }
}
