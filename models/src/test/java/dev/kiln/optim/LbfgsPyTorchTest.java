package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.PyTorchParity;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * L-BFGS's trajectories against PyTorch 1.13's {@code torch.optim.LBFGS} in float64, printed by
 * {@code models/src/test/pytorch/lbfgs.py}: after every step the loss it returned, every parameter, and the
 * state's {@code func_evals} and {@code n_iter} (which pin down where each step stopped). Inputs and starting
 * weights come from parity.py's pattern {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)}.
 */
class LbfgsPyTorchTest {
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

    /** What PyTorch printed after one step. */
    private record Expected(double loss, long funcEvals, long nIter, double[][] params) {
    }

    private static Expected step(double loss, long funcEvals, long nIter, double[]... params) {
        return new Expected(loss, funcEvals, nIter, params);
    }

    /** Steps an optimizer made by {@code make} over {@code params} once per expected step and compares after each. */
    private static void checkTrajectory(List<Tensor> params, Function<List<Tensor>, Tensor> lossOf,
                                        Function<List<Tensor>, LBFGS> make, Expected... expected) {
        try (LBFGS lbfgs = make.apply(params)) {
            for (int i = 0; i < expected.length; i++) {
                String when = "step " + (i + 1);
                double loss = lbfgs.step(() -> {
                    lbfgs.zeroGrad();
                    Tensor l = lossOf.apply(params);
                    l.backward();
                    return l;
                });
                assertEquals(expected[i].loss(), loss, TOLERANCE, "loss returned by " + when);
                Map<String, Tensor> state = lbfgs.stateDict();
                assertEquals(expected[i].funcEvals(), state.get("state.0.func_evals").toLongArray()[0],
                        "func_evals after " + when);
                assertEquals(expected[i].nIter(), state.get("state.0.n_iter").toLongArray()[0],
                        "n_iter after " + when);
                for (int p = 0; p < params.size(); p++) {
                    double[] actual = params.get(p).toDoubleArray();
                    double[] values = expected[i].params()[p];
                    assertEquals(values.length, actual.length, "parameter " + p);
                    for (int e = 0; e < values.length; e++) {
                        assertEquals(values[e], actual[e], TOLERANCE,
                                "parameter " + p + " element " + e + " after " + when);
                    }
                }
            }
        }
    }

    private static Tensor vector(double... values) {
        return Tensor.fromArray(values, values.length).requiresGrad(true);
    }

    /** parity.py's {@code pattern(rows * cols, seed).reshape(rows, cols)} (one dimension: a vector). */
    private static Tensor pattern(int seed, int... dims) {
        return PyTorchParity.values(seed, dims).requiresGrad(true);
    }

    /** (1 - x)^2 + 100 (y - x^2)^2 of p = (x, y). */
    static Tensor rosenbrock(List<Tensor> params) {
        Tensor p = params.get(0);
        Tensor x = p.narrow(0, 0, 1);
        Tensor y = p.narrow(0, 1, 1);
        return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
    }

    /** Mean squared error of x w^T + b against targets, x [8, 4] and targets [8, 2] from the pattern. */
    static Tensor leastSquares(List<Tensor> params) {
        Tensor x = PyTorchParity.values(3, 8, 4);
        Tensor target = PyTorchParity.values(4, 8, 2);
        return x.matmul(params.get(0).t()).add(params.get(1)).sub(target).square().mean();
    }

    /** Mean cross-entropy of x w^T + b with labels k mod 3, x [10, 4] four times the pattern. */
    static Tensor logisticRegression(List<Tensor> params) {
        Tensor x = PyTorchParity.values(3, 10, 4).mul(4);
        long[] labels = new long[10];
        for (int k = 0; k < labels.length; k++) {
            labels[k] = k % 3;
        }
        return F.crossEntropy(x.matmul(params.get(0).t()).add(params.get(1)), Tensor.fromArray(labels, 10));
    }

