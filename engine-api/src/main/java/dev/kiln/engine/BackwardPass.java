package dev.kiln.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One walk of the recorded graph in reverse topological order, running each node's rule on its output's whole
 * gradient: {@link Tensor#backward(Tensor)}, whose leaves take their gradients in {@link Tensor#grad()};
 * {@link Autograd#grad}, which returns the gradients of the tensors asked for, touches no {@code grad()} and runs only
 * the nodes through which one of them is reached; and a {@link Checkpoint} segment's pass inside either.
 */
final class BackwardPass {
    /**
     * The pass running on this thread, if any: a checkpoint segment's pass inside one that leaves every
     * {@code grad()} alone hands its leaves' gradients back to it instead.
     */
    private static final ThreadLocal<BackwardPass> RUNNING = new ThreadLocal<>();

    /** A tensor made by an op before this serial stops the pass and takes what arrives; 0 stops nowhere. */
    private final long firstSerial;
    /** The tensors whose gradients {@link Autograd#grad} returns; null for the other passes. */
    private final Set<Tensor> targets;
    /** Whether leaves (and tensors that retain their gradient) take theirs in {@code grad()}. */
    private final boolean touchesGrad;
    private final boolean createGraph;
    private final PendingGradients pending;
    /** With targets: the tensors whose node the pass runs, those through which a target is reached. */
    private Set<Tensor> passingOn;
    private final Map<Tensor, Tensor> arrived = new IdentityHashMap<>();

    private BackwardPass(long firstSerial, Set<Tensor> targets, boolean touchesGrad, boolean createGraph) {
        this.firstSerial = firstSerial;
        this.targets = targets;
        this.touchesGrad = touchesGrad;
        this.createGraph = createGraph;
        this.pending = new PendingGradients(createGraph);
    }

    /** {@link Tensor#backward(Tensor)}: the leaves that {@code root} depends on take their gradients. */
    static void backward(Tensor root, Tensor gradient) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            new BackwardPass(0, null, true, false).run(List.of(root), List.of(gradient));
        }
    }

    /**
     * Back-propagates {@code gradient} through the tensors made since serial {@code firstSerial} alone and returns,
     * for each tensor made earlier by an op that the pass reaches, the gradient arriving there, instead of handing it
     * on through that op: the backward pass of a recomputed {@link Checkpoint} segment, whose input (when made by an
     * op) continues the pass outside. Leaves take theirs in {@link Tensor#grad()} as soon as the segment is done with
     * them, as without a checkpoint; inside a pass that leaves every {@code grad()} alone ({@link Autograd#grad}) the
     * leaves made earlier are returned too. The gradients returned are never closed here. Runs in the caller's
     * recording state, and records its own graph when that records ({@link Node#createsGraph()}).
     */
    static Map<Tensor, Tensor> gradientsOfEarlier(Tensor root, Tensor gradient, long firstSerial) {
        BackwardPass outer = RUNNING.get();
        boolean touchesGrad = outer == null || outer.touchesGrad;
        return new BackwardPass(firstSerial, null, touchesGrad, Node.createsGraph()).run(List.of(root),
                List.of(gradient));
    }

    /**
     * {@link Autograd#grad}: the gradients of {@code roots} (seeded with {@code gradients}) arriving at each of
     * {@code targets} that they reach, recorded as a graph of their own when {@code createGraph}.
     */
    static Map<Tensor, Tensor> gradients(List<Tensor> roots, List<Tensor> gradients, Set<Tensor> targets,
                                         boolean createGraph) {
        try (Autograd.Guard g = Autograd.setEnabled(createGraph)) {
            return new BackwardPass(0, targets, false, createGraph).run(roots, gradients);
        }
    }

    /**
     * The tensors made before serial {@code firstSerial} that require gradients and that {@code root}'s graph reaches
     * through tensors made since ({@code root} itself when it is one): the inputs of a {@link Checkpoint} segment.
     */
    static List<Tensor> earlierInputs(Tensor root, long firstSerial) {
        List<Tensor> earlier = new ArrayList<>();
        for (Tensor t : topologicalOrder(List.of(root), firstSerial, true)) {
            if (t.serial() < firstSerial) {
                earlier.add(t);
            }
        }
        return earlier;
    }

    private Map<Tensor, Tensor> run(List<Tensor> roots, List<Tensor> gradients) {
        BackwardPass outer = RUNNING.get();
        RUNNING.set(this);
        try {
            return walk(roots, gradients);
        } finally {
            RUNNING.set(outer);
        }
    }

    private Map<Tensor, Tensor> walk(List<Tensor> roots, List<Tensor> gradients) {
        // Autograd.grad checks only the nodes it runs: a node it never reaches may read what was freed since.
        List<Tensor> order = topologicalOrder(roots, firstSerial, targets == null);
        if (targets != null) {
            passingOn = passingOn(order, targets);
            for (Tensor t : passingOn) {
                t.gradFn().checkReadable(t);
            }
        }
        for (int k = 0; k < roots.size(); k++) {
            pending.add(roots.get(k), gradients.get(k));
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            Tensor g = pending.take(t);
            if (g == null) {
                continue;
            }
            if (needs(t)) {
                visit(t, g);
            }
            pending.drop(g);
            pending.closeUnused();
        }
        return arrived;
    }

    /** Hands {@code t}'s whole gradient {@code g} on: to its hooks, to what takes it, to its node's inputs. */
    private void visit(Tensor t, Tensor g) {
        Node node = t.gradFn();
        if (t.serial() < firstSerial && node != null) {
            arrive(t, g);
            return;
        }
        GradientHooks hooks = t.gradientHooks();
        if (hooks != null) {
            g = hooks.apply(t, g, pending, touchesGrad);
            if (touchesGrad && node != null && hooks.retainsGrad()) {
                t.accumulateGrad(g);
            }
        }
        if (targets != null && targets.contains(t)) {
            arrive(t, g);
        }
        if (node == null) {
            if (touchesGrad) {
                t.takeGradient(g, pending);
            } else if (t.serial() < firstSerial) {
                arrive(t, g);
            }
        } else if (passingOn == null || passingOn.contains(t)) {
            handOn(node, g);
        }
    }

    private void arrive(Tensor t, Tensor g) {
        pending.keep(g);
        arrived.put(t, g);
    }

    /** Runs {@code node}'s rule on its output's gradient {@code g} and adds the results to its inputs' pending. */
    private void handOn(Node node, Tensor g) {
        if (createGraph) {
            node.checkDifferentiable();
        }
        // While recording (createGraph, or a checkpoint's segment inside such a pass) the padded gradient is recorded.
        if (node.rule instanceof SliceRule slice && !Node.createsGraph()) {
            handOnSlice(node.inputs[0], slice, g);
            return;
        }
        Tensor[] inputGrads = AnomalyMode.isEnabled() ? AnomalyMode.evaluate(node, () -> node.rule.backward(g))
                : node.rule.backward(g);
        if (node.userFunction) {
            pending.keep(g);
            for (Tensor inputGrad : inputGrads) {
                if (inputGrad != null) {
                    pending.keep(inputGrad);
                }
            }
        }
        pending.handingOn(inputGrads);
        for (int k = 0; k < node.inputs.length; k++) {
            if (inputGrads[k] == null) {
                continue;
            }
            Tensor in = node.inputs[k];
            if (in != null && in.requiresGrad() && needs(in)) {
                pending.add(in, inputGrads[k]);
            }
            pending.drop(inputGrads[k]);
        }
    }

    /**
     * A narrowed view's gradient {@code g} written into its slice of what is pending for the tensor it views
     * ({@link PendingGradients#addSlice}), without the zeros of that tensor's shape its rule would pad it with.
     */
    private void handOnSlice(Tensor in, SliceRule slice, Tensor g) {
        if (in.requiresGrad() && needs(in)) {
            pending.handingOn(new Tensor[] {g});
            pending.addSlice(in, g, slice.axis(), slice.start());
        }
    }

    /** Whether the pass hands a gradient to {@code t}: always, but in {@link Autograd#grad} only on the way to a target. */
    private boolean needs(Tensor t) {
        return targets == null || targets.contains(t) || passingOn.contains(t);
    }

    /**
     * The tensors of {@code order} (inputs before consumers) made by ops with an input that is a target or through
     * which one is reached.
     */
    private static Set<Tensor> passingOn(List<Tensor> order, Set<Tensor> targets) {
        Set<Tensor> passing = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : order) {
            Node node = t.gradFn();
            if (node == null) {
                continue;
            }
            for (Tensor in : node.inputs) {
                if (in != null && in.requiresGrad() && (targets.contains(in) || passing.contains(in))) {
                    passing.add(t);
                    break;
                }
            }
        }
        return passing;
    }

    /**
     * Tensors reachable from {@code roots} through recorded ops, every input before its consumers; the walk does not
     * go past a tensor made before serial {@code firstSerial}. With {@code checkWalked}, refuses a closed input and a
     * node that cannot be run ({@link Node#checkReadable}) on the way.
     */
    private static List<Tensor> topologicalOrder(List<Tensor> roots, long firstSerial, boolean checkWalked) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Tensor> stack = new ArrayDeque<>();
        Deque<Integer> next = new ArrayDeque<>();
        for (Tensor root : roots) {
            if (!visited.add(root)) {
                continue;
            }
            stack.push(root);
            next.push(0);
            while (!stack.isEmpty()) {
                Tensor t = stack.peek();
                int k = next.pop();
                Node node = t.gradFn();
                boolean walked = node != null && t.serial() >= firstSerial;
                Tensor[] inputs = walked ? node.inputs : new Tensor[0];
                while (k < inputs.length && (inputs[k] == null || !inputs[k].requiresGrad() || visited.contains(inputs[k]))) {
                    k++;
                }
                if (k < inputs.length) {
                    next.push(k + 1);
                    Tensor child = inputs[k];
                    if (checkWalked) {
                        Checks.open("backward (" + node.op + ")", child);
                    }
                    visited.add(child);
                    stack.push(child);
                    next.push(0);
                } else {
                    stack.pop();
                    if (walked && checkWalked) {
                        node.checkReadable(t);
                    }
                    order.add(t);
                }
            }
        }
        return order;
    }
}
