package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Sets each group's learning rate to its base rate times a function of the epoch, as PyTorch's {@code LambdaLR}:
 * after epoch e, {@code lr = base * lambda(e)}; the schedule sets {@code base * lambda(0)} when it is made. One
 * function for every group, or one per group. A function keeps no state the schedule could save (PyTorch saves
 * a lambda's state neither), so {@link #stateDict()} is empty and a resumed run needs only the same function.
 * <pre>{@code
 * new LambdaLR(optimizer, epoch -> Math.pow(0.95, epoch));
 * }</pre>
 * Not {@link ChainableSchedule}: in a PyTorch chain a {@code LambdaLR} overrides whatever came before it.
 */
public final class LambdaLR implements LearningRateSchedule {
    private final BaseRates rates;
    private final GroupLambdas lambdas;

    /** The same {@code lambda}, epoch to factor (finite, at least 0), for every group. */
    public LambdaLR(Optimizer optimizer, IntToDoubleFunction lambda) {
        this(optimizer, GroupLambdas.forAll("LambdaLR", optimizer, lambda));
    }

    /** {@code lambdas.get(g)} for group g: as many functions as the optimizer has groups. */
    public LambdaLR(Optimizer optimizer, List<IntToDoubleFunction> lambdas) {
        this(optimizer, GroupLambdas.perGroup("LambdaLR", optimizer, lambdas));
    }

    private LambdaLR(Optimizer optimizer, GroupLambdas lambdas) {
        this.rates = new BaseRates("LambdaLR", optimizer);
        this.lambdas = lambdas;
        step(0, Double.NaN);
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("LambdaLR", epoch);
        rates.setFactors(group -> lambdas.apply(group, epoch));
    }
}
