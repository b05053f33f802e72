package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import java.util.Collections;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * The factor functions of {@link LambdaLR} and {@link MultiplicativeLR}, one per parameter group, as PyTorch's
 * {@code lr_lambda}: one function for every group, or a list with one for each.
 */
final class GroupLambdas {
    private final String schedule;
    private final List<IntToDoubleFunction> lambdas;

    private GroupLambdas(String schedule, List<IntToDoubleFunction> lambdas) {
        this.schedule = schedule;
        this.lambdas = lambdas;
    }

    /** The same {@code lambda} for every group of {@code optimizer}. */
    static GroupLambdas forAll(String schedule, Optimizer optimizer, IntToDoubleFunction lambda) {
        if (optimizer == null) {
            throw new IllegalArgumentException(schedule + ": optimizer must not be null");
        }
        if (lambda == null) {
            throw new IllegalArgumentException(schedule + ": the factor function must not be null");
        }
        return new GroupLambdas(schedule, Collections.nCopies(optimizer.groups().size(), lambda));
    }

    /** {@code lambdas.get(g)} for group g; one per group of {@code optimizer}. */
    static GroupLambdas perGroup(String schedule, Optimizer optimizer, List<IntToDoubleFunction> lambdas) {
        if (optimizer == null) {
            throw new IllegalArgumentException(schedule + ": optimizer must not be null");
        }
        if (lambdas == null || lambdas.size() != optimizer.groups().size()) {
            throw new IllegalArgumentException(schedule + ": expected " + optimizer.groups().size()
                    + " factor functions, one per parameter group, got " + (lambdas == null ? "null" : lambdas.size()));
        }
        for (int g = 0; g < lambdas.size(); g++) {
            if (lambdas.get(g) == null) {
                throw new IllegalArgumentException(schedule + ": the factor function of group " + g
                        + " must not be null");
            }
        }
        return new GroupLambdas(schedule, List.copyOf(lambdas));
    }

    int groups() {
        return lambdas.size();
    }

    /**
     * Group {@code group}'s function at {@code epoch}.
     *
     * @throws IllegalArgumentException when it is not a finite value at least 0, which no learning rate could follow
     */
    double apply(int group, int epoch) {
        double factor = lambdas.get(group).applyAsDouble(epoch);
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException(schedule + ": the factor function of group " + group + " gave "
                    + factor + " at epoch " + epoch + "; factors must be finite and >= 0");
        }
        return factor;
    }
}
