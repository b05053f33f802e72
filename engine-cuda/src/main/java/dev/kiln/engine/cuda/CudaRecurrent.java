package dev.kiln.engine.cuda;

import dev.kiln.engine.Tensor;

/** Fused LSTM and GRU cell math after the GEMMs: Backend SPI section 10 on the device. */
final class CudaRecurrent {
    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaRecurrent(CudaKernels kernels, KernelLauncher launcher) {
        this.kernels = kernels;
        this.launcher = launcher;
    }

    void lstmForward(Tensor gates, Tensor c, Tensor hOut, Tensor cOut, Tensor activations) {
        long n = c.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(gates).pointer(c).pointer(hOut).pointer(cOut).pointer(activations).int64(c.dim(0))
                .int64(c.dim(1)).launch(kernels.function(Kernel.LSTM_CELL_FORWARD, c.dtype()), launcher.blocksFor(n));
    }

    void lstmBackward(Tensor activations, Tensor c, Tensor cOut, Tensor gradH, Tensor gradC, Tensor gradGates,
                      Tensor gradCPrev) {
        long n = c.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(activations).pointer(c).pointer(cOut).pointer(gradH).pointer(gradC)
                .pointer(gradGates).pointer(gradCPrev).int64(c.dim(0)).int64(c.dim(1))
                .launch(kernels.function(Kernel.LSTM_CELL_BACKWARD, c.dtype()), launcher.blocksFor(n));
    }

    void gruForward(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor hOut, Tensor activations) {
        long n = h.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(inputGates).pointer(hiddenGates).pointer(h).pointer(hOut).pointer(activations)
                .int64(h.dim(0)).int64(h.dim(1))
                .launch(kernels.function(Kernel.GRU_CELL_FORWARD, h.dtype()), launcher.blocksFor(n));
    }

    void gruBackward(Tensor activations, Tensor hiddenGates, Tensor h, Tensor gradHOut, Tensor gradInputGates,
                     Tensor gradHiddenGates, Tensor gradH) {
        long n = h.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(activations).pointer(hiddenGates).pointer(h).pointer(gradHOut)
                .pointer(gradInputGates).pointer(gradHiddenGates).pointer(gradH).int64(h.dim(0)).int64(h.dim(1))
                .launch(kernels.function(Kernel.GRU_CELL_BACKWARD, h.dtype()), launcher.blocksFor(n));
    }
}
