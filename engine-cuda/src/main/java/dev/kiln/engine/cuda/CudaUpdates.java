package dev.kiln.engine.cuda;

import dev.kiln.engine.Tensor;

/** Fused optimizer steps, one kernel per parameter: Backend SPI section 9 on the device. */
final class CudaUpdates {
    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaUpdates(CudaKernels kernels, KernelLauncher launcher) {
        this.kernels = kernels;
        this.launcher = launcher;
    }

    void sgd(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum, double weightDecay,
             boolean nesterov, boolean firstStep) {
        long n = param.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(param).pointer(grad).pointer(momentumBuffer).int64(n).float64(lr).float64(momentum)
                .float64(weightDecay).int32(nesterov ? 1 : 0).int32(firstStep ? 1 : 0)
                .launch(kernels.function(Kernel.SGD_UPDATE, param.dtype()), launcher.blocksFor(n));
    }

    /** The bias corrections are computed here in double, once per step, as the composite does. */
    void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
              double eps, double weightDecay, boolean decoupledWeightDecay, long step) {
        long n = param.size();
        if (n == 0) {
            return;
        }
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double invSqrtCorrection2 = 1 / Math.sqrt(1 - Math.pow(beta2, step));
        launcher.begin().pointer(param).pointer(grad).pointer(expAvg).pointer(expAvgSq).int64(n).float64(lr)
                .float64(beta1).float64(beta2).float64(eps).float64(weightDecay).int32(decoupledWeightDecay ? 1 : 0)
                .float64(stepSize).float64(invSqrtCorrection2)
                .launch(kernels.function(Kernel.ADAM_UPDATE, param.dtype()), launcher.blocksFor(n));
    }
}