    @Test
    void theLineSearchKeepsPyTorchsOwnToleranceWhateverToleranceChangeIsSet() {
        // Rosenbrock from (-1.5, 2), strong Wolfe, tolerance_change 1: torch.optim.LBFGS(params, max_iter=1, tolerance_change=1.0, line_search_fn='strong_wolfe')
        checkTrajectory(List.of(vector(-1.5, 2.0)), LbfgsPyTorchTest::rosenbrock,
            ps -> new LBFGS(ps, 1).maxIter(1).toleranceChange(1.0).lineSearch(LBFGS.STRONG_WOLFE),
            step(12.5, 3, 1,
                new double[] {-1.4172551712244599, 2.026691880250174}),
            step(5.875809972976888, 4, 2,
                new double[] {-1.4172551712244599, 2.026691880250174}));
    }

    @Test
    void rosenbrockWithoutLineSearch() {
        // Rosenbrock from (-1.2, 1), no line search: torch.optim.LBFGS(params, lr=0.5, max_iter=4, history_size=4), PyTorch 1.13
        checkTrajectory(List.of(vector(-1.2, 1.0)), LbfgsPyTorchTest::rosenbrock, ps -> new LBFGS(ps, 0.5).maxIter(4).historySize(4),
            step(24.199999999999996, 4, 4,
                new double[] {-1.0100101970392679, 1.068740814201533}),
            step(4.276533533351236, 8, 8,
                new double[] {-1.0238042080759753, 1.0571528185404164}),
            step(4.10384349379801, 12, 12,
                new double[] {-1.0091735645629623, 1.0091709215367208}),
            step(4.045353842746077, 16, 16,
                new double[] {-0.8162745690714017, 0.6241239267019673}),
            step(3.4767706205464917, 20, 20,
                new double[] {-0.16587638727766973, -0.24322355163910847}),
            step(8.689202777449374, 24, 24,
                new double[] {-0.22581348650491231, 0.019078215694723392}));
    }

    @Test
    void rosenbrockWithStrongWolfe() {
        // Rosenbrock from (-1.2, 1), strong Wolfe: torch.optim.LBFGS(params, max_iter=5, line_search_fn='strong_wolfe'), PyTorch 1.13
        checkTrajectory(List.of(vector(-1.2, 1.0)), LbfgsPyTorchTest::rosenbrock, ps -> new LBFGS(ps, 1).maxIter(5).lineSearch("strong_wolfe"),
            step(24.199999999999996, 6, 4,
                new double[] {-1.0276177663827242, 1.0584120782656612}),
            step(4.111816451757751, 12, 9,
                new double[] {-0.7745797354515831, 0.5476256792320806}),
            step(3.423165462292753, 19, 13,
                new double[] {-0.2560895768966468, 0.03726198161622369}),
            step(1.6579626408971875, 27, 18,
                new double[] {0.34184236067537654, 0.09925827373850052}),
            step(0.4641401774955063, 34, 23,
                new double[] {0.7460759093292195, 0.5450068956869687}),
            step(0.07798538481346325, 40, 27,
                new double[] {0.9160713624543694, 0.8342473675852569}));
    }

