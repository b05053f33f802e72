package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * F32 layer norm on rows of 1024 features far from 0 (means 1000, -3e4, 1e-3, 7 and 0) against PyTorch 1.13's F64
 * {@code layer_norm} of the same float values ({@code models/src/test/pytorch/layer_norm_long_rows.py}): outputs,
 * input gradients and the parameters' gradients at a few features of each row. Surefire runs this class twice: on
 * the Vector API's row sums and with -Dkiln.cpu.vector=false on the scalar loops.
 */
class CpuLayerNormPyTorchParityTest {
    private static final int FEATURES = 1024;
    private static final double[][] ROWS = {{1000, 0.1}, {-3e4, 5}, {1e-3, 1e-4}, {7, 0.3}, {0, 2}};
    private static final int[] PICKS = {0, 1, 2, 511, 512, 1021, 1022, 1023};
    private static final double[] OUTPUTS = {
        -0.93373526311999722, -0.48737583295217424, 0.6616001367202643, -0.71500571330107443,
        0.46363763556528631, -2.4497300045189161, -0.22254466378061899, 1.1399497308112696,
        -0.78497512651883505, -0.074899215897942462, 0.85029378317731752, -0.49091273895701665,
        0.95317429435559053, -1.9279952932700466, 0.077516313093453415, 1.7056144872434493,
        -0.25709365610262747, 0.0062289816537054836, 0.26452980807331844, -0.10305230744341322,
        0.17380260531258224, -0.22217194267600959, 0.056047815887334991, -0.20356504347580603,
        -0.48316166340556876, 0.7545044468594716, -0.50439781125690408, -0.038233169177911357,
        1.9332869780158422, -0.87203696706540068, 0.68103269604980898, -2.3588768256679202,
        -0.33167183488787327, 1.1717844837891087, -0.31526320656879314, 0.18920193768149651,
        -2.077916184396337, -0.34175303373315052, 0.9845488327169386, -1.791398483676502,
    };
    private static final double[] INPUT_GRADIENTS = {
        -6.8306713393246525, 11.788397299079165, 1.0935422338424274, 6.437460486788666,
        2.803623290460223, 14.994588864684317, 1.7320914365769866, -9.604671106178202,
        -0.080872199893136099, 0.37762511134520338, 0.081616525262234063, 0.20821264547108598,
        0.2208641453570479, 0.48464357601820041, 0.13719126384705049, -0.0044884554153554745,
        -31.377036727060972, -260.60459149036677, 138.5636559992752, -142.03869914856003,
        359.88607966045225, -331.7424290241367, 221.56062722184888, 178.08528941585791,
        0.20485858579945759, -2.3179717828998547, -2.6693536416028945, -1.3017181188464444,
        -6.3964738828597891, -3.0717172162743362, -3.9513730272583882, 6.2707165458083267,
        0.17165852637315773, 0.0041634272498112315, -0.21727514673341503, 0.0023023392253665215,
        -0.56222761391138776, 0.00044125122131326208, -0.33859955032112221, -1.2891073436957021,
    };
    private static final double[] WEIGHT_GRADIENTS = {
        2.3747174792396857, -0.60647272804199615, 2.6140803577540659, -1.3269410139401905,
        0.011693167322144427, -2.0467384098184049, -1.2930576220064611, -0.36271811728806114,
    };
    private static final double[] BIAS_GRADIENTS = {
        -1.25, 0.5, 0.125, 0.5,
        0.125, 0.5, 0.125, -0.25,
    };
    private static final double[] INPUT_GRADIENT_SCALES = {
        27.414257161336337, 0.5518834959953125, 506.11649126045688, 9.1896992697601156,
        1.3759816678101879,
    };

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** The script's value of row r, feature i: the same double in Java and Python, rounded to float by the tensor. */
    private static double x(int r, int i) {
        return ROWS[r][0] + ROWS[r][1] * (((i * 37 + r * 11) % 101) - 50) / 50.0;
    }

    @Test
    void longRowsFarFromZeroMatchPyTorchsF64Values() {
        int rows = ROWS.length;
        double[] xs = new double[rows * FEATURES];
        double[] gs = new double[rows * FEATURES];
        double[] ws = new double[FEATURES];
        double[] bs = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            ws[i] = 1 + (((i * 7) % 13) - 6) / 10.0;
            bs[i] = (((i * 5) % 11) - 5) / 20.0;
            for (int r = 0; r < rows; r++) {
                xs[r * FEATURES + i] = x(r, i);
                gs[r * FEATURES + i] = (((i * 13 + r * 3) % 17) - 8) / 8.0;
            }
        }
        Tensor x = Tensor.fromArray(xs, rows, FEATURES).to(DType.F32).requiresGrad(true);
        Tensor w = Tensor.fromArray(ws, FEATURES).to(DType.F32).requiresGrad(true);
        Tensor b = Tensor.fromArray(bs, FEATURES).to(DType.F32).requiresGrad(true);
        Tensor y = F.layerNorm(x, w, b, 1e-5);
        y.backward(Tensor.fromArray(gs, rows, FEATURES).to(DType.F32));
        double[] out = y.toDoubleArray();
        double[] gradX = x.grad().toDoubleArray();
        double[] gradW = w.grad().toDoubleArray();
        double[] gradB = b.grad().toDoubleArray();
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < PICKS.length; k++) {
                int at = r * FEATURES + PICKS[k];
                double expected = OUTPUTS[r * PICKS.length + k];
                assertEquals(expected, out[at], 2e-6 * Math.max(1, Math.abs(expected)),
                        "output " + r + ", " + PICKS[k]);
                // An input gradient shares its row's sums: its error is relative to the row's largest.
                assertEquals(INPUT_GRADIENTS[r * PICKS.length + k], gradX[at], 1e-5 * INPUT_GRADIENT_SCALES[r],
                        "input gradient " + r + ", " + PICKS[k]);
            }
        }
        for (int k = 0; k < PICKS.length; k++) {
            double expected = WEIGHT_GRADIENTS[k];
            assertEquals(expected, gradW[PICKS[k]], 1e-5 * Math.max(1, Math.abs(expected)), "weight gradient " + k);
            assertEquals(BIAS_GRADIENTS[k], gradB[PICKS[k]], 1e-6, "bias gradient " + k);
        }
    }
}
