package dev.kiln.engine.cuda;

import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Tensor;

/** Max and average pooling with our kernels (cuDNN's max pooling gives no indices): SPI section 6. */
final class CudaPooling {
    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaPooling(CudaKernels kernels, KernelLauncher launcher) {
        this.kernels = kernels;
        this.launcher = launcher;
    }

    /** The kernels' Pool struct, field by field. */
    private static long[] pool(Pool2dGeometry g) {
        return new long[] {(long) g.batch() * g.channels(), g.height(), g.width(), g.outH(), g.outW(), g.kernelH(),
            g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.countIncludePad() ? 1 : 0};
    }

    private static long outputs(Pool2dGeometry g) {
        return (long) g.batch() * g.channels() * g.outH() * g.outW();
    }

    void maxForward(Tensor input, Pool2dGeometry g, Tensor out, Tensor indices) {
        long n = outputs(g);
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(input).pointer(out).pointer(indices).struct(pool(g))
                .launch(kernels.function(Kernel.MAX_POOL_FORWARD, input.dtype()), launcher.blocksFor(n));
    }

    /** One thread per input element gathers from the windows covering it: gradInput needs no zeroing first. */
    void maxBackward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput) {
        long n = gradInput.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(gradOut).pointer(indices).pointer(gradInput).struct(pool(g))
                .launch(kernels.function(Kernel.MAX_POOL_BACKWARD, gradOut.dtype()), launcher.blocksFor(n));
    }

    void avgForward(Tensor input, Pool2dGeometry g, Tensor out) {
        long n = outputs(g);
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(input).pointer(out).struct(pool(g))
                .launch(kernels.function(Kernel.AVG_POOL_FORWARD, input.dtype()), launcher.blocksFor(n));
    }

    /** As {@link #maxBackward}, one thread per input element. */
    void avgBackward(Tensor gradOut, Pool2dGeometry g, Tensor gradInput) {
        long n = gradInput.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(gradOut).pointer(gradInput).struct(pool(g))
                .launch(kernels.function(Kernel.AVG_POOL_BACKWARD, gradOut.dtype()), launcher.blocksFor(n));
    }
}
