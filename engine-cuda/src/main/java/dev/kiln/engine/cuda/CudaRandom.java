package dev.kiln.engine.cuda;

import dev.kiln.engine.Tensor;

/** Random fills from the engine's counter-based stream: Backend SPI section 8 on the device. */
final class CudaRandom {
    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaRandom(CudaKernels kernels, KernelLauncher launcher) {
        this.kernels = kernels;
        this.launcher = launcher;
    }

    void uniform(Tensor out, double low, double high, long seed, long counter) {
        fill(Kernel.RANDOM_UNIFORM, out, low, high, seed, counter);
    }

    void normal(Tensor out, double mean, double std, long seed, long counter) {
        fill(Kernel.RANDOM_NORMAL, out, mean, std, seed, counter);
    }

    void bernoulli(Tensor out, double p, long seed, long counter) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(out).int64(n).float64(p).int64(seed).int64(counter)
                .launch(kernels.function(Kernel.BERNOULLI, out.dtype()), launcher.blocksFor(n));
    }

    private void fill(Kernel kernel, Tensor out, double a, double b, long seed, long counter) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(out).int64(n).float64(a).float64(b).int64(seed).int64(counter)
                .launch(kernels.function(kernel, out.dtype()), launcher.blocksFor(n));
    }
}
