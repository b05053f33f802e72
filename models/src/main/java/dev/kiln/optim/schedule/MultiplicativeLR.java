package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Multiplies each group's learning rate by a function of the epoch every epoch, as PyTorch's
 * {@code MultiplicativeLR}: after epoch e, {@code lr = base * lambda(1) * ... * lambda(e)} (the base rate itself
 * after epoch 0; making the schedule leaves the rates as they are, as PyTorch's). One function for every group, or one per group. Closed form in the epoch, as the other schedules
 * here: the product is kept only to save recomputing it when epochs come in order. A function keeps no state the
 * schedule could save (as in PyTorch), so {@link #stateDict()} is empty and a resumed run needs only the same
 * function. After a milestone of {@link SequentialLR} it continues from the rate the schedule before it left, as in
 * PyTorch.
 */
public final class MultiplicativeLR implements ChainableSchedule {
    private final BaseRates rates;
    private final GroupLambdas lambdas;
    /** The product of each group's factors up to epoch {@code productEpoch}. */
    private final double[] products;
    private int productEpoch;

    /** The same {@code lambda}, epoch to factor (finite, at least 0), for every group. */
    public MultiplicativeLR(Optimizer optimizer, IntToDoubleFunction lambda) {
        this(optimizer, GroupLambdas.forAll("MultiplicativeLR", optimizer, lambda));
    }

    /** {@code lambdas.get(g)} for group g: as many functions as the optimizer has groups. */
    public MultiplicativeLR(Optimizer optimizer, List<IntToDoubleFunction> lambdas) {
        this(optimizer, GroupLambdas.perGroup("MultiplicativeLR", optimizer, lambdas));
    }

    private MultiplicativeLR(Optimizer optimizer, GroupLambdas lambdas) {
        this.rates = new BaseRates("MultiplicativeLR", optimizer);
        this.lambdas = lambdas;
        this.products = new double[lambdas.groups()];
        restartProducts();
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("MultiplicativeLR", epoch);
        rates.setFactors(group -> factor(group, epoch));
    }

    /**
     * Multiplies each group's current rate by {@code lambda(1) * ... * lambda(epoch)}: {@link SequentialLR}'s step
     * {@code epoch} after the milestone where this schedule takes over.
     */
    void continueFromCurrentRates(int epoch) {
        BaseRates.checkEpoch("MultiplicativeLR", epoch);
        List<ParamGroup> groups = rates.optimizer().groups();
        for (int g = 0; g < groups.size(); g++) {
            groups.get(g).setLr(groups.get(g).lr() * factor(g, epoch));
        }
    }

    @Override
    public double factor(int group, int epoch) {
        if (epoch < productEpoch) {
            restartProducts();
        }
        while (productEpoch < epoch) {
            // All groups' factors first, so that a refused one leaves the products as they were.
            double[] next = new double[products.length];
            for (int g = 0; g < products.length; g++) {
                next[g] = products[g] * lambdas.apply(g, productEpoch + 1);
            }
            System.arraycopy(next, 0, products, 0, products.length);
            productEpoch++;
        }
        return products[group];
    }

    private void restartProducts() {
        Arrays.fill(products, 1);
        productEpoch = 0;
    }

    @Override
    public Optimizer optimizer() {
        return rates.optimizer();
    }
}
