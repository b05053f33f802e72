package dev.kiln.engine;

/**
 * PyTorch's {@code var_mean}, {@code std_mean} and {@code aminmax}: two reductions over the same axes, each the op
 * that computes it alone ({@link Tensor#var}, {@link Tensor#std}, the mean, {@link Tensor#amin}, {@link Tensor#amax}),
 * so their gradients and errors are those ops'.
 */
final class MomentOps {
    private MomentOps() {
    }

    static VarMean varMean(Tensor x, int[] axes, int correction, boolean keepDim) {
        Tensor var = x.var(axes, correction, keepDim);
        return new VarMean(var, mean("varMean", x, axes, keepDim));
    }

    static StdMean stdMean(Tensor x, int[] axes, int correction, boolean keepDim) {
        Tensor std = x.std(axes, correction, keepDim);
        return new StdMean(std, mean("stdMean", x, axes, keepDim));
    }

    static MinMax aminmax(Tensor x, int[] axes, boolean keepDim) {
        Checks.open("aminmax", x);
        return new MinMax(x.amin(axes, keepDim), x.amax(axes, keepDim));
    }

    /** Every axis of x, for the reductions over all elements. */
    static int[] all(Tensor x) {
        int[] axes = new int[x.rank()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return axes;
    }

    private static Tensor mean(String op, Tensor x, int[] axes, boolean keepDim) {
        int[] a = Axes.of(op, x.shape(), axes);
        return Composite.composed(() -> {
            Tensor mean = Axes.sum(x, a).div(Axes.count(x.shape(), a));
            return keepDim ? mean : mean.reshape(Axes.reduced(x.shape(), a, false).dims());
        }, x);
    }
}
