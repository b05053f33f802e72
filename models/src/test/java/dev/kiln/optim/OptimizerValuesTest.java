package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The first three updates of each optimizer on a small F64 parameter with a fixed gradient sequence,
 * against values computed here in plain Java from PyTorch's formulas (each written out per optimizer,
 * element by element). Every step runs in its own Scope, as in training, so the optimizer state must
 * outlive it.
 */
class OptimizerValuesTest {
    private static final double[] START = {0.5, -1.0, 2.0};
    private static final double[][] GRADS = {{0.1, -0.2, 0.3}, {-0.4, 0.5, 0.05}, {0.2, 0.1, -0.3}};
    private static final double TOLERANCE = 1e-12;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** One hand-computed update of every element: the expected formula, state arrays updated in place. */
    interface HandStep {
        void apply(double[] p, double[] g, int step);
    }

    /**
     * Runs three steps of the optimizer and of the hand formula and compares the parameter after each.
     */
    private static void checkThreeSteps(Function<List<Tensor>, Optimizer> make, HandStep hand) {
        Tensor param = Tensor.fromArray(START.clone(), START.length).requiresGrad(true);
        double[] expected = START.clone();
        try (Optimizer opt = make.apply(List.of(param))) {
            for (int step = 1; step <= 3; step++) {
                double[] g = GRADS[step - 1];
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    param.backward(Tensor.fromArray(g.clone(), g.length));
                    opt.step();
                }
                hand.apply(expected, g, step);
                double[] actual = param.toDoubleArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], TOLERANCE, "element " + i + " after step " + step);
                }
            }
        }
    }

    // ---- SGD ------------------------------------------------------------------------------------

    @Test
    void sgdPlain() {
        double lr = 0.1;
        checkThreeSteps(ps -> new SGD(ps, lr), (p, g, t) -> {
            for (int i = 0; i < p.length; i++) {
                p[i] = p[i] - lr * g[i];
            }
        });
    }

    @Test
    void sgdPlainFirstStepWrittenOut() {
        // 0.5 - 0.1 * 0.1, -1 - 0.1 * -0.2, 2 - 0.1 * 0.3
        Tensor param = Tensor.fromArray(START.clone(), 3).requiresGrad(true);
        try (Optimizer opt = new SGD(List.of(param), 0.1)) {
            param.backward(Tensor.fromArray(GRADS[0].clone(), 3));
            opt.step();
        }
        double[] p = param.toDoubleArray();
        assertEquals(0.49, p[0], TOLERANCE);
        assertEquals(-0.98, p[1], TOLERANCE);
        assertEquals(1.97, p[2], TOLERANCE);
    }

    @Test
    void sgdMomentum() {
        double lr = 0.1;
        double mu = 0.9;
        double[] buf = new double[3];
        checkThreeSteps(ps -> new SGD(ps, lr).momentum(mu), (p, g, t) -> {
            for (int i = 0; i < p.length; i++) {
                buf[i] = t == 1 ? g[i] : mu * buf[i] + g[i];
                p[i] = p[i] - lr * buf[i];
            }
        });
    }

    @Test
    void sgdNesterovWithWeightDecay() {
        double lr = 0.05;
        double mu = 0.9;
        double wd = 0.01;
        double[] buf = new double[3];
        checkThreeSteps(ps -> new SGD(ps, lr, mu, true, wd), (p, g, t) -> {
            for (int i = 0; i < p.length; i++) {
                double d = g[i] + wd * p[i];
                buf[i] = t == 1 ? d : mu * buf[i] + d;
                d = d + mu * buf[i];
                p[i] = p[i] - lr * d;
            }
        });
    }

    @Test
    void sgdWeightDecayWithoutMomentum() {
        double lr = 0.1;
        double wd = 0.5;
        checkThreeSteps(ps -> new SGD(ps, lr).weightDecay(wd), (p, g, t) -> {
            for (int i = 0; i < p.length; i++) {
                p[i] = p[i] - lr * (g[i] + wd * p[i]);
            }
        });
    }

    // ---- AdaGrad --------------------------------------------------------------------------------

    @Test
    void adaGradDefaults() {
        double lr = 0.1;
        double eps = 1e-10;
        double[] sum = new double[3];
        checkThreeSteps(ps -> new AdaGrad(ps, lr), (p, g, t) -> {
            for (int i = 0; i < p.length; i++) {
                sum[i] = sum[i] + g[i] * g[i];
                p[i] = p[i] - lr * g[i] / (Math.sqrt(sum[i]) + eps);
            }
        });
    }

    @Test
    void adaGradWithLrDecayInitialAccumulatorAndWeightDecay() {
        double lr = 0.1;
        double lrDecay = 0.2;
        double init = 0.5;
        double wd = 0.1;
        double eps = 1e-10;
        double[] sum = {init, init, init};
        checkThreeSteps(ps -> new AdaGrad(ps, lr).lrDecay(lrDecay).initialAccumulatorValue(init).weightDecay(wd),
                (p, g, t) -> {
                    double clr = lr / (1 + (t - 1) * lrDecay);
                    for (int i = 0; i < p.length; i++) {
                        double d = g[i] + wd * p[i];
                        sum[i] = sum[i] + d * d;
                        p[i] = p[i] - clr * d / (Math.sqrt(sum[i]) + eps);
                    }
                });
    }

    // ---- RMSProp --------------------------------------------------------------------------------

    @Test
    void rmsPropDefaults() {
        double lr = 0.01;
        double alpha = 0.99;
        double eps = 1e-8;
        double[] sq = new double[3];
        checkThreeSteps(ps -> new RMSProp(ps, lr), (p, g, t) -> {
            for (int i = 0; i < p.length; i++) {
                sq[i] = alpha * sq[i] + (1 - alpha) * g[i] * g[i];
                p[i] = p[i] - lr * g[i] / (Math.sqrt(sq[i]) + eps);
            }
        });
    }

    @Test
    void rmsPropWithMomentumAndWeightDecay() {
        double lr = 0.01;
        double alpha = 0.9;
        double eps = 1e-6;
        double mu = 0.8;
        double wd = 0.1;
        double[] sq = new double[3];
        double[] buf = new double[3];
        checkThreeSteps(ps -> new RMSProp(ps, lr).alpha(alpha).eps(eps).momentum(mu).weightDecay(wd), (p, g, t) -> {
            for (int i = 0; i < p.length; i++) {
                double d = g[i] + wd * p[i];
                sq[i] = alpha * sq[i] + (1 - alpha) * d * d;
                buf[i] = mu * buf[i] + d / (Math.sqrt(sq[i]) + eps);
                p[i] = p[i] - lr * buf[i];
            }
        });
    }

    // ---- Adam and AdamW -------------------------------------------------------------------------

    /** PyTorch's Adam; {@code decoupled} for AdamW. */
    private static HandStep adam(double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
        double[] m = new double[3];
        double[] v = new double[3];
        return (p, g, t) -> {
            for (int i = 0; i < p.length; i++) {
                double d = g[i];
                if (decoupled) {
                    p[i] = p[i] * (1 - lr * wd);
                } else {
                    d = d + wd * p[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * d;
                v[i] = b2 * v[i] + (1 - b2) * d * d;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                p[i] = p[i] - lr * mHat / (Math.sqrt(vHat) + eps);
            }
        };
    }

    @Test
    void adamDefaults() {
        checkThreeSteps(ps -> new Adam(ps, 0.01), adam(0.01, 0.9, 0.999, 1e-8, 0, false));
    }

    @Test
    void adamWithBetasEpsAndL2WeightDecay() {
        checkThreeSteps(ps -> new Adam(ps, 0.05, 0.8, 0.99, 1e-3, 0.1), adam(0.05, 0.8, 0.99, 1e-3, 0.1, false));
    }

    @Test
    void adamWDefaultDecoupledWeightDecay() {
        checkThreeSteps(ps -> new AdamW(ps, 0.01), adam(0.01, 0.9, 0.999, 1e-8, 0.01, true));
    }

    @Test
    void adamWWithLargerWeightDecay() {
        checkThreeSteps(ps -> new AdamW(ps, 0.05, 0.5).betas(0.8, 0.99), adam(0.05, 0.8, 0.99, 1e-8, 0.5, true));
    }

    @Test
    void adamFirstStepMovesEachElementByAboutLr() {
        // m_hat = g and v_hat = g^2 on the first step, so p moves by lr * g / (|g| + eps) = lr * sign(g).
        Tensor param = Tensor.fromArray(START.clone(), 3).requiresGrad(true);
        try (Optimizer opt = new Adam(List.of(param), 0.01)) {
            param.backward(Tensor.fromArray(GRADS[0].clone(), 3));
            opt.step();
        }
        double[] p = param.toDoubleArray();
        assertEquals(0.49, p[0], 1e-9);
        assertEquals(-0.99, p[1], 1e-9);
        assertEquals(1.99, p[2], 1e-9);
    }
}
