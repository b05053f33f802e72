package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Fused optimizer steps, Backend SPI section 9 on the device: one kernel per parameter, or for Adam one per
 * {@value #LIST} parameters, their addresses passed by value (as PyTorch's multi_tensor_apply does). AMSGrad
 * runs the SPI's composite.
 */
final class CudaUpdates {
    /** Tensors per multi-tensor launch: KILN_TENSOR_LIST in optim.cu. */
    static final int LIST = 32;

    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaUpdates(CudaKernels kernels, KernelLauncher launcher) {
        this.kernels = kernels;
        this.launcher = launcher;
    }

    void sgd(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum, double dampening,
             double weightDecay, boolean nesterov, boolean firstStep) {
        long n = param.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(param).pointer(grad).pointer(momentumBuffer).int64(n).float64(lr).float64(momentum)
                .float64(dampening).float64(weightDecay).int32(nesterov ? 1 : 0).int32(firstStep ? 1 : 0)
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
    /** Adam over a list of parameters, {@value #LIST} to a launch; empty tensors are left out. */
    void adamAll(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs, List<Tensor> expAvgSqs, double lr,
                 double beta1, double beta2, double eps, double weightDecay, boolean decoupledWeightDecay, long step) {
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double invSqrtCorrection2 = 1 / Math.sqrt(1 - Math.pow(beta2, step));
        long[] list = new long[5 * LIST];
        int count = 0;
        long end = 0;
        for (int i = 0; i < params.size(); i++) {
            long n = params.get(i).size();
            if (n == 0) {
                continue;
            }
            end += n;
            list[count] = DevicePointers.address(params.get(i));
            list[LIST + count] = DevicePointers.address(grads.get(i));
            list[2 * LIST + count] = DevicePointers.address(expAvgs.get(i));
            list[3 * LIST + count] = DevicePointers.address(expAvgSqs.get(i));
            list[4 * LIST + count] = end;
            count++;
            if (count == LIST) {
                launchAdam(list, count, params.get(i).dtype(), lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay,
                        stepSize, invSqrtCorrection2);
                count = 0;
                end = 0;
            }
        }
        if (count > 0) {
            launchAdam(list, count, params.get(0).dtype(), lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay,
                    stepSize, invSqrtCorrection2);
        }
    }

    private void launchAdam(long[] list, int count, DType dtype, double lr, double beta1, double beta2, double eps,
                            double weightDecay, boolean decoupledWeightDecay, double stepSize,
                            double invSqrtCorrection2) {
        long total = list[4 * LIST + count - 1];
        launcher.begin().list(list).int32(count).float64(lr).float64(beta1).float64(beta2).float64(eps)
                .float64(weightDecay).int32(decoupledWeightDecay ? 1 : 0).float64(stepSize).float64(invSqrtCorrection2)
                .launch(kernels.function(Kernel.ADAM_UPDATES, dtype), launcher.blocksFor(total));
    }
}
