package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rprop's and ASGD's parameter after each of eight F64 steps, and their state after the last, against what PyTorch
 * 1.13 printed ({@code models/src/test/pytorch/rprop_asgd.py}) from the same start and gradients as
 * {@link OptimizerPyTorchTest}'s.
 */
class RpropAsgdPyTorchTest {
    static final double[] START = {0.5, -1.0, 2.0};
    static final double[][] GRADS = {{0.1, -0.2, 0.3}, {-0.4, 0.5, 0.05}, {0.2, 0.1, -0.3}, {0.3, -0.1, 0.2},
        {-0.1, 0.3, 0.1}, {0.25, -0.05, -0.2}, {0.05, 0.2, 0.15}, {-0.3, -0.15, 0.05}};
    private static final double TOLERANCE = 1e-10;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** Steps {@code make}'s optimizer over GRADS, checks the parameter after each step, and returns its state. */
    private static Map<String, double[]> checkSteps(Function<List<Tensor>, Optimizer> make, double[][] expected) {
        Tensor param = Tensor.fromArray(START.clone(), START.length).requiresGrad(true);
        try (Optimizer opt = make.apply(List.of(param))) {
            for (int step = 0; step < expected.length; step++) {
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    param.backward(Tensor.fromArray(GRADS[step].clone(), 3));
                    opt.step();
                }
                assertArrayEquals(expected[step], param.toDoubleArray(), TOLERANCE, "after step " + (step + 1));
            }
            Map<String, double[]> state = new TreeMap<>();
            opt.stateDict().forEach((k, v) -> state.put(k, v.toDoubleArray()));
            return state;
        }
    }

    @Test
    void rpropDefaults() {
        // Rprop(lr=0.1): step sizes grow by 1.2, shrink by 0.5 where a sign flips, and stand still the step after
        Map<String, double[]> state = checkSteps(ps -> new Rprop(ps, 0.1), new double[][] {
            {0.4, -0.9, 1.9},
            {0.4, -0.9, 1.7799999999999998},
            {0.35000000000000003, -0.9500000000000001, 1.7799999999999998},
            {0.29000000000000004, -0.9500000000000001, 1.7199999999999998},
            {0.29000000000000004, -0.9750000000000001, 1.6479999999999997},
            {0.26, -0.9750000000000001, 1.6479999999999997},
            {0.224, -0.9875, 1.6119999999999997},
            {0.224, -0.9875, 1.5687999999999998}});
        assertArrayEquals(new double[] {8}, state.get("state.0.step"));
        assertArrayEquals(new double[] {0.0, 0.0, 0.05}, state.get("state.0.prev"), TOLERANCE);
        assertArrayEquals(new double[] {0.018, 0.00625, 0.043199999999999995}, state.get("state.0.step_size"),
                TOLERANCE);
    }

    @Test
    void rpropEtasAndStepSizesClampedAtBothBounds() {
        // Rprop(lr=0.05, etas=(0.3, 1.5), step_sizes=(0.01, 0.08))
        Map<String, double[]> state = checkSteps(ps -> new Rprop(ps, 0.05).etas(0.3, 1.5).stepSizes(0.01, 0.08),
                new double[][] {
                    {0.45, -0.95, 1.95},
                    {0.45, -0.95, 1.875},
                    {0.435, -0.965, 1.875},
                    {0.4125, -0.965, 1.8525},
                    {0.4125, -0.975, 1.81875},
                    {0.40249999999999997, -0.975, 1.81875},
                    {0.38749999999999996, -0.985, 1.8086250000000001},
                    {0.38749999999999996, -0.985, 1.7934375000000002}});
        assertArrayEquals(new double[] {0.01, 0.01, 0.0151875}, state.get("state.0.step_size"), TOLERANCE);
    }

    @Test
    void asgdDefaults() {
        // ASGD(lr=0.1): t0 1e6, so the average is the parameter itself
        Map<String, double[]> state = checkSteps(ps -> new ASGD(ps, 0.1), new double[][] {
            {0.489995, -0.97999, 1.96998},
            {0.5299898000893744, -1.0299798251767798, 1.9649603378474192},
            {0.5099848002656207, -1.0399693755356474, 1.9949402385466546},
            {0.47998037551464323, -1.029959201069973, 1.9749207395813067},
            {0.48997527586537676, -1.059948001818438, 1.9649012909558667},
            {0.46497131375533707, -1.0549375902276803, 1.984880892712574},
            {0.4599668892396137, -1.0749261413737223, 1.9698617197613608},
            {0.48996071490865173, -1.0599161801283792, 1.9648422846622002}});
        assertEquals(0.0999940004199692, state.get("state.0.eta")[0], TOLERANCE);
        assertEquals(1.0, state.get("state.0.mu")[0], TOLERANCE);
        assertArrayEquals(new double[] {0.48996071490865173, -1.0599161801283792, 1.9648422846622002},
                state.get("state.0.ax"), TOLERANCE);
    }

    @Test
    void asgdAveragesFromT0WithWeightDecay() {
        // ASGD(lr=0.1, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.05)
        Map<String, double[]> state = checkSteps(ps -> new ASGD(ps, 0.1).lambd(0.01).alpha(0.5).t0(3).weightDecay(0.05),
                new double[][] {
                    {0.487, -0.974, 1.958},
                    {0.5240594748926732, -1.0181339385447132, 1.941260367724729},
                    {0.5009382277413912, -1.0220212495441598, 1.9595944805634429},
                    {0.4679819957027493, -1.0059132659279688, 1.927884443115852},
                    {0.4751597625217889, -1.0298300006010956, 1.906360142096476},
                    {0.44737817132354907, -1.0186788636793376, 1.9149006565802802},
                    {0.4397168518810394, -1.0325253132712797, 1.8884903650243619},
                    {0.4669832846798788, -1.0114039572203424, 1.8722162827906368}});
        assertEquals(0.09960238411119948, state.get("state.0.eta")[0], TOLERANCE);
        assertEquals(0.2, state.get("state.0.mu")[0], TOLERANCE);
        assertArrayEquals(new double[] {0.457309517601564, -1.0231095336930136, 1.8954918616229388},
                state.get("state.0.ax"), TOLERANCE);
    }

    @Test
    void asgdAveragesFromTheFirstStep() {
        // ASGD(lr=0.1, lambd=0.01, alpha=0.5, t0=0)
        Map<String, double[]> state = checkSteps(ps -> new ASGD(ps, 0.1).lambd(0.01).alpha(0.5).t0(0),
                new double[][] {
                    {0.4895, -0.979, 1.968},
                    {0.5289907595541012, -1.0279965078675692, 1.9610354813891755},
                    {0.5084822670430534, -1.0369595527918238, 1.9890464489317397},
                    {0.47801944479002473, -1.0259391115215033, 1.9670903120244965},
                    {0.48752243832623215, -1.0548553975551098, 1.9551470843290615},
                    {0.46209839673974895, -1.0488156227672667, 1.9731469935811323},
                    {0.4566526112666375, -1.0677102081598315, 1.9562245380307521},
                    {0.48609309665111544, -1.0516984414050001, 1.9492925331990607}});
        assertEquals(0.125, state.get("state.0.mu")[0], TOLERANCE);
        assertArrayEquals(new double[] {0.4868370020529876, -1.044853548866872, 1.9644261987836311},
                state.get("state.0.ax"), TOLERANCE);
        assertEquals(List.of("group.0.lr", "group.0.weight_decay", "state.0.ax", "state.0.eta", "state.0.mu",
                "state.0.step"), List.copyOf(state.keySet()), "PyTorch's names: ax, eta, mu, step");
    }
}
