package dev.kiln.engine;

/**
 * Batch normalisation with its gradients ({@link F#batchNorm}, {@link F#batchNormResidual}): the normalisation,
 * then optionally a residual added and an activation applied to the sum, as one recorded op that keeps only its
 * output.
 */
final class BatchNormOps {
    private BatchNormOps() {
    }

    /**
     * {@code activation(batchNorm(x) + residual)} as one recorded op; residual (x's shape) and activation may each
     * be null (none). {@code op} names it in errors and in the graph.
     */
    static Tensor batchNorm(String op, Tensor x, Tensor residual, Tensor runningMean, Tensor runningVar,
                            Tensor weight, Tensor bias, boolean training, double momentum, double eps,
                            UnaryOp activation, double param) {
        checkArguments(op, x, residual, runningMean, runningVar, weight, bias, training);
        int channels = x.dim(1);
        Backend backend = x.backend();
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        // Inference keeps the statistics only for a backward pass: none where the op is not recorded.
        boolean saves = training || Tensor.recordsFrom(x, weight, bias, residual);
        Tensor saveMean = saves ? x.emptyLike(Shape.of(channels), x.dtype()) : null;
        Tensor saveInvStd = saves ? x.emptyLike(Shape.of(channels), x.dtype()) : null;
        if (residual != null) {
            backend.batchNormAddActivationForward(x, residual, weight, bias, runningMean, runningVar, training,
                    momentum, eps, activation, param, out, saveMean, saveInvStd);
        } else if (activation == null) {
            backend.batchNormForward(x, weight, bias, runningMean, runningVar, training, momentum, eps, out,
                    saveMean, saveInvStd);
        } else {
            backend.batchNormActivationForward(x, weight, bias, runningMean, runningVar, training, momentum, eps,
                    activation, param, out, saveMean, saveInvStd);
        }
        Tensor[] inputs = residual == null ? new Tensor[] {x, weight, bias} : new Tensor[] {x, weight, bias, residual};
        out.recordWithSaved(op, inputs, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return recordedGrads(x, residual, weight, bias, saveMean, saveInvStd, training, eps, out, activation,
                        param, g);
            }
            if (residual == null) {
                return normalisationGrads(x, weight, bias, saveMean, saveInvStd, training, g, out, activation, param);
            }
            // The residual's gradient is the sum's, which the normalisation's gradient starts from.
            Tensor gradSum = activation == null ? g : activationGrad(activation, param, out, g);
            Tensor[] grads = normalisationGrads(x, weight, bias, saveMean, saveInvStd, training, gradSum, out, null, 0);
            return new Tensor[] {grads[0], grads[1], grads[2], gradSum};
        }), saveMean, saveInvStd);
        return out;
    }

    /**
     * The gradients {x, weight, bias} (and the residual's, when there is one) in recorded ops, for a backward pass
     * that records its graph: in training the normalisation's gradient written out from statistics recomputed from
     * x in recorded ops, so that it depends on x as the batch's statistics do; in inference the affine map's.
     */
    private static Tensor[] recordedGrads(Tensor x, Tensor residual, Tensor weight, Tensor bias, Tensor saveMean,
                                          Tensor saveInvStd, boolean training, double eps, Tensor out,
                                          UnaryOp activation, double param, Tensor g) {
        Tensor gradSum = activation == null ? g : UnaryDerivatives.gradient(activation, param, out, out, g);
        Tensor[] grads = training ? trainingGradsRecorded(x, weight, bias, eps, gradSum)
                : inferenceGradsRecorded(x, weight, bias, saveMean, saveInvStd, gradSum);
        return residual == null ? grads : new Tensor[] {grads[0], grads[1], grads[2], gradSum};
    }

    /**
     * Training mode's gradients in recorded ops, with {@code xhat = (x - mean) invStd} over all axes but 1 and
     * {@code gxhat = gradOut * weight}: {@code gradInput = invStd (gxhat - mean(gxhat) - xhat mean(gxhat xhat))},
     * {@code gradWeight = sum(gradOut xhat)}, {@code gradBias = sum(gradOut)}.
     */
    private static Tensor[] trainingGradsRecorded(Tensor x, Tensor weight, Tensor bias, double eps, Tensor gradOut) {
        Tensor centred = x.sub(channelMeans(x));
        Tensor invStd = channelMeans(centred.square()).add(eps).rsqrt();
        Tensor xhat = centred.mul(invStd);
        Tensor gradInput = null;
        if (x.requiresGrad()) {
            Tensor gradXhat = weight == null ? gradOut : gradOut.mul(weight.reshape(perChannel(x)));
            gradInput = gradXhat.sub(channelMeans(gradXhat)).sub(xhat.mul(channelMeans(gradXhat.mul(xhat))))
                    .mul(invStd);
        }
        return new Tensor[] {
                gradInput,
                weight != null && weight.requiresGrad() ? sumToChannels(gradOut.mul(xhat)) : null,
                bias != null && bias.requiresGrad() ? sumToChannels(gradOut) : null};
    }

    /** Means of [N, C] or [N, C, H, W] over all axes but 1, kept as [1, C] or [1, C, 1, 1]. */
    private static Tensor channelMeans(Tensor t) {
        Tensor r = t;
        if (t.rank() == 4) {
            r = r.mean(3, true).mean(2, true);
        }
        return r.mean(0, true);
    }

    /** [1, C] or [1, C, 1, 1]: a [C] tensor's shape to broadcast along axis 1 of x. */
    private static int[] perChannel(Tensor x) {
        return x.rank() == 4 ? new int[] {1, x.dim(1), 1, 1} : new int[] {1, x.dim(1)};
    }

    private static void checkArguments(String op, Tensor x, Tensor residual, Tensor runningMean, Tensor runningVar,
                                       Tensor weight, Tensor bias, boolean training) {
        Checks.open(op, x);
        Checks.floating(op, x);
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input " + x.shape()
                    + ": expected 2-D [N, C] or 4-D [N, C, H, W]");
        }
        int channels = x.dim(1);
        Checks.perChannel(op, x, new String[] {"weight", "bias", "runningMean", "runningVar"}, weight, bias,
                runningMean, runningVar);
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(op + ": runningMean and runningVar must both be given or both be null");
        }
        if (!training && runningMean == null) {
            throw new IllegalArgumentException(op + ": inference (training = false) needs runningMean and runningVar"
                    + " [" + channels + "], input " + x.shape());
        }
        if (residual != null) {
            Checks.open(op, residual);
            Checks.compatible(op, x, residual);
            if (!residual.shape().equals(x.shape())) {
                throw new IllegalArgumentException(op + ": residual " + residual.shape() + " and input " + x.shape()
                        + ": the residual must have the input's shape");
            }
        }
        long perChannelValues = x.size() / Math.max(1, channels);
        if (training && perChannelValues <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input "
                    + x.shape());
        }
    }

    /**
     * Gradients for x, weight and bias from gradOut, the gradient of out: batch norm's output, or, with an
     * {@code activation} (else null), the activation's output.
     */
    private static Tensor[] normalisationGrads(Tensor x, Tensor weight, Tensor bias, Tensor saveMean,
                                               Tensor saveInvStd, boolean training, Tensor gradOut, Tensor out,
                                               UnaryOp activation, double param) {
        if (training) {
            return trainingGrads(x, weight, bias, saveMean, saveInvStd, gradOut, out, activation, param);
        }
        if (activation == null) {
            return inferenceGrads(x, weight, bias, saveMean, saveInvStd, gradOut);
        }
        try (Tensor gradNormalised = activationGrad(activation, param, out, gradOut)) {
            return inferenceGrads(x, weight, bias, saveMean, saveInvStd, gradNormalised);
        }
    }

    /** The gradient of the activation's input, from its output {@code out} and that output's gradient g. */
    private static Tensor activationGrad(UnaryOp activation, double param, Tensor out, Tensor g) {
        Tensor gradIn = g.emptyLike(out.shape(), out.dtype());
        g.backend().unaryBackward(activation, param, out, out, g, gradIn);
        return gradIn;
    }

    /** {@link #normalisationGrads} in training mode: the backend's batch-norm backward, with the activation's if any. */
    private static Tensor[] trainingGrads(Tensor x, Tensor weight, Tensor bias, Tensor saveMean, Tensor saveInvStd,
                                          Tensor gradOut, Tensor out, UnaryOp activation, double param) {
        int channels = x.dim(1);
        Tensor gradInput = x.requiresGrad() ? gradOut.emptyLike(x.shape(), x.dtype()) : null;
        Tensor gradWeight = weight != null && weight.requiresGrad()
                ? gradOut.emptyLike(Shape.of(channels), weight.dtype()) : null;
        Tensor gradBias = bias != null && bias.requiresGrad()
                ? gradOut.emptyLike(Shape.of(channels), bias.dtype()) : null;
        if (gradInput == null && gradWeight == null && gradBias == null) {
            return new Tensor[] {null, null, null};
        }
        Backend backend = gradOut.backend();
        if (activation == null) {
            backend.batchNormBackward(x, gradOut, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
        } else {
            backend.batchNormActivationBackward(x, out, gradOut, activation, param, weight, saveMean, saveInvStd,
                    gradInput, gradWeight, gradBias);
        }
        return new Tensor[] {gradInput, gradWeight, gradBias};
    }

    /**
     * Inference mode is {@code y = x * scale + shift} per channel with {@code scale = weight * invStd}, so
     * {@code gradInput = gradOut * scale}, {@code gradWeight = sum(gradOut * xhat)}, {@code gradBias = sum(gradOut)}
     * over all axes but 1; saveMean and saveInvStd hold the running statistics as they were in the forward pass.
     * The two sums are what the backend's training-mode backward sums with that mean and invStd, so that one call
     * writes both from one pass over x and gradOut, where recorded ops take a pass to normalise x, a product and six
     * reductions.
     */
    private static Tensor[] inferenceGrads(Tensor x, Tensor weight, Tensor bias, Tensor saveMean, Tensor saveInvStd,
                                           Tensor gradOut) {
        int channels = x.dim(1);
        Tensor gradWeight = weight != null && weight.requiresGrad()
                ? gradOut.emptyLike(Shape.of(channels), weight.dtype()) : null;
        Tensor gradBias = bias != null && bias.requiresGrad()
                ? gradOut.emptyLike(Shape.of(channels), bias.dtype()) : null;
        if (gradWeight != null || gradBias != null) {
            gradOut.backend().batchNormBackward(x, gradOut, weight, saveMean, saveInvStd, null, gradWeight, gradBias);
        }
        Tensor gradInput = null;
        if (x.requiresGrad()) {
            Tensor invStd = saveInvStd.reshape(perChannel(x));
            gradInput = gradOut.mul(weight == null ? invStd : weight.reshape(perChannel(x)).mul(invStd));
        }
        return new Tensor[] {gradInput, gradWeight, gradBias};
    }

    /** {@link #inferenceGrads} in recorded ops, for a backward pass that records its graph. */
    private static Tensor[] inferenceGradsRecorded(Tensor x, Tensor weight, Tensor bias, Tensor saveMean, Tensor saveInvStd,
                                           Tensor gradOut) {
        int[] broadcast = perChannel(x);
        Tensor invStd = saveInvStd.reshape(broadcast);
        Tensor gradInput = null;
        if (x.requiresGrad()) {
            gradInput = gradOut.mul(weight == null ? invStd : weight.reshape(broadcast).mul(invStd));
        }
        Tensor gradWeight = null;
        if (weight != null && weight.requiresGrad()) {
            Tensor xhat = x.sub(saveMean.reshape(broadcast)).mul(invStd);
            gradWeight = sumToChannels(gradOut.mul(xhat));
        }
        Tensor gradBias = bias != null && bias.requiresGrad() ? sumToChannels(gradOut) : null;
        return new Tensor[] {gradInput, gradWeight, gradBias};
    }

    /** Sums [N, C] or [N, C, H, W] to [C]. */
    private static Tensor sumToChannels(Tensor t) {
        Tensor r = t;
        if (t.rank() == 4) {
            r = r.sum(3, false).sum(2, false);
        }
        return r.sum(0, false);
    }
}
