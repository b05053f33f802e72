package dev.kiln.engine.cuda;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/**
 * Batch normalisation per channel with our kernels: statistics (one block per channel, sums in double; where few
 * channels hold many values, each channel cut into parts of a block each, then one kernel to combine them), then
 * one element-wise pass that normalises in double, as the CPU does. cuDNN's batch norm refuses eps below 1e-5,
 * which the SPI allows.
 */
final class CudaBatchNorm {
    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaBatchNorm(CudaKernels kernels, KernelLauncher launcher) {
        this.kernels = kernels;
        this.launcher = launcher;
    }

    /** x's layout as [n, channels, spatial]. */
    private record Layout(long n, long channels, long spatial) {
        static Layout of(Tensor x) {
            long spatial = 1;
            for (int axis = 2; axis < x.rank(); axis++) {
                spatial *= x.dim(axis);
            }
            return new Layout(x.dim(0), x.dim(1), spatial);
        }

        long size() {
            return n * channels * spatial;
        }

        long parts() {
            return ChannelParts.of(channels, n * spatial);
        }
    }

    /** Batch norm into out, followed by {@code activation} in the same kernel unless it is null. */
    void forward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                 double momentum, double eps, UnaryOp activation, double param, Tensor out, Tensor saveMean,
                 Tensor saveInvStd) {
        Layout l = Layout.of(x);
        Tensor mean = null;
        Tensor invStd = null;
        Tensor stats = null;
        try {
            // Inside the try: a temporary made before an allocation that fails out of memory is freed too.
            mean = saveMean != null ? saveMean : channelTemporary(x, l);
            invStd = saveInvStd != null ? saveInvStd : channelTemporary(x, l);
            // The statistics again in double, [mean..., invStd...], which the element-wise pass normalises with.
            stats = ChannelParts.doubles(x, 2 * l.channels());
            long parts = l.parts();
            if (training && parts > 1) {
                statisticsInParts(x, l, parts, eps, mean, invStd, stats, runningMean, runningVar, momentum);
            } else if (training) {
                launcher.begin().pointer(x).int64(l.n()).int64(l.channels()).int64(l.spatial()).float64(eps)
                        .pointer(mean).pointer(invStd).pointer(stats).pointer(runningMean).pointer(runningVar)
                        .float64(momentum)
                        .launch(kernels.function(Kernel.BN_STATS, x.dtype()), launcher.blocksForRows(l.channels()));
            } else {
                launcher.begin().pointer(runningMean).pointer(runningVar).float64(eps).pointer(mean).pointer(invStd)
                        .pointer(stats).int64(l.channels())
                        .launch(kernels.function(Kernel.BN_INFERENCE_PARAMS, x.dtype()), launcher.blocksFor(l.channels()));
            }
            if (l.size() > 0) {
                launcher.begin().pointer(x).pointer(out).pointer(stats).pointer(weight).pointer(bias)
                        .int64(l.n()).int64(l.channels()).int64(l.spatial()).int32(code(activation)).float64(param)
                        .launch(kernels.function(Kernel.BN_APPLY, x.dtype()), launcher.blocksFor(l.size()));
            }
        } finally {
            if (stats != null) {
                stats.close();
            }
            closeIfTemporary(mean, saveMean);
            closeIfTemporary(invStd, saveInvStd);
        }
    }

    /**
     * gradBias is the per-channel sum of gradOut and gradWeight that of gradOut * xhat: the kernel writes them in
     * place. With an {@code activation} (else null), gradOut is the gradient of its output {@code y}, and both
     * kernels take it through the activation as they read it.
     */
    void backward(Tensor x, Tensor gradOut, Tensor y, UnaryOp activation, double param, Tensor weight,
                  Tensor saveMean, Tensor saveInvStd, Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        Layout l = Layout.of(x);
        Tensor sumDy = null;
        Tensor sumDyXhat = null;
        try {
            sumDy = gradBias != null ? gradBias : channelTemporary(x, l);
            sumDyXhat = gradWeight != null ? gradWeight : channelTemporary(x, l);
            long parts = l.parts();
            if (parts > 1) {
                backwardSumsInParts(x, gradOut, y, activation, param, saveMean, saveInvStd, l, parts, sumDy,
                        sumDyXhat);
            } else {
                launcher.begin().pointer(x).pointer(gradOut).pointer(y).int32(code(activation)).float64(param)
                        .pointer(saveMean).pointer(saveInvStd).pointer(sumDy).pointer(sumDyXhat).int64(l.n())
                        .int64(l.channels()).int64(l.spatial())
                        .launch(kernels.function(Kernel.BN_BACKWARD_REDUCE, x.dtype()),
                                launcher.blocksForRows(l.channels()));
            }
            if (gradInput != null && l.size() > 0) {
                launcher.begin().pointer(x).pointer(gradOut).pointer(y).int32(code(activation)).float64(param)
                        .pointer(saveMean).pointer(saveInvStd).pointer(weight).pointer(sumDy).pointer(sumDyXhat)
                        .pointer(gradInput).int64(l.n()).int64(l.channels()).int64(l.spatial())
                        .launch(kernels.function(Kernel.BN_BACKWARD_APPLY, x.dtype()), launcher.blocksFor(l.size()));
            }
        } finally {
            closeIfTemporary(sumDy, gradBias);
            closeIfTemporary(sumDyXhat, gradWeight);
        }
    }

    /** Training statistics with each channel cut into {@code parts} blocks, then combined per channel. */
    private void statisticsInParts(Tensor x, Layout l, long parts, double eps, Tensor mean, Tensor invStd,
                                   Tensor stats, Tensor runningMean, Tensor runningVar, double momentum) {
        try (Tensor partials = ChannelParts.doubles(x, l.channels() * parts * 3)) {
            launcher.begin().pointer(x).int64(l.n()).int64(l.channels()).int64(l.spatial()).int64(parts)
                    .pointer(partials)
                    .launch(kernels.function(Kernel.BN_STATS_PARTS, x.dtype()),
                            launcher.blocksForRows(l.channels() * parts));
            launcher.begin().pointer(partials).int64(l.channels()).int64(parts).float64(eps).pointer(mean)
                    .pointer(invStd).pointer(stats).pointer(runningMean).pointer(runningVar).float64(momentum)
                    .launch(kernels.function(Kernel.BN_STATS_FINISH, x.dtype()), launcher.blocksFor(l.channels()));
        }
    }

    /** The backward pass's two sums per channel with each channel cut into parts, then combined. */
    private void backwardSumsInParts(Tensor x, Tensor gradOut, Tensor y, UnaryOp activation, double param,
                                     Tensor saveMean, Tensor saveInvStd, Layout l, long parts, Tensor sumDy,
                                     Tensor sumDyXhat) {
        try (Tensor partials = ChannelParts.doubles(x, l.channels() * parts * 2)) {
            launcher.begin().pointer(x).pointer(gradOut).pointer(y).int32(code(activation)).float64(param)
                    .pointer(saveMean).pointer(saveInvStd).int64(l.n()).int64(l.channels()).int64(l.spatial())
                    .int64(parts).pointer(partials)
                    .launch(kernels.function(Kernel.BN_BACKWARD_REDUCE_PARTS, x.dtype()),
                            launcher.blocksForRows(l.channels() * parts));
            launcher.begin().pointer(partials).int64(l.channels()).int64(parts).pointer(sumDy).pointer(sumDyXhat)
                    .launch(kernels.function(Kernel.BN_BACKWARD_FINISH, x.dtype()), launcher.blocksFor(l.channels()));
        }
    }

    /** The kernels' op code: the activation's ordinal, or -1 for none. */
    private static int code(UnaryOp activation) {
        return activation == null ? -1 : activation.ordinal();
    }

    private static Tensor channelTemporary(Tensor x, Layout l) {
        return Tensor.empty(Shape.of(Math.toIntExact(l.channels())), x.dtype(), x.backend());
    }

    private static void closeIfTemporary(Tensor used, Tensor given) {
        if (given == null && used != null) {
            used.close();
        }
    }
}
