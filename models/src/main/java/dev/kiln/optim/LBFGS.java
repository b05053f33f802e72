package dev.kiln.optim;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * L-BFGS, as PyTorch 1.13's {@code torch.optim.LBFGS} (after minFunc): a quasi-Newton method that treats all
 * parameters as one flat vector x [n] and approximates the inverse Hessian from the last {@link #historySize}
 * curvature pairs (y, s) = (change of gradient, change of x). One {@link #step(LossClosure)} runs up to
 * {@link #maxIter} iterations, each:
 * <pre>
 * d = -H g                      (two-loop recursion; -g on the very first iteration, H = hDiag * I initially)
 * t = lr                        (on the very first iteration min(1, 1 / sum|g|) * lr)
 * x = x + t d                   (t from a strong-Wolfe line search when one is set)
 * (y, s) = (g' - g, t d)        enters the history at the next iteration when y . s &gt; 1e-10;
 *                               hDiag = y . s / y . y
 * </pre>
 * and stops early when the largest |g| is at most {@link #toleranceGrad}, when the loss or the step (the largest
 * |t d|) changes by less than {@link #toleranceChange}, when d is no descent direction (g . d &gt; -toleranceChange),
 * or when the step has evaluated the closure {@link #maxEval} times. Defaults as PyTorch's: lr 1, 20 iterations,
 * {@code maxIter * 5 / 4} evaluations, tolerances 1e-7 and 1e-9, history 100, no line search.
 *
 * <p>It re-evaluates the loss during a step, so it steps with a {@link LossClosure}, never with {@link #step()}:
 * <pre>{@code
 * LBFGS lbfgs = new LBFGS(model.trainableParameters(), 1).lineSearch("strong_wolfe");
 * for (int i = 0; i < steps; i++) {
 *     double loss = lbfgs.step(() -> {
 *         lbfgs.zeroGrad();
 *         Tensor l = lossFunction.compute(model.forward(x), y);
 *         l.backward();
 *         return l;
 *     });
 * }
 * }</pre>
 * As in PyTorch: one parameter group, no weight decay, all parameters of one dtype, and the state (PyTorch's
 * names, kept for parameter 0) is {@code func_evals}, {@code n_iter}, {@code d}, {@code t}, {@code old_dirs}
 * [k, n], {@code old_stps} [k, n], {@code ro} [k], {@code H_diag}, {@code prev_flat_grad} and {@code prev_loss},
 * with k the pairs in the history. It takes about {@code (2 historySize + 3) n} elements of memory besides the
 * closure's.
 */
public final class LBFGS extends Optimizer {
    /** PyTorch's default learning rate, for a group that sets none. */
    public static final double DEFAULT_LR = 1;
    /** The line search by strong Wolfe conditions, PyTorch's {@code line_search_fn="strong_wolfe"}. */
    public static final String STRONG_WOLFE = "strong_wolfe";
    /** No line search: steps of the learning rate. */
    public static final String NO_LINE_SEARCH = "none";
    /** A curvature pair enters the history only when y . s exceeds this. */
    private static final double MIN_CURVATURE = 1e-10;
    /**
     * The line search's own tolerance on the bracket's width, PyTorch's {@code _strong_wolfe} default: its LBFGS
     * does not pass on {@code tolerance_change}, so {@link #toleranceChange} leaves the line search alone.
     */
    private static final double LINE_SEARCH_TOLERANCE = 1e-9;
    private static final List<String> STATE_NAMES = List.of("func_evals", "n_iter", "d", "t", "old_dirs", "old_stps",
            "ro", "H_diag", "prev_flat_grad", "prev_loss");
    private static final String STATE_PREFIX = "state.";

    private final FlatParameters flat;
    private int maxIter = 20;
    /** Null: maxIter * 5 / 4. */
    private Integer maxEval;
    private double toleranceGrad = 1e-7;
    private double toleranceChange = 1e-9;
    private int historySize = 100;
    private boolean strongWolfe;

    // The state, kept across steps.
    private long funcEvals;
    private long nIter;
    /** The last direction d [n], or null before the first iteration. */
    private Tensor direction;
    private double stepLength;
    private double hDiag;
    /** The gradient [n] at the start of the last iteration, or null before the first. */
    private Tensor previousGradient;
    private double previousLoss;
    private CurvatureHistory history = new CurvatureHistory();
    /** Copies of the state for {@link #stateDict()}, made on demand and dropped when the state changes. */
    private final Map<String, Tensor> exported = new LinkedHashMap<>();

    /** L-BFGS over {@code params} with learning rate {@code lr} ({@link #DEFAULT_LR} is PyTorch's). */
    public LBFGS(List<Tensor> params, double lr) {
        this(oneGroup(params, lr));
    }

    /**
     * L-BFGS over one parameter group (a group without a learning rate gets {@link #DEFAULT_LR}); more than one, or a
     * weight decay, is refused, as PyTorch refuses them.
     */
    public LBFGS(List<ParamGroup> groups) {
        super(oneGroupOnly(groups), DEFAULT_LR, 0);
        checkSettings();
        DType dtype = params().get(0).dtype();
        for (Tensor p : params()) {
            if (p.dtype() != dtype) {
                throw new IllegalArgumentException("LBFGS: all parameters must have one dtype, got " + dtype + " and "
                        + p.dtype() + " (for " + p.shape() + ")");
            }
        }
        this.flat = new FlatParameters(params());
    }

    private static List<ParamGroup> oneGroupOnly(List<ParamGroup> groups) {
        if (groups != null && groups.size() > 1) {
            throw new IllegalArgumentException("LBFGS: takes one parameter group (PyTorch's has no per-group options),"
                    + " got " + groups.size());
        }
        return groups;
    }

    // ---- Settings ---------------------------------------------------------------------------------

    /** Sets the most iterations per step (at least 1; default 20); returns this. */
    public LBFGS maxIter(int maxIter) {
        this.maxIter = atLeastOne("maxIter", maxIter);
        return this;
    }

    /**
     * Sets the most closure evaluations per step (at least 1; by default {@code maxIter * 5 / 4}, following
     * {@link #maxIter}); returns this. A step checks it after each iteration, so a line search may pass it.
     */
    public LBFGS maxEval(int maxEval) {
        this.maxEval = atLeastOne("maxEval", maxEval);
        return this;
    }

    /** Sets the largest |gradient element| at which a step stops as converged (default 1e-7); returns this. */
    public LBFGS toleranceGrad(double toleranceGrad) {
        this.toleranceGrad = tolerance("toleranceGrad", toleranceGrad);
        return this;
    }

    /**
     * Sets the change of loss, step or slope below which a step stops (default 1e-9; the line search keeps its own
     * 1e-9, as PyTorch's); returns this.
     */
    public LBFGS toleranceChange(double toleranceChange) {
        this.toleranceChange = tolerance("toleranceChange", toleranceChange);
        return this;
    }

    /** Sets the curvature pairs kept (at least 1; default 100); returns this. */
    public LBFGS historySize(int historySize) {
        this.historySize = atLeastOne("historySize", historySize);
        return this;
    }

    /**
     * Sets the line search: {@link #STRONG_WOLFE} ({@code "strong_wolfe"}), or {@link #NO_LINE_SEARCH}
     * ({@code "none"}, the default) or null for steps of the learning rate; returns this.
     */
    public LBFGS lineSearch(String name) {
        if (name != null && !name.equals(STRONG_WOLFE) && !name.equals(NO_LINE_SEARCH)) {
            throw new IllegalArgumentException("LBFGS: line search must be \"" + STRONG_WOLFE + "\", \""
                    + NO_LINE_SEARCH + "\" or null, got \"" + name + "\"");
        }
        this.strongWolfe = STRONG_WOLFE.equals(name);
        return this;
    }

    public int maxIter() {
        return maxIter;
    }

    public int maxEval() {
        return maxEval != null ? maxEval : maxIter * 5 / 4;
    }

    public double toleranceGrad() {
        return toleranceGrad;
    }

    public double toleranceChange() {
        return toleranceChange;
    }

    public int historySize() {
        return historySize;
    }

    /** {@link #STRONG_WOLFE} or {@link #NO_LINE_SEARCH}. */
    public String lineSearch() {
        return strongWolfe ? STRONG_WOLFE : NO_LINE_SEARCH;
    }

    private static int atLeastOne(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("LBFGS: " + what + " must be at least 1, got " + value);
        }
        return value;
    }

    private static double tolerance(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("LBFGS: " + what + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    @Override
    protected void checkSettings() {
        double weightDecay = groups().get(0).weightDecay();
        if (weightDecay != 0) {
            throw new IllegalArgumentException("LBFGS: has no weight decay (PyTorch's has none), got " + weightDecay
                    + " for its parameter group");
        }
    }

    // ---- The step ---------------------------------------------------------------------------------

    /** True: L-BFGS steps with {@link #step(LossClosure)}. */
    @Override
    public boolean needsClosure() {
        return true;
    }

    /**
     * Runs up to {@link #maxIter} iterations, evaluating {@code closure} once at the start, once after each iteration
     * without a line search, and as often as the line search needs with one; returns the loss of the first
     * evaluation, at the parameters as they were (PyTorch's {@code orig_loss}). The closure runs with gradients on,
     * as PyTorch's, also inside {@code Autograd.noGrad()}. Every evaluation and temporary is released before it
     * returns.
     */
    @Override
    public double step(LossClosure closure) {
        checkOpen("step");
        checkSettings();
        dropExported();
        try (Scope s = Scope.open()) {
            double originalLoss = lossOf(closure);
            Tensor gradient = flat.gradient();
            funcEvals++;
            if (FlatParameters.maxAbs(gradient) > toleranceGrad) {
                iterate(closure, originalLoss, gradient);
            }
            return originalLoss;
        }
    }

    /** The iterations of one step from the loss and flat gradient at its start ({@code gradient} is overwritten). */
    private void iterate(LossClosure closure, double startLoss, Tensor gradient) {
        double loss = startLoss;
        int evaluations = 1;
        for (int iteration = 1; iteration <= maxIter; iteration++) {
            nIter++;
            try (Scope s = Scope.open()) {
                updateDirection(gradient);
                previousGradient.assign(gradient);
                previousLoss = loss;
                stepLength = nIter == 1 ? firstStepScale(gradient) * learningRate() : learningRate();
                double gtd = FlatParameters.dot(gradient, direction);
                if (gtd > -toleranceChange) {
                    return;
                }
                int lineEvaluations = 0;
                boolean converged = false;
                if (strongWolfe) {
                    List<Tensor> start = flat.copies();
                    StrongWolfe.Result found = StrongWolfe.search(t -> evaluateAlong(closure, start, t), stepLength,
                            direction, loss, gradient, gtd, LINE_SEARCH_TOLERANCE);
                    loss = found.loss();
                    gradient.assign(found.gradient());
                    stepLength = found.t();
                    lineEvaluations = found.evaluations();
                    flat.addScaled(stepLength, direction);
                    converged = FlatParameters.maxAbs(gradient) <= toleranceGrad;
                } else {
                    flat.addScaled(stepLength, direction);
                    // The last iteration does not evaluate the new point: the next step starts by doing so.
                    if (iteration != maxIter) {
                        loss = lossOf(closure);
                        gradient.assign(flat.gradient());
                        converged = FlatParameters.maxAbs(gradient) <= toleranceGrad;
                        lineEvaluations = 1;
                    }
                }
                evaluations += lineEvaluations;
                funcEvals += lineEvaluations;
                if (evaluations >= maxEval() || converged
                        || FlatParameters.maxAbs(direction) * Math.abs(stepLength) <= toleranceChange
                        || Math.abs(loss - previousLoss) < toleranceChange) {
                    return;
                }
            }
        }
    }

    /** PyTorch's {@code min(1, 1 / sum|g|)}, which keeps the very first step, along -g, at most 1 in L1 norm. */
    private static double firstStepScale(Tensor gradient) {
        double scale = 1 / FlatParameters.sumAbs(gradient);
        return scale < 1 ? scale : 1;
    }

    /**
     * Sets the direction for this iteration from the flat gradient: -g on the very first iteration, which starts an
     * empty history; otherwise the last step's curvature pair enters the history (if y . s is large enough) and the
     * two-loop recursion gives -H g.
     */
    private void updateDirection(Tensor gradient) {
        if (nIter == 1) {
            direction = direction != null ? direction : Updates.stateLike(gradient);
            previousGradient = previousGradient != null ? previousGradient : Updates.stateLike(gradient);
            direction.assign(gradient.neg());
            history.clear();
            hDiag = 1;
            return;
        }
        Tensor y = gradient.sub(previousGradient);
        Tensor s = direction.mul(stepLength);
        double ys = FlatParameters.dot(y, s);
        if (ys > MIN_CURVATURE) {
            history.add(y, s, 1 / ys, historySize);
            hDiag = ys / FlatParameters.dot(y, y);
        }
        direction.assign(history.direction(gradient, hDiag));
    }

    /** The line search's objective: the loss and flat gradient at x + t d, leaving the parameters at x. */
    private StrongWolfe.Point evaluateAlong(LossClosure closure, List<Tensor> start, double t) {
        flat.addScaled(t, direction);
        double loss = lossOf(closure);
        Tensor gradient = flat.gradient();
        flat.set(start);
        return new StrongWolfe.Point(loss, gradient);
    }

    @Override
    protected Set<String> stateNames() {
        return Set.copyOf(STATE_NAMES);
    }

    // ---- State dict -------------------------------------------------------------------------------

    /**
     * The state by flat name, as {@link Optimizer#stateDict()}: {@code state.0.<name>} for each of PyTorch's names
     * (none before the first step; only {@code func_evals} and {@code n_iter} until the first iteration), counts as
     * one-element I64, numbers and {@code ro} as F64, vectors in the parameters' dtype; then the group's
     * {@code lr} and {@code weight_decay}. The state tensors are copies, which stay valid until the next step, load
     * or close.
     */
    @Override
    public Map<String, Tensor> stateDict() {
        checkOpen("stateDict");
        if (exported.isEmpty() && funcEvals > 0) {
            Scope.outside(this::export);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        exported.forEach((name, t) -> out.put(STATE_PREFIX + "0." + name, t));
        out.putAll(super.stateDict());
        return out;
    }

    private Void export() {
        exported.put("func_evals", Tensor.fromArray(new long[] {funcEvals}, 1));
        exported.put("n_iter", Tensor.fromArray(new long[] {nIter}, 1));
        if (nIter == 0) {
            return null;
        }
        int k = history.size();
        exported.put("d", direction.copy());
        exported.put("t", Tensor.fromArray(new double[] {stepLength}, 1));
        exported.put("old_dirs", rows(history.gradientChanges()));
        exported.put("old_stps", rows(history.steps()));
        exported.put("ro", Tensor.fromArray(history.rhos(), k));
        exported.put("H_diag", Tensor.fromArray(new double[] {hDiag}, 1));
        exported.put("prev_flat_grad", previousGradient.copy());
        exported.put("prev_loss", Tensor.fromArray(new double[] {previousLoss}, 1));
        return null;
    }

    /** The vectors as the rows of a matrix [k, n] (k may be 0). */
    private Tensor rows(List<Tensor> vectors) {
        return vectors.isEmpty() ? Tensor.zeros(direction.dtype(), 0, flat.size()) : Tensor.stack(vectors, 0);
    }

    private void dropExported() {
        exported.values().forEach(Tensor::close);
        exported.clear();
    }

    /**
     * Replaces the state by {@code state} (as {@link #stateDict()} wrote it, for parameters of the same sizes):
     * without {@code state.0.*} entries the next step starts afresh. Problems are all reported at once, and then
     * nothing is loaded; the given tensors are not kept.
     */
    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        checkOpen("loadStateDict");
        Map<String, Tensor> own = checked(state);
        LoadedState loaded = copied(own);
        super.loadStateDict(othersThanOwn(state));
        dropExported();
        install(loaded);
    }

    @Override
    public void checkStateDict(Map<String, Tensor> state) {
        checkOpen("checkStateDict");
        checked(state);
    }

    private static Map<String, Tensor> othersThanOwn(Map<String, Tensor> state) {
        Map<String, Tensor> others = new LinkedHashMap<>(state);
        others.keySet().removeIf(key -> key.startsWith(STATE_PREFIX));
        return others;
    }

    /** The {@code state.0.*} entries of {@code state} by name; throws listing every problem of the whole state. */
    private Map<String, Tensor> checked(Map<String, Tensor> state) {
        List<String> problems = new ArrayList<>();
        Map<String, Tensor> own = new LinkedHashMap<>();
        state.forEach((key, t) -> {
            if (!key.startsWith(STATE_PREFIX)) {
                return;
            }
            String name = key.substring(STATE_PREFIX.length() + 2);
            if (!key.startsWith(STATE_PREFIX + "0.")) {
                problems.add(key + ": LBFGS keeps its state under parameter 0 (state.0.<name>), as PyTorch does");
            } else if (!STATE_NAMES.contains(name)) {
                problems.add(key + ": LBFGS keeps " + STATE_NAMES + ", not '" + name + "'");
            } else if (t == null || t.isClosed()) {
                problems.add(key + ": tensor is null or closed");
            } else {
                own.put(name, t);
            }
        });
        if (!own.isEmpty()) {
            new StateCheck(own, problems).run();
        }
        perParameter(othersThanOwn(state), problems);
        refuseState(problems);
        return own;
    }

    /** The checks of a state's entries, each against the parameters and against the others. */
    private final class StateCheck {
        private final Map<String, Tensor> own;
        private final List<String> problems;

        StateCheck(Map<String, Tensor> own, List<String> problems) {
            this.own = own;
            this.problems = problems;
        }

        void run() {
            long iterations = count("n_iter");
            count("func_evals");
            Set<String> missing = new TreeSet<>(iterations == 0 ? List.of("func_evals", "n_iter") : STATE_NAMES);
            missing.removeAll(own.keySet());
            if (!missing.isEmpty()) {
                problems.add("state.0: missing " + missing);
            }
            if (iterations == 0) {
                if (own.size() > 2) {
                    problems.add("state.0: n_iter 0 (no iteration yet) goes with func_evals alone, got "
                            + own.keySet());
                }
                return;
            }
            int n = flat.size();
            vector("d", n);
            vector("prev_flat_grad", n);
            int dirs = matrixRows("old_dirs", n);
            int stps = matrixRows("old_stps", n);
            int rhos = vector("ro", -1);
            if (dirs >= 0 && stps >= 0 && rhos >= 0 && (dirs != stps || dirs != rhos)) {
                problems.add("state.0: old_dirs " + own.get("old_dirs").shape() + ", old_stps "
                        + own.get("old_stps").shape() + " and ro " + own.get("ro").shape()
                        + " must hold the same number of pairs");
            } else if (dirs > historySize) {
                problems.add("state.0.old_dirs: " + dirs + " pairs, more than the history size " + historySize);
            }
            for (String name : List.of("t", "H_diag", "prev_loss")) {
                number(name);
            }
        }

        /** The count {@code name} (0 when absent or refused). */
        private long count(String name) {
            Tensor t = own.get(name);
            if (t == null) {
                return 0;
            }
            long value = t.size() == 1 ? t.toLongArray()[0] : -1;
            if (value < 0) {
                problems.add("state.0." + name + ": expected one element >= 0, got " + t.shape()
                        + (t.size() == 1 ? " holding " + value : ""));
            }
            return Math.max(value, 0);
        }

        /** The length of the vector {@code name} ({@code n} unless negative), or -1 when absent or refused. */
        private int vector(String name, int n) {
            Tensor t = own.get(name);
            if (t == null) {
                return -1;
            }
            if (!t.dtype().isFloating() || t.rank() != 1 || (n >= 0 && t.dim(0) != n)) {
                problems.add("state.0." + name + ": " + t.dtype() + " " + t.shape() + ", expected F32 or F64 ["
                        + (n >= 0 ? n + "] (the parameters' elements)" : "k]"));
                return -1;
            }
            return t.dim(0);
        }

        /** The rows of the matrix {@code name} [k, n], or -1 when absent or refused. */
        private int matrixRows(String name, int n) {
            Tensor t = own.get(name);
            if (t == null) {
                return -1;
            }
            if (!t.dtype().isFloating() || t.rank() != 2 || t.dim(1) != n) {
                problems.add("state.0." + name + ": " + t.dtype() + " " + t.shape() + ", expected F32 or F64 [k, " + n
                        + "]");
                return -1;
            }
            return t.dim(0);
        }

        private void number(String name) {
            Tensor t = own.get(name);
            if (t != null && (t.size() != 1 || !t.dtype().isFloating() || !Double.isFinite(t.item()))) {
                problems.add("state.0." + name + ": " + t.dtype() + " " + t.shape() + ", expected one finite F32 or"
                        + " F64 number");
            }
        }
    }

    /** A checked state, copied outside every scope: the source may be this optimizer's own {@link #stateDict()}. */
    private record LoadedState(long funcEvals, long nIter, Tensor direction, double stepLength,
                               CurvatureHistory history, double hDiag, Tensor previousGradient, double previousLoss) {
    }

    private LoadedState copied(Map<String, Tensor> own) {
        if (own.isEmpty()) {
            return new LoadedState(0, 0, null, 0, new CurvatureHistory(), 0, null, 0);
        }
        long evals = own.get("func_evals").toLongArray()[0];
        long iterations = own.get("n_iter").toLongArray()[0];
        if (iterations == 0) {
            return new LoadedState(evals, 0, null, 0, new CurvatureHistory(), 0, null, 0);
        }
        try (Scope s = Scope.open()) {
            DType dtype = params().get(0).dtype();
            Tensor dirs = own.get("old_dirs").to(dtype);
            Tensor stps = own.get("old_stps").to(dtype);
            double[] rhos = own.get("ro").toDoubleArray();
            CurvatureHistory loaded = new CurvatureHistory();
            for (int i = 0; i < rhos.length; i++) {
                loaded.add(dirs.narrow(0, i, 1).reshape(-1), stps.narrow(0, i, 1).reshape(-1), rhos[i], historySize);
            }
            return new LoadedState(evals, iterations, unscoped(own.get("d").to(dtype)), own.get("t").item(), loaded,
                    own.get("H_diag").item(), unscoped(own.get("prev_flat_grad").to(dtype)),
                    own.get("prev_loss").item());
        }
    }

    private static Tensor unscoped(Tensor t) {
        return Updates.stateLike(t).assign(t);
    }

    private void install(LoadedState loaded) {
        releaseState();
        funcEvals = loaded.funcEvals();
        nIter = loaded.nIter();
        direction = loaded.direction();
        stepLength = loaded.stepLength();
        history = loaded.history();
        hDiag = loaded.hDiag();
        previousGradient = loaded.previousGradient();
        previousLoss = loaded.previousLoss();
    }

    private void releaseState() {
        history.close();
        if (direction != null) {
            direction.close();
        }
        if (previousGradient != null) {
            previousGradient.close();
        }
    }

    /** Releases the history, the direction and the saved gradient; the optimizer cannot be used afterwards. */
    @Override
    public void close() {
        releaseState();
        dropExported();
        super.close();
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("max_iter", maxIter);
        s.put("max_eval", maxEval());
        s.put("tolerance_grad", toleranceGrad);
        s.put("tolerance_change", toleranceChange);
        s.put("history_size", historySize);
        s.put("line_search_fn", strongWolfe ? "strong_wolfe" : "none");
        return s;
    }
}
