package dev.kiln.optim;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.SparseRows;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import dev.kiln.nn.UninitializedParameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Updates parameters from their gradients, group by group ({@link ParamGroup}), as PyTorch's
 * {@code torch.optim} does. One training step:
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     optimizer.zeroGrad();
 *     loss(model.forward(x), y).backward();
 *     optimizer.step();
 * }
 * }</pre>
 * {@link #step()} skips parameters that are frozen ({@code requiresGrad} false) or have no gradient. An optimizer
 * that re-evaluates the loss during a step ({@link LBFGS}; {@link #needsClosure()}) steps with
 * {@link #step(LossClosure)} instead, which any optimizer accepts.
 * Per-parameter state (moments, momentum buffers, step counts) lives outside every {@link Scope} until
 * {@link #close()}, and can be saved and restored with {@link #stateDict()} and {@link #loadStateDict} for
 * an exact resume.
 */
public abstract class Optimizer implements AutoCloseable {
    private static final Pattern STATE_KEY = Pattern.compile("state\\.(\\d+)\\.([A-Za-z_]+)");
    private static final Pattern GROUP_KEY = Pattern.compile("group\\.(\\d+)\\.(lr|weight_decay|initial_lr)");
    /** The state dict's key of {@link #momentumOrBeta1()}, which a schedule may move as it moves the rate. */
    static final String MOMENTUM_KEY = "momentum_or_beta1";
    /** PyTorch's {@code clip_grad_norm_} adds this to the norm before dividing. */
    private static final double CLIP_EPS = 1e-6;

    private final List<ParamGroup> groups;
    private final List<Tensor> params = new ArrayList<>();
    private final List<ParamState> states = new ArrayList<>();
    private final List<Tensor> groupTensors = new ArrayList<>();
    private boolean closed;
    private boolean maximize;

    /**
     * @param groups             parameter groups; a group without its own learning rate or weight decay
     *                           takes {@code defaultLr} or {@code defaultWeightDecay}
     */
    protected Optimizer(List<ParamGroup> groups, double defaultLr, double defaultWeightDecay) {
        String name = getClass().getSimpleName();
        if (groups == null || groups.isEmpty()) {
            throw new IllegalArgumentException(name + ": needs at least one parameter group");
        }
        this.groups = List.copyOf(groups);
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup g : this.groups) {
            g.applyDefaults(defaultLr, defaultWeightDecay);
            for (Tensor p : g.params()) {
                if (!seen.add(p)) {
                    throw new IllegalArgumentException(name + ": parameter " + p.shape() + " appears more than once"
                            + " (in one group or in several)");
                }
                if (!p.dtype().isFloating()) {
                    throw new IllegalArgumentException(name + ": parameters must be F32 or F64, got " + p.dtype()
                            + " for " + p.shape());
                }
                if (UninitializedParameter.is(p)) {
                    throw new IllegalArgumentException(name + ": parameter " + p.shape() + " is an uninitialized"
                            + " parameter of a lazy module (LazyLinear, LazyConv2d) until its first forward pass; run"
                            + " one forward pass before making the optimizer");
                }
                params.add(p);
                states.add(new ParamState());
            }
        }
        if (params.isEmpty()) {
            throw new IllegalArgumentException(name + ": got an empty parameter list (are all parameters frozen?)");
        }
    }

    /** One group holding {@code params} with learning rate {@code lr}, for the subclasses' constructors. */
    protected static List<ParamGroup> oneGroup(List<Tensor> params, double lr) {
        return List.of(new ParamGroup(params, lr));
    }

    // ---- The update -----------------------------------------------------------------------------

    /**
     * Updates every parameter that requires a gradient and has one, without recording gradients. Temporary
     * tensors are released before it returns.
     */
    public final void step() {
        checkOpen("step");
        if (needsClosure()) {
            String name = getClass().getSimpleName();
            throw new UnsupportedOperationException(name + ".step(): " + name + " re-evaluates the loss during a step;"
                    + " call step(LossClosure) with a closure that clears the gradients, computes the loss,"
                    + " backpropagates it and returns it");
        }
        checkSettings();
        checkGradients();
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            int index = 0;
            for (ParamGroup group : groups) {
                List<Tensor> stepped = new ArrayList<>();
                List<Tensor> grads = new ArrayList<>();
                List<ParamState> steppedStates = new ArrayList<>();
                for (Tensor p : group.params()) {
                    ParamState state = states.get(index++);
                    Tensor grad = p.grad();
                    SparseRows sparse = p.sparseGrad();
                    if (!p.requiresGrad() || grad == null && sparse == null) {
                        continue;
                    }
                    if (sparse != null) {
                        updateSparse(p, maximize ? sparse.withValues(sparse.values().neg()) : sparse, group, state);
                        continue;
                    }
                    stepped.add(p);
                    grads.add(maximize ? grad.neg() : grad);
                    steppedStates.add(state);
                }
                updateGroup(stepped, grads, group, steppedStates);
            }
        }
    }

    /**
     * Refuses, before any parameter moves, a gradient this optimizer cannot step ({@link #checkGradient}), and a
     * parameter with both a dense and a sparse gradient.
     */
    private void checkGradients() {
        for (ParamGroup group : groups) {
            for (Tensor p : group.params()) {
                boolean sparse = p.sparseGrad() != null;
                if (!p.requiresGrad() || p.grad() == null && !sparse) {
                    continue;
                }
                if (sparse && p.grad() != null) {
                    throw new IllegalStateException(getClass().getSimpleName() + ".step(): parameter " + p.shape()
                            + " has both a dense gradient and a sparse one (from an Embedding or EmbeddingBag with sparse"
                            + " gradients); where other ops use the table too, look it up with dense gradients");
                }
                checkGradient(p, sparse, group);
            }
        }
    }

    /**
     * Throws when this optimizer cannot step {@code param}'s gradient in {@code group}: by default a sparse one
     * ({@link Tensor#sparseGrad()}), as PyTorch's dense optimizers refuse it. An optimizer that steps sparse gradients
     * ({@link #updateSparse}) overrides this.
     *
     * @throws UnsupportedOperationException naming this optimizer, the parameter and what steps it instead
     */
    protected void checkGradient(Tensor param, boolean sparse, ParamGroup group) {
        if (sparse) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support sparse gradients:"
                    + " parameter " + param.shape() + " has one, from an Embedding or EmbeddingBag with sparse"
                    + " gradients; step it with SparseAdam, SGD or AdaGrad, or look it up with dense gradients");
        }
    }

    /**
     * Updates {@code param} in place from its sparse gradient {@code grad} (negated under {@link #maximize()}), as
     * {@link #update} does from a dense one; for optimizers whose {@link #checkGradient} accepts sparse gradients.
     *
     * @throws UnsupportedOperationException naming this optimizer, which does not override it
     */
    protected void updateSparse(Tensor param, SparseRows grad, ParamGroup group, ParamState state) {
        throw new UnsupportedOperationException(this + ": accepts a sparse gradient but does not override updateSparse");
    }

    /**
     * PyTorch's {@code step(closure)}: evaluates {@code closure} once, inside a scope of its own, then {@link #step()}s
     * on the gradients it left; returns the loss it returned. {@link LBFGS} overrides it to evaluate the closure as
     * often as its line search needs.
     */
    public double step(LossClosure closure) {
        checkOpen("step");
        double loss = lossOf(closure);
        step();
        return loss;
    }

    /** Whether {@link #step()} climbs the objective instead of descending it (PyTorch's {@code maximize}). */
    public boolean maximize() {
        return maximize;
    }

    /**
     * Climbs the objective instead of descending it, as PyTorch's {@code maximize=True}: {@link #step()} hands the
     * update the negated gradient (the parameter's own gradient is left as it is), before weight decay and every
     * other term, as PyTorch negates it. For the optimizers whose public setter calls this (SGD, the Adam family).
     */
    protected final void setMaximize(boolean maximize) {
        this.maximize = maximize;
    }

    /** True when steps need {@link #step(LossClosure)} (L-BFGS's do); {@link #step()} then refuses. */
    public boolean needsClosure() {
        return false;
    }

    /**
     * Calls {@code closure} with gradients on (also inside {@code Autograd.noGrad()}, as PyTorch's
     * {@code torch.enable_grad()} around it) and inside a scope of its own, which releases what it made (its graph, its
     * loss), and returns the loss it returned; refused unless that is one element.
     */
    protected final double lossOf(LossClosure closure) {
        String name = getClass().getSimpleName();
        if (closure == null) {
            throw new IllegalArgumentException(name + ".step: the closure must not be null");
        }
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.enableGrad()) {
            Tensor loss = closure.evaluate();
            if (loss == null || loss.size() != 1) {
                throw new IllegalArgumentException(name + ".step: the closure must return the loss, one element; got "
                        + (loss == null ? "null" : "shape " + loss.shape()));
            }
            return loss.item();
        }
    }

    /**
     * Updates one parameter in place from its gradient (never modified) and its state, with the group's
     * learning rate and weight decay. Runs with gradients off inside a scope of its own; state tensors
     * come from {@link ParamState#getOrZeros}, which makes them outside every scope. An optimizer overrides this or
     * {@link #updateGroup}; one that steps only with a closure ({@link LBFGS}, see {@link #needsClosure}) neither.
     *
     * @throws UnsupportedOperationException naming this optimizer, which overrides neither
     */
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        throw new UnsupportedOperationException(this + ": an optimizer steps each parameter by overriding update, or a"
                + " group of them by overriding updateGroup; this one overrides neither");
    }

    /**
     * Updates the parameters of one group that have gradients, {@code params[i]} from {@code grads[i]} and
     * {@code states[i]}, as {@link #update} does one; by default one at a time. An optimizer with a
     * multi-tensor update overrides this to step them together.
     */
    protected void updateGroup(List<Tensor> params, List<Tensor> grads, ParamGroup group, List<ParamState> states) {
        for (int i = 0; i < params.size(); i++) {
            update(params.get(i), grads.get(i), group, states.get(i));
        }
    }

    /**
     * The names each stepped parameter keeps in its state, "step" among them when the optimizer counts
     * steps; {@link #loadStateDict} accepts exactly these.
     */
    protected abstract Set<String> stateNames();

    /**
     * The names among {@link #stateNames()} that are one number per parameter (kept by {@link ParamState#number}),
     * not a tensor of the parameter's shape; none by default.
     */
    protected Set<String> numberNames() {
        return Set.of();
    }

    /** Checks settings that only make sense together (called by {@link #step()}); throws if they do not. */
    protected void checkSettings() {
    }

    /**
     * Forgets every gradient (PyTorch's {@code zero_grad(set_to_none=True)}): the next backward pass makes
     * new ones, and parameters it does not reach keep none, so {@link #step()} leaves them alone.
     */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.clearGrad();
        }
    }

    /**
     * PyTorch's {@code zero_grad(set_to_none)}: true is {@link #zeroGrad()}; false (PyTorch 1.13's default) zeros
     * every dense gradient in place and leaves every sparse one without entries ({@link Tensor#zeroGrad()}), so that
     * {@link #step()} still steps those parameters: Adam and SparseAdam count a step, momentum still moves them.
     */
    public void zeroGrad(boolean setToNone) {
        for (Tensor p : params) {
            if (setToNone) {
                p.clearGrad();
            } else {
                p.zeroGrad();
            }
        }
    }

    // ---- Groups and learning rate -----------------------------------------------------------------

    /** The parameter groups, in order (the list is unmodifiable; each group's settings can change). */
    public List<ParamGroup> groups() {
        return groups;
    }

    /** Every parameter, in group order: index i is the "i" of the state dict's "state.i.*" entries. */
    public List<Tensor> params() {
        return Collections.unmodifiableList(params);
    }

    /** The learning rate of the first group (of every group, unless they were given different ones). */
    public double learningRate() {
        return groups.get(0).lr();
    }

    /** Sets the learning rate of every group. */
    public void setLearningRate(double lr) {
        for (ParamGroup g : groups) {
            g.setLr(lr);
        }
    }

    /**
     * The settings that shape this optimizer's steps besides what {@link #stateDict} keeps (each group's rate and
     * weight decay, {@link #momentumOrBeta1}), by the names of PyTorch's {@code param_groups}: what a run resumed from
     * that state must share with the run that saved it to go on as it would have, which
     * {@code dev.kiln.train.Trainer#resume} checks. PyTorch's {@code load_state_dict} takes them from the checkpoint
     * instead; here the optimizer is built with them, so a different one is named rather than silently replaced.
     * Subclasses add theirs to {@code super.settings()}.
     */
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("maximize", maximize);
        return s;
    }

    /**
     * What a cyclical schedule moves against the learning rate, where PyTorch's {@code OneCycleLR} finds it: the
     * momentum of SGD and RMSProp, beta1 of the Adam family; empty for an optimizer with neither (AdaGrad, Adadelta).
     */
    public OptionalDouble momentumOrBeta1() {
        return OptionalDouble.empty();
    }

    /**
     * Sets what {@link #momentumOrBeta1()} reads.
     *
     * @throws UnsupportedOperationException where it is empty
     */
    public void setMomentumOrBeta1(double value) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no momentum or beta1 to set");
    }

    /** Sets the weight decay of every group. */
    protected void setWeightDecayOfAllGroups(double weightDecay) {
        for (ParamGroup g : groups) {
            g.setWeightDecay(weightDecay);
        }
    }

    /** The state of parameter {@code index} (see {@link #params()}). */
    protected ParamState state(int index) {
        return states.get(index);
    }

    // ---- State dict -------------------------------------------------------------------------------

    /**
     * The optimizer's state by flat name, for checkpoints: {@code state.<i>.<name>} for each stepped
     * parameter i (in {@link #params()} order) and each name of {@link #stateNames()}, with
     * {@code state.<i>.step} a one-element I64 tensor and each of {@link #numberNames()} a one-element F64
     * tensor; then {@code group.<g>.lr} and {@code group.<g>.weight_decay} as one-element F64 tensors, with
     * {@code group.<g>.initial_lr} once a schedule has recorded it ({@link ParamGroup#initialLr()}, saved as PyTorch
     * saves it, so that a schedule made after loading takes the run's first rate), and where
     * the optimizer has one, {@link #momentumOrBeta1()} as {@code momentum_or_beta1} (PyTorch keeps both in its
     * {@code param_groups}: a schedule such as {@code OneCycleLR} moves them, and a resumed run continues). The
     * tensors are the optimizer's own (like {@code Module.stateDict()}): do not close them, and copy them to
     * keep a snapshot past the next {@link #step()}.
     */
    public Map<String, Tensor> stateDict() {
        checkOpen("stateDict");
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean counts = stateNames().contains("step");
        for (int i = 0; i < params.size(); i++) {
            ParamState state = states.get(i);
            if (state.isEmpty()) {
                continue;
            }
            String prefix = "state." + i + ".";
            if (counts) {
                out.put(prefix + "step", state.stepTensor());
            }
            state.numbers().keySet().forEach(name -> out.put(prefix + name, state.numberTensor(name)));
            state.tensors().forEach((name, t) -> out.put(prefix + name, t));
        }
        try (Scope s = Scope.open()) {
            for (int g = 0; g < groups.size(); g++) {
                ParamGroup group = groups.get(g);
                out.put("group." + g + ".lr", groupTensor(3 * g, group.lr()));
                out.put("group." + g + ".weight_decay", groupTensor(3 * g + 1, group.weightDecay()));
                if (group.recordsInitialLr()) {
                    out.put("group." + g + ".initial_lr", groupTensor(3 * g + 2, group.initialLr()));
                }
            }
            OptionalDouble momentum = momentumOrBeta1();
            if (momentum.isPresent()) {
                out.put(MOMENTUM_KEY, groupTensor(3 * groups.size(), momentum.getAsDouble()));
            }
        }
        return out;
    }

    private Tensor groupTensor(int slot, double value) {
        Tensor v = Tensor.fromArray(new double[] {value}, 1);
        while (groupTensors.size() <= slot) {
            groupTensors.add(Updates.stateLike(v));
        }
        return groupTensors.get(slot).assign(v);
    }

    /**
     * Replaces the whole state by {@code state} (as written by {@link #stateDict()}, for the same
     * parameters in the same order): per-parameter state is copied (converted to the parameter's dtype),
     * parameters without entries start afresh, and group entries set the groups' learning rate, weight decay and
     * initial rate. Every problem is reported at once in an {@link IllegalArgumentException} and then nothing is
     * loaded. The given tensors are not kept: the caller may close them. {@code state} may be this optimizer's
     * own {@link #stateDict()}.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        checkOpen("loadStateDict");
        Map<Integer, Map<String, Tensor>> perParam = checkedPerParameter(state);
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            // Every value is copied before any state is released: the source may be this optimizer's own tensors.
            List<ParamState> loaded = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                loaded.add(copied(perParam.get(i), params.get(i)));
            }
            List<Runnable> groupSettings = new ArrayList<>();
            state.forEach((key, t) -> {
                Matcher gm = GROUP_KEY.matcher(key);
                if (gm.matches()) {
                    ParamGroup group = groups.get(parseIndex(gm.group(1)));
                    double v = t.item();
                    groupSettings.add(switch (gm.group(2)) {
                        case "lr" -> () -> group.setLr(v);
                        case "weight_decay" -> () -> group.setWeightDecay(v);
                        default -> () -> group.restoreInitialLr(v);
                    });
                }
            });
            Tensor momentum = state.get(MOMENTUM_KEY);
            if (momentum != null) {
                setMomentumOrBeta1(momentum.item());
            }
            for (int i = 0; i < params.size(); i++) {
                states.set(i, loaded.get(i)).clear();
            }
            groupSettings.forEach(Runnable::run);
        }
    }

    /**
     * Throws the {@link IllegalArgumentException} that {@link #loadStateDict} would throw for {@code state}, and
     * loads nothing: for checking every part of a checkpoint before loading any of it.
     */
    public void checkStateDict(Map<String, Tensor> state) {
        checkOpen("checkStateDict");
        checkedPerParameter(state);
    }

    /** Adds what is wrong with {@code t} as this optimizer's {@link #MOMENTUM_KEY} entry to {@code problems}. */
    private void checkMomentum(Tensor t, List<String> problems) {
        if (momentumOrBeta1().isEmpty()) {
            problems.add(MOMENTUM_KEY + ": " + getClass().getSimpleName() + " has no momentum or beta1");
        } else if (t.size() != 1) {
            problems.add(MOMENTUM_KEY + ": shape " + t.shape() + ", expected one element");
        } else {
            checkWithSetter(t.item(), problems);
        }
    }

    /**
     * Adds what {@link #setMomentumOrBeta1} says against {@code value} (finite and at least 0; the Adam family's beta1
     * below 1) to {@code problems}: the setter is tried and undone, so that a checked state never fails when loaded.
     */
    private void checkWithSetter(double value, List<String> problems) {
        double current = momentumOrBeta1().getAsDouble();
        try {
            setMomentumOrBeta1(value);
        } catch (IllegalArgumentException e) {
            problems.add(MOMENTUM_KEY + ": " + value + " refused: " + e.getMessage());
        } finally {
            setMomentumOrBeta1(current);
        }
    }

    /** A new state for {@code param} holding copies of {@code entries} (empty when null). */
    private ParamState copied(Map<String, Tensor> entries, Tensor param) {
        ParamState state = new ParamState();
        if (entries == null) {
            return state;
        }
        for (Map.Entry<String, Tensor> e : entries.entrySet()) {
            Tensor source = e.getValue();
            if (e.getKey().equals("step")) {
                state.setStep(source.toLongArray()[0]);
            } else if (numberNames().contains(e.getKey())) {
                state.setNumber(e.getKey(), source.item());
            } else {
                Tensor copy = Updates.stateLike(param);
                copy.assign(source.dtype() == param.dtype() ? source : source.to(param.dtype()));
                state.put(e.getKey(), copy);
            }
        }
        return state;
    }

    /** The per-parameter entries of {@code state} by parameter index; throws listing every problem. */
    private Map<Integer, Map<String, Tensor>> checkedPerParameter(Map<String, Tensor> state) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Map<String, Tensor>> perParam = perParameter(state, problems);
        refuseState(problems);
        return perParam;
    }

    /**
     * The per-parameter entries of {@code state} by parameter index, with what is wrong with any entry (a key that is
     * neither per-parameter nor a group's, too) added to {@code problems}.
     */
    Map<Integer, Map<String, Tensor>> perParameter(Map<String, Tensor> state, List<String> problems) {
        Set<String> names = stateNames();
        Set<String> numbers = numberNames();
        Map<Integer, Map<String, Tensor>> perParam = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            Matcher sm = STATE_KEY.matcher(key);
            Matcher gm = GROUP_KEY.matcher(key);
            if (t == null || t.isClosed()) {
                problems.add(key + ": tensor is null or closed");
            } else if (sm.matches()) {
                int i = parseIndex(sm.group(1));
                String name = sm.group(2);
                boolean oneElement = name.equals("step") || numbers.contains(name);
                if (i < 0 || i >= params.size()) {
                    problems.add(key + ": parameter index out of range [0, " + params.size() + ")");
                } else if (!names.contains(name)) {
                    problems.add(key + ": " + getClass().getSimpleName() + " keeps " + new TreeSet<>(names)
                            + " per parameter, not '" + name + "'");
                } else if (oneElement ? t.size() != 1 : !t.shape().equals(params.get(i).shape())) {
                    problems.add(key + ": shape " + t.shape() + ", expected "
                            + (oneElement ? "one element" : params.get(i).shape().toString()));
                } else if (!name.equals("step") && !t.dtype().isFloating()) {
                    problems.add(key + ": dtype " + t.dtype() + ", expected F32 or F64");
                } else if (name.equals("step") && t.toLongArray()[0] < 0) {
                    problems.add(key + ": negative step count " + t.toLongArray()[0]);
                } else if (numbers.contains(name) && !Double.isFinite(t.item())) {
                    problems.add(key + ": " + t.item() + " is not a finite number");
                } else {
                    perParam.computeIfAbsent(i, k -> new LinkedHashMap<>()).put(name, t);
                }
            } else if (gm.matches()) {
                int g = parseIndex(gm.group(1));
                if (g < 0 || g >= groups.size()) {
                    problems.add(key + ": group index out of range [0, " + groups.size() + ")");
                } else if (t.size() != 1) {
                    problems.add(key + ": shape " + t.shape() + ", expected one element");
                } else {
                    double v = t.item();
                    if (!(v >= 0) || Double.isInfinite(v)) {
                        problems.add(key + ": " + v + " is not a finite value >= 0");
                    }
                }
            } else if (key.equals(MOMENTUM_KEY)) {
                checkMomentum(t, problems);
            } else {
                problems.add(key + ": not an optimizer state key (state.<i>.<name>, group.<g>.lr|weight_decay|initial_lr or "
                        + MOMENTUM_KEY + ")");
            }
        }
        perParam.forEach((i, entries) -> {
            Set<String> missing = new TreeSet<>(names);
            missing.removeAll(entries.keySet());
            if (!missing.isEmpty()) {
                problems.add("state." + i + ": missing " + missing);
            }
        });
        return perParam;
    }

    /** Throws the {@link IllegalArgumentException} of {@link #loadStateDict} listing {@code problems}, if any. */
    void refuseState(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict: " + getClass().getSimpleName()
                    + " cannot load this state:\n  " + String.join("\n  ", problems));
        }
    }

    private static int parseIndex(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- Gradient clipping ------------------------------------------------------------------------

    /** {@link #clipGradNorm(List, double, double)} with the L2 norm, PyTorch's default {@code norm_type=2}. */
    public static Tensor clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /**
     * Scales the gradients of {@code params} together so that their joint p-norm is at most {@code maxNorm}
     * (PyTorch's {@code clip_grad_norm_(params, max_norm, norm_type)}: each gradient times
     * {@code min(1, maxNorm / (norm + 1e-6))}). The joint norm is the norm of all gradient elements as one vector:
     * {@code (sum |g|^p)^(1/p)}, or the largest |g| for {@code normType} {@link Double#POSITIVE_INFINITY}.
     * Parameters without a gradient are skipped; a sparse gradient ({@link Tensor#sparseGrad()}) counts with its
     * coalesced values, and its values are scaled, as PyTorch's. Nothing is read back to the host (but the positions
     * of a sparse gradient accumulated over several passes, which coalescing reads): the norm stays on the parameters'
     * device and every gradient is scaled (by exactly 1 when it is within bounds), so that on a GPU clipping never
     * waits for the device.
     *
     * @param normType p &gt; 0, or {@link Double#POSITIVE_INFINITY} for the max norm
     * @return the joint norm before clipping, an F64 scalar (read it with {@link Tensor#item()})
     */
    public static Tensor clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        checkClipGradNorm("clipGradNorm", maxNorm, normType);
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            List<Tensor> grads = params.stream().map(Tensor::grad).filter(Objects::nonNull).toList();
            List<SparseRows> sparse = params.stream().map(Tensor::sparseGrad).filter(Objects::nonNull).toList();
            if (grads.isEmpty() && sparse.isEmpty()) {
                return s.keep(Tensor.zeros(DType.F64));
            }
            // A sparse gradient's norm is that of its coalesced values, as PyTorch's: repeats add up first.
            List<Tensor> normed = new ArrayList<>(grads);
            sparse.forEach(sg -> normed.add(sg.coalesce().values()));
            Tensor norm = jointNorm(normed, normType);
            Tensor scale = norm.fullLike(maxNorm).div(norm.add(CLIP_EPS));
            Tensor coefficient = scale.minimum(scale.fullLike(1));
            Map<DType, Tensor> coefficientIn = new EnumMap<>(DType.class);
            List<Tensor> scaled = new ArrayList<>(grads);
            sparse.forEach(sg -> scaled.add(sg.values()));
            for (Tensor grad : scaled) {
                grad.assign(grad.mul(coefficientIn.computeIfAbsent(grad.dtype(), coefficient::to)));
            }
            return s.keep(norm);
        }
    }

    /**
     * Refuses arguments {@link #clipGradNorm(List, double, double)} would refuse, naming {@code caller}: for code that
     * takes them to clip later, so that a bad one fails where it is given.
     */
    public static void checkClipGradNorm(String caller, double maxNorm, double normType) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException(caller + ": maxNorm must be finite and > 0, got " + maxNorm);
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException(caller + ": normType must be > 0 or infinity, got " + normType);
        }
    }

    /** The p-norm of all elements of {@code grads} as one vector, an F64 scalar. */
    private static Tensor jointNorm(List<Tensor> grads, double normType) {
        if (Double.isInfinite(normType)) {
            return grads.stream().map(grad -> grad.abs().max().to(DType.F64)).reduce(Tensor::maximum).orElseThrow();
        }
        Tensor sum = grads.stream().map(grad -> powerSum(grad, normType)).reduce(Tensor::add).orElseThrow();
        return normType == 2 ? sum.sqrt() : sum.pow(1 / normType);
    }

    /** sum |g|^p in F64; the square for p = 2, its common case, needs no abs. */
    private static Tensor powerSum(Tensor grad, double normType) {
        Tensor powers = normType == 2 ? grad.square() : normType == 1 ? grad.abs() : grad.abs().pow(normType);
        return powers.sum().to(DType.F64);
    }

    /**
     * Clamps every gradient element of {@code params} to {@code [-clip, clip]} (PyTorch's
     * {@code clip_grad_value_}). Parameters without a gradient are skipped.
     *
     * @throws IllegalArgumentException for a parameter with a sparse gradient ({@link Tensor#sparseGrad()}), before
     *     any gradient is clamped
     */
    public static void clipGradValue(List<Tensor> params, double clip) {
        if (!(clip > 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("clipGradValue: clip must be finite and > 0, got " + clip);
        }
        for (Tensor p : params) {
            if (p.sparseGrad() != null) {
                throw new IllegalArgumentException("clipGradValue: parameter " + p.shape() + " has a sparse gradient"
                        + " (from an Embedding or EmbeddingBag with sparse gradients), whose repeated entries cannot be"
                        + " clamped element by element (PyTorch refuses it too); clip by norm (clipGradNorm)");
            }
        }
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            for (Tensor p : params) {
                Tensor grad = p.grad();
                if (grad != null) {
                    DType t = grad.dtype();
                    grad.assign(grad.maximum(Tensor.full(-clip, t)).minimum(Tensor.full(clip, t)));
                }
            }
        }
    }

    // ---- Lifetime ---------------------------------------------------------------------------------

    /** Releases the optimizer's state (not the parameters); the optimizer cannot be used afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        states.forEach(ParamState::clear);
        groupTensors.forEach(Tensor::close);
        groupTensors.clear();
    }

    /** Throws if this optimizer is closed, naming {@code op}. */
    protected final void checkOpen(String op) {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + "." + op + ": the optimizer is closed");
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + groups;
    }
}
