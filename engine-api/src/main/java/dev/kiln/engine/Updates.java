package dev.kiln.engine;

import java.util.List;

/**
 * Fused optimizer updates (Backend SPI item 9) for the optimizers in {@code dev.kiln.optim}: each call
 * checks its arguments and makes one pass over parameter, gradient and state on the parameter's backend.
 * Parameter and state are updated in place; the gradient is only read. Formulas follow PyTorch (see
 * {@link Backend#sgdUpdate} and {@link Backend#adamUpdate}).
 *
 * <p>Updates bypass autograd: call them under {@code Autograd.noGrad()} (as {@code Optimizer.step()} does).
 */
public final class Updates {
    private Updates() {
    }

    /**
     * One SGD step: {@code d = grad + weightDecay * param; buf = momentum * buf + (1 - dampening) * d} (the first
     * step sets {@code buf = d}, undampened); {@code d = nesterov ? d + momentum * buf : buf; param -= lr * d}.
     *
     * @param momentumBuffer state of the parameter's shape and dtype; null when {@code momentum == 0}
     * @param dampening      any finite value (as PyTorch); 0 with Nesterov momentum
     * @param firstStep      true on the parameter's first step: the buffer is set to the gradient
     */
    public static void sgd(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
                           double dampening, double weightDecay, boolean nesterov, boolean firstStep) {
        String op = "sgd";
        checkParamAndGrad(op, param, grad);
        if (momentum != 0) {
            if (momentumBuffer == null) {
                throw new IllegalArgumentException(op + ": momentum " + momentum + " needs a momentum buffer of shape "
                        + param.shape() + ", got null");
            }
            checkState(op, "momentum buffer", param, momentumBuffer);
        } else if (momentumBuffer != null) {
            throw new IllegalArgumentException(op + ": momentum is 0 but a momentum buffer " + momentumBuffer.shape()
                    + " was given; pass null");
        }
        checkNonNegative(op, "lr", lr);
        checkNonNegative(op, "weight decay", weightDecay);
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException(op + ": momentum must be finite and >= 0, got " + momentum);
        }
        if (!Double.isFinite(dampening)) {
            throw new IllegalArgumentException(op + ": dampening must be finite, got " + dampening);
        }
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException(op + ": Nesterov momentum needs momentum > 0, got " + momentum);
        }
        if (nesterov && dampening != 0) {
            throw new IllegalArgumentException(op + ": Nesterov momentum needs dampening 0, got " + dampening);
        }
        param.backend().sgdUpdate(param, grad, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov,
                firstStep);
        param.markWrittenInPlace();
    }

    /**
     * One Adam step ({@code decoupledWeightDecay} false: weight decay is an L2 term added to the gradient)
     * or AdamW step (true: {@code param *= 1 - lr * weightDecay} before the update). {@code step} is the
     * number of this update, counting from 1; it sets the bias corrections {@code 1 - beta^step}.
     */
    public static void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                            double beta2, double eps, double weightDecay, boolean decoupledWeightDecay, long step) {
        String op = decoupledWeightDecay ? "adamw" : "adam";
        checkAdamTensors(op, param, grad, expAvg, expAvgSq);
        checkAdamSettings(op, lr, beta1, beta2, eps, weightDecay, step);
        param.backend().adamUpdate(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay,
                decoupledWeightDecay, step);
        param.markWrittenInPlace();
    }

    /**
     * {@link #adam} of every parameter {@code params[i]} with {@code grads[i]} and its state, the same settings
     * and step for all, in one call to the backend ({@link Backend#adamUpdates}: one launch on a GPU). The
     * parameters share one backend and dtype.
     */
    public static void adam(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs, List<Tensor> expAvgSqs,
                            double lr, double beta1, double beta2, double eps, double weightDecay,
                            boolean decoupledWeightDecay, long step) {
        String op = decoupledWeightDecay ? "adamw" : "adam";
        if (!checkAdamLists(op, params, grads, expAvgs, expAvgSqs, null)) {
            return;
        }
        checkAdamSettings(op, lr, beta1, beta2, eps, weightDecay, step);
        params.get(0).backend().adamUpdates(params, grads, expAvgs, expAvgSqs, lr, beta1, beta2, eps, weightDecay,
                decoupledWeightDecay, step);
        params.forEach(Tensor::markWrittenInPlace);
    }

    /**
     * {@link #adam(List, List, List, List, double, double, double, double, double, boolean, long)} with amsgrad
     * (PyTorch's {@code amsgrad=True}): {@code maxExpAvgSqs[i]} keeps the largest {@code expAvgSqs[i]} seen, and
     * the denominator is its square root ({@link Backend#amsgradUpdates}).
     */
    public static void amsgrad(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs, List<Tensor> expAvgSqs,
                               List<Tensor> maxExpAvgSqs, double lr, double beta1, double beta2, double eps,
                               double weightDecay, boolean decoupledWeightDecay, long step) {
        String op = decoupledWeightDecay ? "adamw (amsgrad)" : "adam (amsgrad)";
        if (!checkAdamLists(op, params, grads, expAvgs, expAvgSqs, maxExpAvgSqs)) {
            return;
        }
        checkAdamSettings(op, lr, beta1, beta2, eps, weightDecay, step);
        params.get(0).backend().amsgradUpdates(params, grads, expAvgs, expAvgSqs, maxExpAvgSqs, lr, beta1, beta2, eps,
                weightDecay, decoupledWeightDecay, step);
        params.forEach(Tensor::markWrittenInPlace);
    }

    /**
     * Checks the lists of a multi-tensor Adam step, {@code maxExpAvgSqs} null without amsgrad: one entry each per
     * parameter, every parameter's tensors as {@link #checkAdamTensors}, one backend and dtype for all. Returns
     * whether there is anything to update.
     */
    private static boolean checkAdamLists(String op, List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs,
                                          List<Tensor> expAvgSqs, List<Tensor> maxExpAvgSqs) {
        int n = params.size();
        boolean amsgrad = maxExpAvgSqs != null;
        if (grads.size() != n || expAvgs.size() != n || expAvgSqs.size() != n || amsgrad && maxExpAvgSqs.size() != n) {
            throw new IllegalArgumentException(op + ": " + n + " parameters need as many gradients and states, got "
                    + grads.size() + " gradients, " + expAvgs.size() + " exp_avg" + (amsgrad ? ", " : " and ")
                    + expAvgSqs.size() + " exp_avg_sq"
                    + (amsgrad ? " and " + maxExpAvgSqs.size() + " max_exp_avg_sq" : ""));
        }
        for (int i = 0; i < n; i++) {
            checkAdamTensors(op, params.get(i), grads.get(i), expAvgs.get(i), expAvgSqs.get(i));
            if (amsgrad) {
                checkState(op, "max_exp_avg_sq", params.get(i), maxExpAvgSqs.get(i));
                if (maxExpAvgSqs.get(i) == expAvgs.get(i) || maxExpAvgSqs.get(i) == expAvgSqs.get(i)) {
                    throw new IllegalArgumentException(op + ": max_exp_avg_sq must be a tensor of its own, not exp_avg"
                            + " or exp_avg_sq (parameter " + i + ")");
                }
            }
            Checks.compatible(op, params.get(0), params.get(i));
        }
        return n > 0;
    }

    private static void checkAdamTensors(String op, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq) {
        checkParamAndGrad(op, param, grad);
        checkState(op, "exp_avg", param, expAvg);
        checkState(op, "exp_avg_sq", param, expAvgSq);
        if (expAvg == expAvgSq) {
            throw new IllegalArgumentException(op + ": exp_avg and exp_avg_sq must be different tensors");
        }
    }

    private static void checkAdamSettings(String op, double lr, double beta1, double beta2, double eps,
                                          double weightDecay, long step) {
        checkNonNegative(op, "lr", lr);
        checkNonNegative(op, "weight decay", weightDecay);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(op + ": betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be finite and >= 0, got " + eps);
        }
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step counts from 1, got " + step);
        }
    }

    /**
     * Zeros of {@code like}'s shape, dtype and device, created outside every {@link Scope}: optimizer state,
     * which must outlive the per-step scope that {@code step()} usually runs in. It lives until closed.
     */
    public static Tensor stateLike(Tensor like) {
        Checks.open("stateLike", like);
        return Scope.outside(() -> {
            Tensor t = Tensor.empty(like.shape(), like.dtype(), like.backend());
            like.backend().fill(t, 0);
            return t;
        });
    }

    private static void checkParamAndGrad(String op, Tensor param, Tensor grad) {
        if (param == null || grad == null) {
            throw new IllegalArgumentException(op + ": parameter and gradient must not be null");
        }
        Checks.compatible(op, param, grad);
        Checks.floating(op, param);
        if (!grad.shape().equals(param.shape())) {
            throw new IllegalArgumentException(op + ": gradient " + grad.shape() + " differs from parameter " + param.shape());
        }
        if (param == grad) {
            throw new IllegalArgumentException(op + ": parameter " + param.shape() + " was passed as its own gradient");
        }
        if (!param.isLeaf()) {
            throw new IllegalStateException(op + ": parameter " + param.shape() + " was made by " + param.gradFnName()
                    + "; updates are for leaves (parameters)");
        }
        if (param.requiresGrad() && Autograd.isEnabled()) {
            throw new IllegalStateException(op + ": parameter " + param.shape() + " requires a gradient; update it inside"
                    + " try (var g = Autograd.noGrad()) { ... }");
        }
    }

    private static void checkState(String op, String name, Tensor param, Tensor state) {
        if (state == null) {
            throw new IllegalArgumentException(op + ": " + name + " must not be null (parameter " + param.shape() + ")");
        }
        Checks.compatible(op, param, state);
        if (!state.shape().equals(param.shape())) {
            throw new IllegalArgumentException(op + ": " + name + " " + state.shape() + " differs from parameter " + param.shape());
        }
        if (state == param) {
            throw new IllegalArgumentException(op + ": " + name + " " + state.shape() + " is the parameter itself");
        }
    }

    private static void checkNonNegative(String op, String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(op + ": " + name + " must be finite and >= 0, got " + value);
        }
    }

    /**
     * {@code dense += alpha * delta} in place, for a sparse update of a 2-D parameter or state [rows, cols] (PyTorch's
     * {@code dense.add_(sparse, alpha=alpha)}): only the elements at {@code delta}'s positions are touched, repeated
     * positions adding up in entry order.
     *
     * @throws IllegalArgumentException naming both when the shapes, dtypes or backends differ
     * @throws IllegalStateException as for the other updates, for a tensor made by an op or one that requires a
     *     gradient while gradients are on
     */
    public static void addSparse(Tensor dense, SparseCoo delta, double alpha) {
        String op = "addSparse";
        if (dense == null || delta == null) {
            throw new IllegalArgumentException(op + ": dense tensor and sparse update must not be null");
        }
        Tensor values = delta.values();
        Checks.open(op, dense, values);
        Checks.compatible(op, dense, values);
        if (dense.rank() != 2 || dense.dim(0) != delta.rows() || dense.dim(1) != delta.cols()) {
            throw new IllegalArgumentException(op + ": dense tensor " + dense.shape() + " must be [" + delta.rows() + ", "
                    + delta.cols() + "] for " + delta);
        }
        checkUpdatable(op, dense);
        if (delta.nnz() == 0) {
            return;
        }
        Backend be = dense.backend();
        try (Tensor positions = delta.flatPositions(); Tensor flat = dense.view(0, Shape.of(Math.toIntExact(dense.size())));
             Tensor scaled = dense.emptyLike(values.shape(), values.dtype())) {
            be.affine(values, alpha, 0, scaled);
            be.indexAdd(flat, 0, positions, scaled);
        }
        dense.markWrittenInPlace();
    }

    /**
     * {@code dense += alpha * delta} in place, for a row-sparse update of a 2-D parameter or state [rows, cols]
     * (PyTorch's {@code dense.add_(sparse, alpha=alpha)} of a hybrid sparse tensor): only the rows at {@code delta}'s
     * entries are touched, repeated rows adding up in entry order.
     *
     * @throws IllegalArgumentException naming both when the shapes, dtypes or backends differ
     * @throws IllegalStateException as for the other updates, for a tensor made by an op or one that requires a
     *     gradient while gradients are on
     */
    public static void addSparse(Tensor dense, SparseRows delta, double alpha) {
        String op = "addSparse";
        if (dense == null || delta == null) {
            throw new IllegalArgumentException(op + ": dense tensor and sparse update must not be null");
        }
        Tensor values = delta.values();
        Checks.open(op, dense, values);
        Checks.compatible(op, dense, values);
        if (!dense.shape().equals(delta.shape())) {
            throw new IllegalArgumentException(op + ": dense tensor " + dense.shape() + " must be " + delta.shape()
                    + " for " + delta);
        }
        checkUpdatable(op, dense);
        if (delta.nnz() == 0) {
            return;
        }
        Backend be = dense.backend();
        if (alpha == 1) {
            be.indexAdd(dense, 0, delta.rowIndex(), values);
        } else {
            try (Tensor scaled = dense.emptyLike(values.shape(), values.dtype())) {
                be.affine(values, alpha, 0, scaled);
                be.indexAdd(dense, 0, delta.rowIndex(), scaled);
            }
        }
        dense.markWrittenInPlace();
    }

    /**
     * One {@code SparseAdam} step of the rows of {@code grad} ({@link Backend#sparseAdamUpdate}): the moments
     * {@code expAvg}, {@code expAvgSq} and the parameter [rows, cols] move in those rows alone, with
     * {@code stepSize = lr * sqrt(1 - beta2^t) / (1 - beta1^t)}.
     *
     * @throws IllegalArgumentException naming the tensor for a shape, dtype or backend that differs, or an
     *     uncoalesced gradient (its update is not linear: coalesce it first)
     */
    public static void sparseAdam(Tensor param, Tensor expAvg, Tensor expAvgSq, SparseRows grad, double stepSize,
                                  double beta1, double beta2, double eps) {
        String op = "sparseAdam";
        checkRowUpdate(op, param, grad);
        checkState(op, "exp_avg", param, expAvg);
        checkState(op, "exp_avg_sq", param, expAvgSq);
        if (expAvg == expAvgSq) {
            throw new IllegalArgumentException(op + ": exp_avg and exp_avg_sq must be different tensors");
        }
        if (grad.nnz() == 0) {
            return;
        }
        param.backend().sparseAdamUpdate(param, expAvg, expAvgSq, grad.rowIndex(), grad.values(), stepSize, beta1,
                beta2, eps);
        param.markWrittenInPlace();
        expAvg.markWrittenInPlace();
        expAvgSq.markWrittenInPlace();
    }

    /**
     * One {@code Adagrad} step of the rows of {@code grad} ({@link Backend#sparseAdagradUpdate}): the sum of squares
     * {@code sum} and the parameter [rows, cols] move in those rows alone, by the learning rate {@code clr}.
     *
     * @throws IllegalArgumentException as {@link #sparseAdam}
     */
    public static void sparseAdagrad(Tensor param, Tensor sum, SparseRows grad, double clr, double eps) {
        String op = "sparseAdagrad";
        checkRowUpdate(op, param, grad);
        checkState(op, "sum", param, sum);
        if (grad.nnz() == 0) {
            return;
        }
        param.backend().sparseAdagradUpdate(param, sum, grad.rowIndex(), grad.values(), clr, eps);
        param.markWrittenInPlace();
        sum.markWrittenInPlace();
    }

    /** The parameter and its row-sparse, coalesced gradient of its shape, dtype and backend. */
    private static void checkRowUpdate(String op, Tensor param, SparseRows grad) {
        if (param == null || grad == null) {
            throw new IllegalArgumentException(op + ": parameter and gradient must not be null");
        }
        Checks.open(op, param, grad.values());
        Checks.compatible(op, param, grad.values());
        Checks.floating(op, param);
        if (!param.shape().equals(grad.shape())) {
            throw new IllegalArgumentException(op + ": gradient " + grad + " differs from parameter " + param.shape());
        }
        if (!grad.isCoalesced()) {
            throw new IllegalArgumentException(op + ": gradient " + grad + " repeats rows; coalesce() it first");
        }
        checkUpdatable(op, param);
    }

    /** A leaf that gradients are not being recorded for: what an in-place update may write. */
    private static void checkUpdatable(String op, Tensor dense) {
        if (!dense.isLeaf()) {
            throw new IllegalStateException(op + ": tensor " + dense.shape() + " was made by " + dense.gradFnName()
                    + "; updates are for leaves (parameters, optimizer state)");
        }
        if (dense.requiresGrad() && Autograd.isEnabled()) {
            throw new IllegalStateException(op + ": tensor " + dense.shape() + " requires a gradient; update it inside"
                    + " try (var g = Autograd.noGrad()) { ... }");
        }
    }
}
