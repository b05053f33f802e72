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

    /**
     * Large products go over the threads only in whole rounds of one a thread, the rest each split over every thread:
     * 17 of 2048^3 on 16 threads over the batch alone would leave 15 threads waiting while one runs its second.
     */
    @Test
    void largeProductsGoOverTheThreadsInWholeRoundsOnly() {
        long large = 2048L * 2048 * 2048;
        assertEquals(16, CpuBackend.productsOverThreads(17, 16, large));
        assertEquals(2, CpuBackend.productsOverThreads(3, 2, large));
        assertEquals(0, CpuBackend.productsOverThreads(3, 4, large));
        assertEquals(512, CpuBackend.productsOverThreads(512, 16, 28L * 28 * 16));
        assertEquals(5, CpuBackend.productsOverThreads(5, 4, OpenBlasGemm.SPLIT_MIN - 1));
    }

    /** Five products large enough to split, on four threads: four over the threads, the fifth split, each C its own. */
    @Test
    void aBatchOfLargeProductsBeyondAWholeRoundMatchesADoubleLoop() {
        int batch = 5;
        int size = 64;
        int matrix = size * size;
        float[] av = new float[batch * matrix];
        float[] bv = new float[batch * matrix];
        for (int i = 0; i < av.length; i++) {
            av[i] = (float) Math.sin(0.37 * i);
            bv[i] = (float) Math.cos(0.11 * i);
        }
        Tensor a = Tensor.fromArray(av, batch, size, size).to(cpu);
        Tensor b = Tensor.fromArray(bv, batch, size, size).to(cpu);
        Tensor c = Tensor.zeros(batch, size, size).to(cpu);
        cpu.gemmStridedBatched(false, true, size, size, size, 1, a, matrix, b, matrix, 0, c, matrix, batch);
        float[] got = c.toFloatArray();
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    double sum = 0;
                    for (int q = 0; q < size; q++) {
                        sum += (double) av[p * matrix + i * size + q] * bv[p * matrix + j * size + q];
                    }
                    assertEquals(sum, got[p * matrix + i * size + j], 1e-4, "product " + p + " at " + i + ", " + j);
                }
            }
        }
    }
}
