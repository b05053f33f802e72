package dev.kiln.distributions;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A set that a parameter or a value must lie in (PyTorch's {@code torch.distributions.constraints}): {@link #check}
 * gives 1 for each element, or each event of the last {@link #eventRank} axes, that lies in it and 0 for each that
 * does not; {@link #require} throws naming the first that does not.
 */
public final class Constraint {
    /** PyTorch's tolerances for a sum of probabilities and for a symmetric matrix. */
    private static final double SIMPLEX_TOLERANCE = 1e-6;
    private static final double SYMMETRY_ABSOLUTE = 1e-6;
    private static final double SYMMETRY_RELATIVE = 1e-5;
    /** The most values of one event an error message shows. */
    private static final int SHOWN = 8;

    private final String description;
    private final int eventRank;
    private final UnaryOperator<Tensor> check;

    private Constraint(String description, int eventRank, UnaryOperator<Tensor> check) {
        this.description = description;
        this.eventRank = eventRank;
        this.check = check;
    }

    /** Any number but NaN (infinities included), as PyTorch's {@code constraints.real}. */
    public static Constraint real() {
        return new Constraint("real (not NaN)", 0, v -> v.eq(v));
    }

    /** Vectors of real numbers over the last axis ({@code constraints.real_vector}). */
    public static Constraint realVector() {
        return independent(real(), 1);
    }

    /** Greater than 0 ({@code constraints.positive}). */
    public static Constraint positive() {
        return new Constraint("positive (> 0)", 0, v -> v.gt(0));
    }

    /** 0 or more ({@code constraints.nonnegative}). */
    public static Constraint nonNegative() {
        return new Constraint("non-negative (>= 0)", 0, v -> v.ge(0));
    }

    /** In [0, 1] ({@code constraints.unit_interval}). */
    public static Constraint unitInterval() {
        return new Constraint("in [0, 1]", 0, v -> v.ge(0).mul(v.le(1)));
    }

    /** 0 or 1 ({@code constraints.boolean}). */
    public static Constraint binary() {
        return new Constraint("0 or 1", 0, v -> v.eq(0).add(v.eq(1)));
    }

    /** In [low, high], both ends included ({@code constraints.interval}). */
    public static Constraint interval(double low, double high) {
        return new Constraint("in [" + low + ", " + high + "]", 0, v -> v.ge(low).mul(v.le(high)));
    }

    /** Whole numbers in [low, high] ({@code constraints.integer_interval}), of an integer or a floating dtype. */
    public static Constraint integerInterval(long low, long high) {
        return new Constraint("an integer in [" + low + ", " + high + "]", 0, v -> {
            if (!v.dtype().isFloating()) {
                // Masks multiply in floating point only; class indices convert exactly.
                Tensor x = v.to(DType.F64);
                return x.ge(low).mul(x.le(high));
            }
            return v.ge(low).mul(v.le(high)).mul(v.eq(v.floor()));
        });
    }

    /** Whole numbers 0 or more, of an integer or a floating dtype ({@code constraints.nonnegative_integer}). */
    public static Constraint nonNegativeInteger() {
        return new Constraint("a whole number >= 0", 0, v -> {
            Tensor x = v.dtype().isFloating() ? v : v.to(DType.F64);
            return x.ge(0).mul(x.eq(x.floor()));
        });
    }

    /** Whole numbers in [0, high] element by element, for a bound that broadcasts with the value (Binomial's). */
    public static Constraint integerIntervalUpTo(Tensor high, String highName) {
        return new Constraint("a whole number in [0, " + highName + "]", 0, v -> {
            Tensor x = v.dtype().isFloating() ? v : v.to(high.dtype());
            return x.ge(0).mul(x.le(high)).mul(x.eq(x.floor()));
        });
    }

    /** In [low, high) element by element, for bounds that broadcast with the value ({@code half_open_interval}). */
    public static Constraint halfOpenInterval(Tensor low, Tensor high) {
        return new Constraint("in [low, high)", 0, v -> v.ge(low).mul(v.lt(high)));
    }

    /** Below {@code bound} element by element, {@code boundName} naming it in errors. */
    public static Constraint lessThan(Tensor bound, String boundName) {
        return new Constraint("below " + boundName, 0, v -> v.lt(bound));
    }

    /** Probability vectors over the last axis: non-negative and summing to 1 within 1e-6 ({@code simplex}). */
    public static Constraint simplex() {
        return new Constraint("a probability vector (>= 0, summing to 1 over the last axis)", 1,
                v -> v.ge(0).min(-1, false).mul(v.sum(-1, false).sub(1).abs().lt(SIMPLEX_TOLERANCE)));
    }

    /** One-hot vectors over the last axis: 0s and one 1 ({@code constraints.one_hot}). */
    public static Constraint oneHot() {
        return new Constraint("one-hot (0s and one 1 over the last axis)", 1,
                v -> v.eq(0).add(v.eq(1)).min(-1, false).mul(v.sum(-1, false).eq(1)));
    }

    /** Square matrices over the last two axes, lower-triangular with a positive diagonal ({@code lower_cholesky}). */
    public static Constraint lowerCholesky() {
        return new Constraint("lower-triangular with a positive diagonal", 2,
                v -> v.tril(0).eq(v).min(-1, false).min(-1, false).mul(Matrices.diagonal(v).gt(0).min(-1, false)));
    }

    /**
     * Symmetric positive-definite matrices over the last two axes ({@code positive_definite}): symmetric within
     * 1e-6 + 1e-5 |value| (PyTorch's {@code isclose}) and with a Cholesky factorisation ({@link Linalg#choleskyEx}'s
     * info 0).
     */
    public static Constraint positiveDefinite() {
        return new Constraint("symmetric positive-definite", 2, v -> {
            Tensor transposed = v.transpose(-2, -1);
            Tensor symmetric = v.sub(transposed).abs().le(transposed.abs().mul(SYMMETRY_RELATIVE).add(SYMMETRY_ABSOLUTE))
                    .min(-1, false).min(-1, false);
            return symmetric.mul(Linalg.choleskyEx(v, false).info().eq(0).to(symmetric.dtype()));
        });
    }

    /** {@code base} over events of {@code n} more axes: an event lies in it when each of its elements does. */
    public static Constraint independent(Constraint base, int n) {
        return new Constraint(base.description + " in each element", base.eventRank + n, v -> {
            Tensor ok = base.check(v);
            for (int i = 0; i < n; i++) {
                ok = ok.min(-1, false);
            }
            return ok;
        });
    }

    /**
     * Vectors over the last axis of elements 0 or more summing to at most {@code totalCount}
     * ({@code constraints.multinomial}: as PyTorch's, whole numbers are not required).
     */
    public static Constraint multinomial(int totalCount) {
        return new Constraint("non-negative, summing to at most " + totalCount + " over the last axis", 1,
                v -> v.ge(0).min(-1, false).mul(v.sum(-1, false).le(totalCount)));
    }

    /** In [low, high): low included, high not ({@code constraints.half_open_interval}). */
    public static Constraint halfOpenInterval(double low, double high) {
        return new Constraint("in [" + low + ", " + high + ")", 0, v -> v.ge(low).mul(v.lt(high)));
    }

    /** At least {@code bound} element by element, {@code boundName} naming it in errors ({@code greater_than_eq}). */
    public static Constraint atLeast(Tensor bound, String boundName) {
        return new Constraint("at least " + boundName, 0, v -> v.ge(bound));
    }

    /** What the set is, for error messages. */
    public String description() {
        return description;
    }

    /** How many trailing axes make one event that {@link #check} judges as a whole. */
    public int eventRank() {
        return eventRank;
    }

    /** 1 where {@code value} (each event of it) lies in the set, 0 where not: value's shape less the event axes. */
    public Tensor check(Tensor value) {
        if (value.rank() < eventRank) {
            throw new IllegalArgumentException("Constraint " + description + ": value " + value.shape()
                    + " needs at least " + eventRank + " axes, the event's");
        }
        return check.apply(value);
    }

    /**
     * Throws unless every element (event) of {@code value} lies in the set: {@code owner}: {@code what} [shape] must be
     * ..., found ... at [index]. Reads one number from the device, and the values only when one lies outside.
     */
    public void require(String owner, String what, Tensor value) {
        try (Scope scope = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor ok = check(value).to(DType.F64);
            if (ok.size() == 0 || ok.min().item() != 0) {
                return;
            }
            double[] flags = ok.toDoubleArray();
            int first = 0;
            while (flags[first] != 0) {
                first++;
            }
            // A bound of the set (Uniform's) may broadcast the value to more events than it has.
            Shape events = Shape.of(Tensors.concat(ok.shape().dims(),
                    Tensors.trailing(value.shape(), value.rank() - eventRank).dims()));
            String broadcast = events.equals(value.shape()) ? "" : " (broadcast to " + events + ")";
            throw new IllegalArgumentException(owner + ": " + what + " " + value.shape() + broadcast + " must be "
                    + description + ", found " + found(Tensors.expandTo(value, events), ok.shape(), first));
        }
    }

    /** The event of {@code value} at flat index {@code event} of the event grid {@code grid}, and where it is. */
    private String found(Tensor value, Shape grid, int event) {
        double[] all = value.to(DType.F64).toDoubleArray();
        int size = Math.toIntExact(value.size() / Math.max(1, grid.size()));
        String where = " at " + Arrays.toString(multiIndex(grid, event));
        if (eventRank == 0) {
            return all[event] + where;
        }
        double[] shown = Arrays.copyOfRange(all, event * size, event * size + Math.min(size, SHOWN));
        String values = Arrays.toString(shown);
        return (size > SHOWN ? values.substring(0, values.length() - 1) + ", ...]" : values) + where;
    }

    private static int[] multiIndex(Shape shape, long flat) {
        int[] index = new int[shape.rank()];
        long rest = flat;
        for (int axis = shape.rank() - 1; axis >= 0; axis--) {
            index[axis] = (int) (rest % shape.dim(axis));
            rest /= shape.dim(axis);
        }
        return index;
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Cholesky factors of correlation matrices over the last two axes ({@code constraints.corr_cholesky}):
     * lower-triangular with a positive diagonal and rows of unit norm within 10 n eps of the dtype for n columns
     * (PyTorch's tolerance).
     */
    public static Constraint corrCholesky() {
        Constraint lower = lowerCholesky();
        return new Constraint("the Cholesky factor of a correlation matrix (lower-triangular with a positive diagonal"
                + " and rows of unit norm)", 2, v -> {
                    double tolerance = Finfo.eps(v.dtype()) * v.dim(-1) * 10;
                    Tensor unitRows = v.detach().norm(2, new int[] {-1}, false).sub(1).abs().le(tolerance);
                    return lower.check(v).mul(unitRows.min(-1, false));
                });
    }

    /** Greater than {@code bound} ({@code constraints.greater_than}). */
    public static Constraint greaterThan(double bound) {
        return new Constraint("greater than " + bound, 0, v -> v.gt(bound));
    }
}
