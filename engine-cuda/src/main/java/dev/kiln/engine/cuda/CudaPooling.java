package dev.kiln.engine.cuda;

import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Tensor;

/** Max and average pooling with our kernels (cuDNN's max pooling gives no indices): SPI section 6. */
final class CudaPooling {
    private final CudaKernels kernels;
    private final KernelLauncher launcher;
    private final CudaLayout layout;

    CudaPooling(CudaKernels kernels, KernelLauncher launcher, CudaLayout layout) {
        this.kernels = kernels;
        this.launcher = launcher;
        this.layout = layout;
    }

    /** The kernels' Pool struct, field by field. */
    private static long[] pool(Pool2dGeometry g) {
        return new long[] {(long) g.batch() * g.channels(), g.height(), g.width(), g.outH(), g.outW(), g.kernelH(),
            g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW()};
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

    void maxBackward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput) {
        layout.fill(gradInput, 0);
        long n = outputs(g);
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

    void avgBackward(Tensor gradOut, Pool2dGeometry g, Tensor gradInput) {
        layout.fill(gradInput, 0);
        long n = outputs(g);
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(gradOut).pointer(gradInput).struct(pool(g))
                .launch(kernels.function(Kernel.AVG_POOL_BACKWARD, gradOut.dtype()), launcher.blocksFor(n));
    }
}
