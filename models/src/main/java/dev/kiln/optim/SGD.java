package dev.kiln.optim;

import dev.kiln.engine.Shape;
import dev.kiln.engine.SparseRows;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.stream.LongStream;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay, as
 * PyTorch's {@code torch.optim.SGD}. Per parameter, with {@code g} its gradient:
 * <pre>
 * g = g + weightDecay * p
 * v = momentum * v + (1 - dampening) * g      (the first step sets v = g, undampened)
 * g = nesterov ? g + momentum * v : v
 * p = p - lr * g
 * </pre>
 * Runs as one fused pass per parameter ({@link Updates#sgd}). State: {@code momentum_buffer} when
 * momentum is non-zero.
 *
 * <p>A sparse gradient ({@link Tensor#sparseGrad()}, from an embedding with sparse gradients) is stepped as PyTorch 1.13
 * steps it: without momentum only its rows move; with momentum the buffer is dense here (PyTorch's sparse buffer holds
 * the same values, zero elsewhere), and every row the buffer has reached moves, those alone stepped, row by row. A
 * gradient without entries (after {@code zeroGrad(false)}) still moves them, as in PyTorch. Weight decay with a sparse
 * gradient is refused, as in PyTorch.
 * <pre>{@code
 * Optimizer opt = new SGD(model.trainableParameters(), 0.1).momentum(0.9).nesterov(true).weightDecay(5e-4);
 * }</pre>
 */
public final class SGD extends Optimizer {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-3;

    private double momentum;
    private double dampening;
    private boolean nesterov;
    /**
     * For each momentum buffer last written by a sparse step, the rows it holds, sorted (PyTorch's sparse buffer's
     * rows); a buffer not here (loaded, or written by a dense step) is read once to find them.
     */
    private final Map<Tensor, long[]> bufferRows = new WeakHashMap<>();

    /** Plain SGD over one group. */
    public SGD(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** SGD over one group with momentum (0 for none), Nesterov momentum, and weight decay. */
    public SGD(List<Tensor> params, double lr, double momentum, boolean nesterov, double weightDecay) {
        this(params, lr);
        momentum(momentum);
        nesterov(nesterov);
        weightDecay(weightDecay);
        checkSettings();
    }

    /** SGD over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public SGD(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets the momentum factor (0 turns momentum off); returns this. */
    public SGD momentum(double momentum) {
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException("SGD: momentum must be finite and >= 0, got " + momentum);
        }
        this.momentum = momentum;
        return this;
    }

    /**
     * Sets the dampening of the gradient added to the momentum buffer (0, no dampening, by default; any finite
     * value, as PyTorch accepts; Nesterov momentum needs 0); returns this.
     */
    public SGD dampening(double dampening) {
        if (!Double.isFinite(dampening)) {
            throw new IllegalArgumentException("SGD: dampening must be finite, got " + dampening);
        }
        this.dampening = dampening;
        return this;
    }

    /** Turns Nesterov momentum on or off (it needs momentum > 0 and dampening 0); returns this. */
    public SGD nesterov(boolean nesterov) {
        this.nesterov = nesterov;
        return this;
    }

    /** Climbs the objective instead of descending it (PyTorch's {@code maximize}); returns this. */
    public SGD maximize(boolean maximize) {
        setMaximize(maximize);
        return this;
    }

    /** Sets the weight decay (L2 penalty) of every group; returns this. */
    public SGD weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return this;
    }

    public double momentum() {
        return momentum;
    }

    public double dampening() {
        return dampening;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    protected void checkSettings() {
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0, got " + momentum);
        }
        if (nesterov && dampening != 0) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs dampening 0, got " + dampening);
        }
    }

    @Override
    protected Set<String> stateNames() {
        return momentum != 0 ? Set.of("momentum_buffer") : Set.of();
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor buffer = null;
        boolean firstStep = false;
        if (momentum != 0) {
            buffer = state.get("momentum_buffer");
            firstStep = buffer == null;
            if (firstStep) {
                buffer = state.getOrZeros("momentum_buffer", param);
            }
        }
        bufferRows.remove(buffer);
        Updates.sgd(param, grad, buffer, group.lr(), momentum, dampening, group.weightDecay(), nesterov, firstStep);
    }

    /** Accepts sparse gradients, but not with weight decay, which PyTorch refuses with them too. */
    @Override
    protected void checkGradient(Tensor param, boolean sparse, ParamGroup group) {
        if (sparse && group.weightDecay() != 0) {
            throw new UnsupportedOperationException("SGD: weight decay " + group.weightDecay() + " is not compatible with"
                    + " sparse gradients (parameter " + param.shape() + "), as in PyTorch; set it to 0 for that group");
        }
    }

    @Override
    protected void updateSparse(Tensor param, SparseRows grad, ParamGroup group, ParamState state) {
        if (momentum == 0) {
            Updates.addSparse(param, grad, -group.lr());
            return;
        }
        SparseRows g = grad.coalesce();
        long[] gradRows = g.indices().toLongArray();
        Tensor buffer = state.get("momentum_buffer");
        if (buffer == null) {
            // The first step's buffer is the gradient itself, undampened: added to zeros, exactly.
            buffer = state.getOrZeros("momentum_buffer", param);
            Updates.addSparse(buffer, g, 1);
            bufferRows.put(buffer, gradRows);
            Tensor step = nesterov ? g.values().add(g.values().mul(momentum)) : g.values();
            Updates.addSparse(param, g.withValues(step), -group.lr());
            return;
        }
        long[] held = bufferRows.containsKey(buffer) ? bufferRows.get(buffer) : rowsHeld(buffer);
        long[] rows = union(held, gradRows);
        SparseRows reached = SparseRows.of(Tensor.fromArray(rows, 1, rows.length).to(param.backend()),
                param.fullLike(0, Shape.of(rows.length, param.dim(1))), param.dim(0));
        Tensor gradOnRows = reached.values().indexAdd(0, placesAmong(rows, gradRows, param), g.values());
        Tensor newBuffer = reached.valuesIn(buffer).mul(momentum).add(gradOnRows.mul(1 - dampening));
        writeRows(buffer, reached, newBuffer);
        bufferRows.put(buffer, rows);
        Tensor step = nesterov ? gradOnRows.add(newBuffer.mul(momentum)) : newBuffer;
        Updates.addSparse(param, reached.withValues(step), -group.lr());
    }

    /** The rows of {@code buffer} [rows, cols] holding anything but zeros, read on the host. */
    private static long[] rowsHeld(Tensor buffer) {
        double[] sums = buffer.abs().sum(1, false).toDoubleArray();
        return LongStream.range(0, sums.length).filter(r -> sums[(int) r] != 0).toArray();
    }

    /** The sorted rows in {@code a} or {@code b}, both sorted without repeats. */
    private static long[] union(long[] a, long[] b) {
        return LongStream.concat(Arrays.stream(a), Arrays.stream(b)).sorted().distinct().toArray();
    }

    /** Where each of {@code some} stands among {@code rows} (sorted, holding them all), I64 on the parameter's backend. */
    private static Tensor placesAmong(long[] rows, long[] some, Tensor param) {
        long[] places = Arrays.stream(some).map(r -> Arrays.binarySearch(rows, r)).toArray();
        return Tensor.fromArray(places, places.length).to(param.backend());
    }

    /**
     * {@code dense[reached rows] = values} in place: the rows zeroed by adding their negation (exact, x + -x = 0, for
     * finite x), then the values added to zero (exact), as no in-place row copy is offered.
     */
    private static void writeRows(Tensor dense, SparseRows reached, Tensor values) {
        Updates.addSparse(dense, reached.withValues(reached.valuesIn(dense)), -1);
        Updates.addSparse(dense, reached.withValues(values), 1);
    }

    /** Its momentum, which {@code OneCycleLR} cycles. */
    @Override
    public OptionalDouble momentumOrBeta1() {
        return OptionalDouble.of(momentum);
    }

    @Override
    public void setMomentumOrBeta1(double value) {
        momentum(value);
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("dampening", dampening);
        s.put("nesterov", nesterov);
        return s;
    }
}
