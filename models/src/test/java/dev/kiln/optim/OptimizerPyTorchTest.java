package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Four updates (eight for NAdam, RAdam, Adamax and Adadelta) of each optimizer on an F64 parameter with fixed
 * gradients, against the parameters PyTorch 1.13 printed for the same calls (F64 default dtype, {@code p.grad} set by hand before each {@code opt.step()}).
 * The comment on each test names the torch call; the F32 tests start from the same values in float32.
 */
class OptimizerPyTorchTest {
    private static final double[] START = {0.5, -1.0, 2.0};
    private static final double[][] GRADS = {{0.1, -0.2, 0.3}, {-0.4, 0.5, 0.05}, {0.2, 0.1, -0.3}, {0.3, -0.1, 0.2},
        {-0.1, 0.3, 0.1}, {0.25, -0.05, -0.2}, {0.05, 0.2, 0.15}, {-0.3, -0.15, 0.05}};
    private static final double TOLERANCE = 1e-10;
    private static final double TOLERANCE_F32 = 1e-6;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** Steps the optimizer once per row of {@code expected} and compares the F64 parameter after each step. */
    private static void checkSteps(Function<List<Tensor>, Optimizer> make, double[][] expected) {
        checkSteps(DType.F64, make, expected, TOLERANCE);
    }

    private static void checkStepsF32(Function<List<Tensor>, Optimizer> make, double[][] expected) {
        checkSteps(DType.F32, make, expected, TOLERANCE_F32);
    }