    @Test
    void leastSquaresWithoutLineSearchWrapsAHistoryOfTwo() {
        // least squares 8 x 4 -> 2, no line search: torch.optim.LBFGS(params, lr=0.8, max_iter=5, history_size=2), PyTorch 1.13
        checkTrajectory(List.of(pattern(1, 2, 4), pattern(2, 2)), LbfgsPyTorchTest::leastSquares, ps -> new LBFGS(ps, 0.8).maxIter(5).historySize(2),
            step(0.2503733598481289, 5, 5,
                new double[] {0.11641058560419555, 0.1058312378272581, 0.045477805241456525, -0.036264549759711336,
                0.16959923616107853, 0.15406831118804776, 0.06607665207950801, -0.05299188897819204},
                new double[] {0.053690468614939056, 0.08662519048684686}),
            step(0.10584681808714365, 10, 10,
                new double[] {0.11734491799946664, 0.10685159269456028, 0.04610429374321426, -0.03632657495502771,
                0.16798780122314985, 0.15138681774386128, 0.06358624839535557, -0.054119927136022074},
                new double[] {0.057771104972904386, 0.08215652523992957}),
            step(0.10582784286697773, 12, 11,
                new double[] {0.1173390527013686, 0.10685309565735275, 0.046112458100011924, -0.03631558902879843,
                0.16799819699078386, 0.1513730751769133, 0.06355483083779478, -0.054154243515961785},
                new double[] {0.05777050118869377, 0.0821558532451525}),
            step(0.1058278422845299, 13, 12,
                new double[] {0.1173390527013686, 0.10685309565735275, 0.046112458100011924, -0.03631558902879843,
                0.16799819699078386, 0.1513730751769133, 0.06355483083779478, -0.054154243515961785},
                new double[] {0.05777050118869377, 0.0821558532451525}));
    }

    @Test
    void logisticRegressionWithStrongWolfeWrapsAHistoryOfThree() {
        // logistic regression 10 x 4 -> 3, strong Wolfe: torch.optim.LBFGS(params, max_iter=6, history_size=3, line_search_fn='strong_wolfe'), PyTorch 1.13
        checkTrajectory(List.of(pattern(1, 3, 4), pattern(2, 3)), LbfgsPyTorchTest::logisticRegression, ps -> new LBFGS(ps, 1).maxIter(6).historySize(3).lineSearch("strong_wolfe"),
            step(2.062078811908261, 7, 5,
                new double[] {0.06514474198148187, 0.06274865359272887, 0.03084089294455529, -0.015571821557689686,
                0.1621049620418192, 0.18816807768712132, 0.12573280618885505, 0.004163431310681975,
                0.15818057412352934, 0.18354576267092126, 0.1225865110525219, 0.0039729078190489375},
                new double[] {0.029941212638891088, -0.1751872374742366, -0.17797314159336028}),
            step(1.074078600779067, 14, 10,
                new double[] {0.06479683522892775, 0.06912368269941138, 0.0409405821090226, -0.006497513961484312,
                0.15517821267082763, 0.18227890783722028, 0.12365098446127368, 0.006868070993265031,
                0.16545523024707484, 0.18305990341413977, 0.11456864361563611, -0.007806039459739449},
                new double[] {0.041746965514822564, -0.18248242632958647, -0.18248370561394195}),
            step(1.0737007981067233, 17, 13,
                new double[] {0.064791682357177, 0.06912428261892525, 0.04094665266827921, -0.006488827841359164,
                0.15513218168035398, 0.1822268971066705, 0.12361745544991687, 0.0068687929190483854,
                0.1655064141092992, 0.1831113142251758, 0.1145961020677364, -0.007815447505647888},
                new double[] {0.041992214887639, -0.18261139490174025, -0.18259998641460468}),
            step(1.0737007746293559, 18, 14,
                new double[] {0.064791682357177, 0.06912428261892525, 0.04094665266827921, -0.006488827841359164,
                0.15513218168035398, 0.1822268971066705, 0.12361745544991687, 0.0068687929190483854,
                0.1655064141092992, 0.1831113142251758, 0.1145961020677364, -0.007815447505647888},
                new double[] {0.041992214887639, -0.18261139490174025, -0.18259998641460468}),
            step(1.0737007746293559, 19, 15,
                new double[] {0.064791682357177, 0.06912428261892525, 0.04094665266827921, -0.006488827841359164,
                0.15513218168035398, 0.1822268971066705, 0.12361745544991687, 0.0068687929190483854,
                0.1655064141092992, 0.1831113142251758, 0.1145961020677364, -0.007815447505647888},
                new double[] {0.041992214887639, -0.18261139490174025, -0.18259998641460468}));
    }
}