    private static void checkSteps(DType dtype, Function<List<Tensor>, Optimizer> make, double[][] expected,
                                   double tolerance) {
        Tensor param = Tensor.fromArray(START.clone(), START.length).to(dtype).requiresGrad(true);
        try (Optimizer opt = make.apply(List.of(param))) {
            for (int step = 0; step < expected.length; step++) {
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    param.backward(Tensor.fromArray(GRADS[step].clone(), 3).to(dtype));
                    opt.step();
                }
                assertValues(expected[step], param, tolerance, "after step " + (step + 1));
            }
        }
    }

    private static void assertValues(double[] expected, Tensor actual, String when) {
        assertValues(expected, actual, TOLERANCE, when);
    }

    private static void assertValues(double[] expected, Tensor actual, double tolerance, String when) {
        double[] values = actual.toDoubleArray();
        assertEquals(expected.length, values.length, when);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], values[i], tolerance, "element " + i + " " + when);
        }
    }

    @Test
    void sgdPlain() {
        // torch.optim.SGD([p], lr=0.1), 4 steps, PyTorch 1.13
        checkSteps(ps -> new SGD(ps, 0.1), new double[][] {
            {0.49, -0.98, 1.97},
            {0.53, -1.03, 1.965},
            {0.51, -1.04, 1.995},
            {0.48, -1.03, 1.975}});
    }

    @Test
    void sgdWeightDecay() {
        // torch.optim.SGD([p], lr=0.1, weight_decay=0.05), 4 steps, PyTorch 1.13
        checkSteps(ps -> new SGD(ps, 0.1).weightDecay(0.05), new double[][] {
            {0.4875, -0.975, 1.96},
            {0.5250625, -1.020125, 1.9452},
            {0.5024371875, -1.0250243749999999, 1.965474},
            {0.4699250015625, -1.009899253125, 1.93564663}});
    }

    @Test
    void sgdMomentum() {
        // torch.optim.SGD([p], lr=0.1, momentum=0.9), 4 steps, PyTorch 1.13
        checkSteps(ps -> new SGD(ps, 0.1).momentum(0.9), new double[][] {
            {0.49, -0.98, 1.97},
            {0.521, -1.012, 1.938},
            {0.5289, -1.0508, 1.9392},
            {0.5060100000000001, -1.07572, 1.92028}});
    }

    @Test
    void sgdMomentumWeightDecay() {
        // torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.05), 4 steps, PyTorch 1.13
        checkSteps(ps -> new SGD(ps, 0.1, 0.9, false, 0.05), new double[][] {
            {0.4875, -0.975, 1.96},
            {0.5138125, -0.997625, 1.9092},
            {0.5149246875, -1.022999375, 1.883934},
            {0.48335103281249997, -1.030721315625, 1.83177493}});
    }

    @Test
    void sgdNesterovWeightDecay() {
        // torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05), 4 steps, PyTorch 1.13
        checkSteps(ps -> new SGD(ps, 0.1, 0.9, true, 0.05), new double[][] {
            {0.47625, -0.9525, 1.924},
            {0.537600625, -1.01820125, 1.8638219999999999},
            {0.5158521065625, -1.0459457131249998, 1.862113491},
            {0.4547970477689063, -1.0375611512878122, 1.7862729537355}});
    }

    @Test
    void sgdMomentumDampeningWeightDecay() {
        // torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05), 4 steps, PyTorch 1.13
        checkSteps(ps -> new SGD(ps, 0.1, 0.9, false, 0.05).dampening(0.3), new double[][] {
            {0.4875, -0.975, 1.96},
            {0.50254375, -0.9840875, 1.91364},
            {0.5003242218749999, -0.99582194375, 1.88621826},
            {0.47557551178593743, -0.995897566321875, 1.8409369300899998}});
    }

    @Test
    void adam() {
        // torch.optim.Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8), 4 steps, PyTorch 1.13
        checkSteps(ps -> new Adam(ps, 0.1).betas(0.8, 0.9), new double[][] {
            {0.400000009999999, -0.9000000049999998, 1.9000000033333333},
            {0.4596088824428959, -0.9486855666663084, 1.8231473201419854},
            {0.46822911827424035, -0.9972207912663176, 1.8344365528457554},
            {0.43696160406386947, -1.0220146510752337, 1.8133769608502286}});
    }

    @Test
    void adamLargeEpsL2WeightDecay() {
        // torch.optim.Adam([p], lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05), 4 steps, PyTorch 1.13
        checkSteps(ps -> new Adam(ps, 0.1, 0.8, 0.9, 0.1, 0.05), new double[][] {
            {0.4444444444444444, -0.9285714285714286, 1.92},
            {0.4842944841792826, -0.9584601159784136, 1.8544538460311444},
            {0.4840712105500512, -0.9848006900471824, 1.8359190836292483},
            {0.4553290766419916, -0.9899134619424657, 1.7974700202049043}});
    }

    @Test
    void adamWLargeEpsDecoupledWeightDecay() {
        // torch.optim.AdamW([p], lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05), 4 steps, PyTorch 1.13
        checkSteps(ps -> new AdamW(ps, 0.1, 0.05).betas(0.8, 0.9).eps(0.1), new double[][] {
            {0.4475, -0.9283333333333333, 1.915},
            {0.4899033133523304, -0.9624002138822632, 1.8533926241631389},
            {0.4937203431630429, -0.9944033610731269, 1.852160220657773},
            {0.46828935077783135, -1.0075237411792008, 1.8281412376770112}});
    }

    @Test
    void adamWDefaults() {
        // torch.optim.AdamW([p], lr=0.1), 4 steps, PyTorch 1.13
        checkSteps(ps -> new AdamW(ps, 0.1), new double[][] {
            {0.399500009999999, -0.8990000049999998, 1.8980000033333333},
            {0.4550508574751284, -0.9423225302122329, 1.8177692721472727},
            {0.4656131725967926, -0.9866578914593446, 1.8177468196788327},
            {0.4408456969583839, -1.0117076216303107, 1.7926007013387493}});
    }

    @Test
    void adamAmsgradL2WeightDecay() {
        // torch.optim.Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8, weight_decay=0.05, amsgrad=True), 4 steps,
        // PyTorch 1.13
        checkSteps(ps -> new Adam(ps, 0.1, 0.8, 0.9, 1e-8, 0.05).amsgrad(true), new double[][] {
            {0.40000000799999935, -0.9000000039999998, 1.9000000025},
            {0.45386406484694763, -0.9380574511744064, 1.8123438583403397},
            {0.45406516686828524, -0.9718629398761109, 1.7873289021054688},
            {0.4156806622755605, -0.9788519155216384, 1.7353362415688336}});
    }

    @Test
    void adamWAmsgradLargeEpsDecoupledWeightDecay() {
        // torch.optim.AdamW([p], lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05, amsgrad=True), 4 steps,
        // PyTorch 1.13
        checkSteps(ps -> new AdamW(ps, 0.1, 0.05).betas(0.8, 0.9).eps(0.1).amsgrad(true), new double[][] {
            {0.4475, -0.9283333333333333, 1.915},
            {0.4899033133523304, -0.9624002138822632, 1.854704167337101},
            {0.4937203431630429, -0.9934726086948065, 1.8534652061158654},
            {0.46828935077783135, -1.0057402897804604, 1.8294396982078132}});
    }

    @Test
    void rmsPropLargeEps() {
        // torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=0.1), 4 steps, PyTorch 1.13
        checkSteps(ps -> new RMSProp(ps, 0.01).alpha(0.9).eps(0.1), new double[][] {
            {0.4924025307335204, -0.9877485177344558, 1.984604989415154},
            {0.5097938350813465, -1.006327911619638, 1.9819923634795436},
            {0.5014116104776398, -1.0101226367443876, 1.995120851557958},
            {0.4899672929500212, -1.0062515060018744, 1.9866942802309948}});
    }

    @Test
    void rmsPropMomentumWeightDecay() {
        // torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=0.1, momentum=0.5, weight_decay=0.05), 4 steps, PyTorch 1.13
        checkSteps(ps -> new RMSProp(ps, 0.01).alpha(0.9).eps(0.1).momentum(0.5).weightDecay(0.05), new double[][] {
            {0.49104125492623774, -0.9860379610028063, 1.9823392623955098},
            {0.5032849884366892, -0.996321601368551, 1.9669953155775763},
            {0.4999430052057303, -1.0034422072441758, 1.9677981690417492},
            {0.48607148162508446, -1.001073167091515, 1.9567816102761242}});
    }

    @Test
    void rmsPropCenteredLargeEps() {
        // torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=0.1, centered=True), 4 steps, PyTorch 1.13
        checkSteps(ps -> new RMSProp(ps, 0.01).alpha(0.9).eps(0.1).centered(true), new double[][] {
            {0.49230769230769234, -0.9875, 1.9842105263157894},
            {0.5099872696607853, -1.0062927372659243, 1.9815164454829777},
            {0.5015971216386178, -1.0101559203927346, 1.9946452554617775},
            {0.4900814675631731, -1.006254987671683, 1.98617193745981}});
    }

    @Test
    void rmsPropCenteredMomentumWeightDecay() {
        // torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5, weight_decay=0.05, centered=True),
        // 4 steps, PyTorch 1.13
        checkSteps(ps -> new RMSProp(ps, 0.01).alpha(0.9).momentum(0.5).weightDecay(0.05).centered(true),
                new double[][] {
                    {0.4666666755555532, -0.9666666711111105, 1.9666666694444441},
                    {0.48086169505393106, -0.9782780929940079, 1.9374708197294765},
                    {0.4717277265697554, -0.9874499042359148, 1.9378397573224053},
                    {0.4473393030137088, -0.9822881396051912, 1.9185361728096049}});
    }

    @Test
    void adaGradDefaults() {
        // torch.optim.Adagrad([p], lr=0.1), 4 steps, PyTorch 1.13
        checkSteps(ps -> new AdaGrad(ps, 0.1), new double[][] {
            {0.4000000001, -0.90000000005, 1.9000000000333332},
            {0.49701425009100375, -0.9928476691212845, 1.8835601013082028},
            {0.4533706720533291, -1.0111050877014567, 1.953784789609443},
            {0.39859841631281245, -0.993144557502005, 1.9113848744181772}});
    }

    @Test
    void adaGradLrDecayInitialAccumulatorLargeEpsWeightDecay() {
        // torch.optim.Adagrad([p], lr=0.1, lr_decay=0.1, initial_accumulator_value=0.2, eps=0.1, weight_decay=0.05),
        // 4 steps, PyTorch 1.13
        checkSteps(ps -> new AdaGrad(ps, 0.1).lrDecay(0.1).initialAccumulatorValue(0.2).eps(0.1).weightDecay(0.05),
                new double[][] {
                    {0.47785079692856125, -0.9591735110596059, 1.9428571428571428},
                    {0.5268665499083262, -1.0116398389661136, 1.924221014672135},
                    {0.5013427322276559, -1.0168856266747706, 1.9468484342528685},
                    {0.4707338541639565, -1.00240767970578, 1.9187928929863716}});
    }

    /** Steps two groups: a takes the first two gradient elements, b the third. */
    private static void checkTwoGroups(Function<List<ParamGroup>, Optimizer> make, double[][] expectedA,
                                       double[][] expectedB, List<String> stateKeys) {
        Tensor a = Tensor.fromArray(new double[] {0.5, -1.0}, 2).requiresGrad(true);
        Tensor b = Tensor.fromArray(new double[] {2.0}, 1).requiresGrad(true);
        try (Optimizer opt = make.apply(List.of(new ParamGroup(List.of(a), 0.1), new ParamGroup(List.of(b))))) {
            for (int step = 0; step < expectedA.length; step++) {
                double[] g = GRADS[step];
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    a.backward(Tensor.fromArray(new double[] {g[0], g[1]}, 2));
                    b.backward(Tensor.fromArray(new double[] {g[2]}, 1));
                    opt.step();
                }
                assertValues(expectedA[step], a, "group 0 after step " + (step + 1));
                assertValues(expectedB[step], b, "group 1 after step " + (step + 1));
            }
            assertEquals(stateKeys, List.copyOf(opt.stateDict().keySet()));
        }
    }

    @Test
    void adamGroupsWithTheirOwnLrAndWeightDecay() {
        // torch.optim.Adam([{'params': [a], 'lr': 0.1}, {'params': [b], 'lr': 0.01, 'weight_decay': 0.05}],
        // lr=0.5, betas=(0.8, 0.9)), 4 steps, PyTorch 1.13; state_dict()['state'][i] keys step, exp_avg, exp_avg_sq
        checkTwoGroups(groups -> {
            groups.get(1).setLr(0.01).setWeightDecay(0.05);
            return new Adam(groups).betas(0.8, 0.9);
        }, new double[][] {
            {0.400000009999999, -0.9000000049999998},
            {0.4596088824428959, -0.9486855666663084},
            {0.46822911827424035, -0.9972207912663176},
            {0.43696160406386947, -1.0220146510752337}}, new double[][] {
            {1.99000000025},
            {1.9811848818809836},
            {1.978482143631415},
            {1.9730824825280229}}, List.of(
                "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq",
                "state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq",
                "group.0.lr", "group.0.weight_decay", "group.1.lr", "group.1.weight_decay", "momentum_or_beta1"));
    }

    @Test
    void sgdGroupsWithTheirOwnLr() {
        // torch.optim.SGD([{'params': [a]}, {'params': [b], 'lr': 0.01}], lr=0.1, momentum=0.9), 4 steps,
        // PyTorch 1.13; state_dict()['state'][i] keys momentum_buffer
        checkTwoGroups(groups -> {
            groups.get(1).setLr(0.01);
            return new SGD(groups).momentum(0.9);
        }, new double[][] {
            {0.49, -0.98},
            {0.521, -1.012},
            {0.5289, -1.0508},
            {0.5060100000000001, -1.07572}}, new double[][] {
            {1.997},
            {1.9938},
            {1.99392},
            {1.992028}}, List.of(
                "state.0.momentum_buffer", "state.1.momentum_buffer",
                "group.0.lr", "group.0.weight_decay", "group.1.lr", "group.1.weight_decay", "momentum_or_beta1"));
    }

    // ---- F32 (the fused and composed updates in float) ------------------------------------------

    @Test
    void sgdNesterovWeightDecayF32() {
        // torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05), float32, 4 steps, PyTorch 1.13
        checkStepsF32(ps -> new SGD(ps, 0.1, 0.9, true, 0.05), new double[][] {
            {0.4762499928474426, -0.9524999856948853, 1.9240000247955322},
            {0.5376006364822388, -1.018201231956482, 1.8638219833374023},
            {0.5158520936965942, -1.045945644378662, 1.8621134757995605},
            {0.45479702949523926, -1.037561058998108, 1.7862728834152222}});
    }

    @Test
    void adamL2WeightDecayF32() {
        // torch.optim.Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8, weight_decay=0.05), float32, 4 steps, PyTorch 1.13
        checkStepsF32(ps -> new Adam(ps, 0.1, 0.8, 0.9, 1e-8, 0.05), new double[][] {
            {0.4000000059604645, -0.8999999761581421, 1.899999976158142},
            {0.45386406779289246, -0.9380574226379395, 1.8123438358306885},
            {0.4540651738643646, -0.9734814167022705, 1.787328839302063},
            {0.4156806468963623, -0.9808233380317688, 1.735336184501648}});
    }

    @Test
    void adamWF32() {
        // torch.optim.AdamW([p], lr=0.1, betas=(0.8, 0.9), weight_decay=0.05), float32, 4 steps, PyTorch 1.13
        checkStepsF32(ps -> new AdamW(ps, 0.1, 0.05).betas(0.8, 0.9), new double[][] {
            {0.39750000834465027, -0.8949999809265137, 1.8899999856948853},
            {0.45512139797210693, -0.9392105340957642, 1.8036973476409912},
            {0.4614660143852234, -0.9830496907234192, 1.805968165397644},
            {0.42789116501808167, -1.002928376197815, 1.775878667831421}});
    }

    @Test
    void rmsPropMomentumF32() {
        // torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5), float32, 4 steps, PyTorch 1.13
        checkStepsF32(ps -> new RMSProp(ps, 0.01).alpha(0.9).momentum(0.5), new double[][] {
            {0.4683772325515747, -0.9683772325515747, 1.9683772325515747},
            {0.48333507776260376, -0.9821314811706543, 1.9470940828323364},
            {0.4763840138912201, -0.9951239228248596, 1.9597969055175781},
            {0.454405814409256, -0.9953039288520813, 1.951586365699768}});
    }

    @Test
    void adaGradLrDecayInitialAccumulatorF32() {
        // torch.optim.Adagrad([p], lr=0.1, lr_decay=0.1, initial_accumulator_value=0.2), float32, 4 steps, PyTorch 1.13
        checkStepsF32(ps -> new AdaGrad(ps, 0.1).lrDecay(0.1).initialAccumulatorValue(0.2), new double[][] {
            {0.4781782031059265, -0.959175169467926, 1.944291353225708},
            {0.537959635257721, -1.024110198020935, 1.9358868598937988},
            {0.5119307041168213, -1.0358953475952148, 1.9763094186782837},
            {0.479295015335083, -1.025123953819275, 1.9526407718658447}});
    }

    @Test
    void sgdMomentumDampeningWeightDecayF32() {
        // torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05), float32, 4 steps,
        // PyTorch 1.13
        checkStepsF32(ps -> new SGD(ps, 0.1, 0.9, false, 0.05).dampening(0.3), new double[][] {
            {0.48750001192092896, -0.9750000238418579, 1.9600000381469727},
            {0.5025437474250793, -0.9840875267982483, 1.913640022277832},
            {0.5003242492675781, -0.9958219528198242, 1.8862183094024658},
            {0.4755755364894867, -0.9958975911140442, 1.8409370183944702}});
    }

    @Test
    void adamAmsgradL2WeightDecayF32() {
        // torch.optim.Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8, weight_decay=0.05, amsgrad=True), float32,
        // 4 steps, PyTorch 1.13
        checkStepsF32(ps -> new Adam(ps, 0.1, 0.8, 0.9, 1e-8, 0.05).amsgrad(true), new double[][] {
            {0.4000000059604645, -0.8999999761581421, 1.899999976158142},
            {0.45386406779289246, -0.9380574226379395, 1.8123438358306885},
            {0.4540651738643646, -0.9718629121780396, 1.787328839302063},
            {0.4156806468963623, -0.9788519144058228, 1.735336184501648}});
    }

    @Test
    void adamWAmsgradF32() {
        // torch.optim.AdamW([p], lr=0.1, betas=(0.8, 0.9), weight_decay=0.05, amsgrad=True), float32, 4 steps,
        // PyTorch 1.13
        checkStepsF32(ps -> new AdamW(ps, 0.1, 0.05).betas(0.8, 0.9).amsgrad(true), new double[][] {
            {0.39750000834465027, -0.8949999809265137, 1.8899999856948853},
            {0.45512139797210693, -0.9392105340957642, 1.8065245151519775},
            {0.4614660143852234, -0.9814448952674866, 1.8087811470031738},
            {0.42789116501808167, -0.9997492432594299, 1.7786775827407837}});
    }

    @Test
    void rmsPropCenteredMomentumF32() {
        // torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5, centered=True), float32, 4 steps,
        // PyTorch 1.13
        checkStepsF32(ps -> new RMSProp(ps, 0.01).alpha(0.9).momentum(0.5).centered(true), new double[][] {
            {0.46666666865348816, -0.9666666984558105, 1.9666666984558105},
            {0.48168322443962097, -0.9801095724105835, 1.9441583156585693},
            {0.4747380018234253, -0.9931260943412781, 1.956249475479126},
            {0.45257553458213806, -0.9932383894920349, 1.9475929737091064}});
    }

    @Test
    void nAdam() {
        // torch.optim.NAdam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8), 8 steps, PyTorch 1.13
        checkSteps(ps -> new NAdam(ps, 0.1).betas(0.8, 0.9).eps(1e-8), new double[][] {
            {0.39144982963433034, -0.8914498242068222, 1.8914498223976526},
            {0.4960516965865173, -0.9906895878781031, 1.8630521406561242},
            {0.44961208740052067, -1.0206698543500563, 1.94316069788662},
            {0.3754041458367453, -1.0037550603696177, 1.8855998749542848},
            {0.3966901004414447, -1.0824669841965082, 1.84839447444957},
            {0.32475585875865204, -1.080549643868921, 1.9074549124743299},
            {0.29986793635575126, -1.1460093226961527, 1.8567067930658436},
            {0.3770485213581402, -1.11371326071936, 1.8333459370330416}});
    }

    @Test
    void nAdamMomentumDecayWeightDecay() {
        // torch.optim.NAdam([p], lr=0.1, eps=0.1, momentum_decay=0.1, weight_decay=0.05), 8 steps, PyTorch 1.13
        checkSteps(ps -> new NAdam(ps, 0.1).eps(0.1).momentumDecay(0.1).weightDecay(0.05), new double[][] {
            {0.4416668686429213, -0.9250002596837561, 1.9160002908458067},
            {0.5130464660310604, -0.9941931276148804, 1.8850140915992384},
            {0.47600353941511403, -1.0047182519948779, 1.91502988663551},
            {0.4239368510264554, -0.9827519763435966, 1.8644074790164729},
            {0.43360281484350544, -1.0245487127588984, 1.8267000255807795},
            {0.38622423024503016, -1.0112148567983785, 1.8372990209583635},
            {0.36862996975045437, -1.0396755990189954, 1.7902388499431552},
            {0.4104835468124514, -1.008207008847967, 1.757323433640737}});
    }

    @Test
    void nAdamDefaults() {
        // torch.optim.NAdam([p], lr=0.1), 8 steps, PyTorch 1.13
        checkSteps(ps -> new NAdam(ps, 0.1), new double[][] {
            {0.39504689353438877, -0.8950468882867337, 1.8950468865375154},
            {0.4946234442290139, -0.9895184841711443, 1.8720235853076546},
            {0.4502657554496698, -1.0142792953713553, 1.9458298027785885},
            {0.38367996349559724, -0.9977484280441986, 1.8935712869430061},
            {0.40424713205895335, -1.0655372258335456, 1.8619269021456222},
            {0.34238217513813207, -1.062187774868514, 1.9130321028174515},
            {0.3234303383702946, -1.116484112775172, 1.8685652090206284},
            {0.3914572751659377, -1.089177369271029, 1.8491406353891098}});
    }

    @Test
    void rAdamRectifiesFromTheSixthStep() {
        // torch.optim.RAdam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8), 8 steps, PyTorch 1.13
        checkSteps(ps -> new RAdam(ps, 0.1).betas(0.8, 0.9).eps(1e-8), new double[][] {
            {0.49, -0.98, 1.97},
            {0.5077777777777778, -0.9988888888888888, 1.9538888888888888},
            {0.5100728597449908, -1.0141347905282332, 1.9566757741347904},
            {0.5014278732951264, -1.0208285574659026, 1.9517435248122972},
            {0.4983293487829893, -1.0344554018257313, 1.945303734236381},
            {0.48897189972801014, -1.043306914063432, 1.9461974947999203},
            {0.47708737791378975, -1.0591505044976852, 1.9407682671165014},
            {0.47893578040968904, -1.0680203033860032, 1.932800094586804}});
    }

    @Test
    void rAdamWeightDecay() {
        // torch.optim.RAdam([p], lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05), 8 steps, PyTorch 1.13
        checkSteps(ps -> new RAdam(ps, 0.1).betas(0.8, 0.9).eps(0.1).weightDecay(0.05), new double[][] {
            {0.4875, -0.975, 1.96},
            {0.5028125, -0.9889583333333333, 1.934},
            {0.5026223104508196, -0.9992678449453551, 1.9269877049180326},
            {0.4914826215781048, -1.0010049138620014, 1.912311912734906},
            {0.4859004873712706, -1.0096606841452718, 1.8961827152148718},
            {0.4785819423708151, -1.0120671400465335, 1.8901967743032873},
            {0.4692466220106667, -1.0180082321221366, 1.8788683203237215},
            {0.4678744826304784, -1.0180968137282138, 1.8642620695540815}});
    }

    @Test
    void rAdamDefaultsNeverRectifyInEightSteps() {
        // torch.optim.RAdam([p], lr=0.1), 8 steps, PyTorch 1.13
        checkSteps(ps -> new RAdam(ps, 0.1), new double[][] {
            {0.49, -0.98, 1.97},
            {0.5063157894736842, -0.9968421052631579, 1.953157894736842},
            {0.5092309186249757, -1.0111594484365896, 1.9536006991648862},
            {0.5025749139724605, -1.018405740963487, 1.9480990998627634},
            {0.4999862103998981, -1.031208358726179, 1.941499016836708},
            {0.4992222044401031, -1.0321062908486032, 1.9413871453031548},
            {0.49824347026985666, -1.033553775502996, 1.940809416939943},
            {0.49817354730208535, -1.0346030597890192, 1.9400328733373853}});
    }

    @Test
    void adamax() {
        // torch.optim.Adamax([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8), 8 steps, PyTorch 1.13
        checkSteps(ps -> new Adamax(ps, 0.1).betas(0.8, 0.9).eps(1e-8), new double[][] {
            {0.400000009999999, -0.9000000049999998, 1.9000000033333333},
            {0.4444444533333324, -0.9377777820222221, 1.8403292234293551},
            {0.45081968086065477, -0.9716575627653915, 1.84961884060604},
            {0.42413762458367993, -0.9881853820340187, 1.8313512511316514},
            {0.4135116834496814, -1.0255704138235708, 1.804850056229361},
            {0.37908460738676075, -1.0517186648043484, 1.8081736166767641},
            {0.34515566546885573, -1.09056285824328, 1.7916457165048572},
            {0.34889423129591984, -1.1097847952879891, 1.7709116444526138}});
    }

    @Test
    void adamaxWeightDecay() {
        // torch.optim.Adamax([p], lr=0.1, eps=0.1, weight_decay=0.05), 8 steps, PyTorch 1.13
        checkSteps(ps -> new Adamax(ps, 0.1).eps(0.1).weightDecay(0.05), new double[][] {
            {0.4444444444444444, -0.9285714285714286, 1.92},
            {0.47366721066231465, -0.950303177298084, 1.866683525630894},
            {0.4748320222189323, -0.9675316319205024, 1.8482899911782875},
            {0.4559161239679413, -0.9719529939536905, 1.8181750050306285},
            {0.44556286998065164, -0.9864213563382056, 1.7860299889249356},
            {0.4251997953478805, -0.9939687542060411, 1.7654688193886374},
            {0.40585021607764526, -1.0053060233694815, 1.739642731147985},
            {0.40022321052334836, -1.0082717350665729, 1.7134857986015921}});
    }

    @Test
    void adadeltaDefaults() {
        // torch.optim.Adadelta([p]), 8 steps, PyTorch 1.13
        checkSteps(ps -> new Adadelta(ps, Adadelta.DEFAULT_LR), new double[][] {
            {0.4968393022937949, -0.9968381175504387, 1.996837898007285},
            {0.5011895130314414, -1.0010189932404048, 1.996064142599023},
            {0.49837979653627945, -1.0021869413416429, 1.99933206204766},
            {0.49454225879850583, -1.0010020403281035, 1.996838795106678},
            {0.4960280764638582, -1.004119420927656, 1.9954716667020589},
            {0.49264120506501985, -1.0035185038599872, 1.9980334898300018},
            {0.4918829162733625, -1.005795467554964, 1.996004117243991},
            {0.49580278557090457, -1.004015200242406, 1.995282892498731}});
    }

    @Test
    void adadeltaWeightDecay() {
        // torch.optim.Adadelta([p], lr=0.5, rho=0.8, eps=0.01, weight_decay=0.05), 8 steps, PyTorch 1.13
        checkSteps(ps -> new Adadelta(ps, 0.5).rho(0.8).eps(0.01).weightDecay(0.05), new double[][] {
            {0.4454455274410019, -0.9166666666666666, 1.9024099927051465},
            {0.5491852904756808, -1.0311026662785354, 1.8541393556456305},
            {0.4725466237489826, -1.0479570795286377, 1.9215599699313837},
            {0.3713494049227879, -0.9960823774847003, 1.8310268755769412},
            {0.40200460349107353, -1.0766364934746435, 1.7652863203335407},
            {0.3113821839083728, -1.0387506942010305, 1.8064702130149406},
            {0.28597927196889233, -1.0924807959993341, 1.7246114416348075},
            {0.3820046983322959, -1.0200502632096458, 1.6733568583423888}});
    }

    @Test
    void nAdamWeightDecayF32() {
        // torch.optim.NAdam([p], lr=0.1, betas=(0.8, 0.9), weight_decay=0.05), float32,
        // 8 steps, PyTorch 1.13
        checkStepsF32(ps -> new NAdam(ps, 0.1).betas(0.8, 0.9).weightDecay(0.05), new double[][] {
            {0.39144983887672424, -0.8914498090744019, 1.8914498090744019},
            {0.4934031665325165, -0.9843971729278564, 1.8434475660324097},
            {0.439494252204895, -1.0022711753845215, 1.8885538578033447},
            {0.3606378138065338, -0.9688276648521423, 1.810071587562561},
            {0.3748423755168915, -1.0364166498184204, 1.7484794855117798},
            {0.29833853244781494, -1.0149682760238647, 1.7668023109436035},
            {0.26777976751327515, -1.0646401643753052, 1.6890393495559692},
            {0.3381309509277344, -1.008955955505371, 1.63329017162323}});
    }

    @Test
    void rAdamWeightDecayF32() {
        // torch.optim.RAdam([p], lr=0.1, betas=(0.8, 0.9), weight_decay=0.05), float32,
        // 8 steps, PyTorch 1.13
        checkStepsF32(ps -> new RAdam(ps, 0.1).betas(0.8, 0.9).weightDecay(0.05), new double[][] {
            {0.48750001192092896, -0.9750000238418579, 1.9600000381469727},
            {0.5028125047683716, -0.9889583587646484, 1.934000015258789},
            {0.5026223063468933, -0.9992678761482239, 1.9269877672195435},
            {0.49148261547088623, -1.001004934310913, 1.9123120307922363},
            {0.48590049147605896, -1.0096607208251953, 1.8961827754974365},
            {0.47438952326774597, -1.0135685205459595, 1.8864527940750122},
            {0.45947927236557007, -1.0232384204864502, 1.868474006652832},
            {0.45737630128860474, -1.0233670473098755, 1.845182180404663}});
    }

    @Test
    void adamaxWeightDecayF32() {
        // torch.optim.Adamax([p], lr=0.1, betas=(0.8, 0.9), weight_decay=0.05), float32,
        // 8 steps, PyTorch 1.13
        checkStepsF32(ps -> new Adamax(ps, 0.1).betas(0.8, 0.9).weightDecay(0.05), new double[][] {
            {0.4000000059604645, -0.8999999761581421, 1.899999976158142},
            {0.4409356713294983, -0.9311355352401733, 1.8282407522201538},
            {0.44116973876953125, -0.956900954246521, 1.8075703382492065},
            {0.40745875239372253, -0.9622421264648438, 1.7586499452590942},
            {0.38931676745414734, -0.9890016317367554, 1.699161410331726},
            {0.3479861915111542, -1.0016453266143799, 1.6641814708709717},
            {0.3066519498825073, -1.0262598991394043, 1.6124119758605957},
            {0.30393221974372864, -1.027029275894165, 1.5537580251693726}});
    }

    @Test
    void adadeltaWeightDecayF32() {
        // torch.optim.Adadelta([p], lr=0.5, rho=0.8, eps=0.01, weight_decay=0.05), float32,
        // 8 steps, PyTorch 1.13
        checkStepsF32(ps -> new Adadelta(ps, 0.5).rho(0.8).eps(0.01).weightDecay(0.05), new double[][] {
            {0.44544553756713867, -0.9166666865348816, 1.9024100303649902},
            {0.5491852760314941, -1.0311026573181152, 1.8541394472122192},
            {0.47254660725593567, -1.0479570627212524, 1.9215600490570068},
            {0.37134939432144165, -0.9960823655128479, 1.8310269117355347},
            {0.402004599571228, -1.0766364336013794, 1.7652863264083862},
            {0.3113821744918823, -1.0387506484985352, 1.8064701557159424},
            {0.2859792709350586, -1.0924807786941528, 1.7246114015579224},
            {0.38200467824935913, -1.020050287246704, 1.6733567714691162}});
    }
}
