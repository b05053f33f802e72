package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LossModule} against PyTorch 1.13's loss modules (printed by {@code models/src/test/pytorch/loss_modules.py}):
 * repr, state-dict keys (class weights as buffers), value, and the input gradient its full backward hook sees, in F64.
 * Inputs are {@link PyTorchParity#values} patterns, class weights {@code 1 + pattern(3, seed)}, class targets
 * [0, 2, 1, 2].
 */
class LossModulePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor weight(int seed, int n) {
        return values(seed, n).add(1);
    }

    private static Tensor classes() {
        return Tensor.fromArray(new long[] {0, 2, 1, 2}, 4);
    }

    /**
     * Runs {@code module.call(input, target)} with a full backward hook and checks what PyTorch printed: the repr, the
     * state-dict keys, the value, and the hook's gradient to the input (and none to the target).
     */
    private static void assertParity(LossModule module, Tensor input, Tensor target, String repr, List<String> keys,
                                     double value, double... inputGradient) {
        Tensor[][] seen = new Tensor[1][];
        module.registerFullBackwardHook((m, gradInput, gradOutput) -> {
            seen[0] = gradInput;
            return null;
        });
        Tensor x = input.requiresGrad(true);
        Tensor loss = module.call(x, target);
        assertEquals(repr, module.toString());
        assertEquals(keys, List.copyOf(module.stateDict().keySet()));
        assertValues("loss", loss, value);
        loss.backward();
        assertValues("hook's input gradient", seen[0][0], inputGradient);
        assertNull(seen[0][1], "the target needs no gradient");
        assertValues("input gradient", x.grad(), inputGradient);
    }

    @Test
    void crossEntropyWithClassWeightsAndLabelSmoothing() {
        assertParity(new LossModule(new CrossEntropyLoss(weight(7, 3), 0.1, -100, Reduction.MEAN)),
                values(1, 4, 3), classes(), "CrossEntropyLoss()",
                List.of("weight"), 1.1331498964581268,
                -0.21332549308313375, 0.12032532997814828, 0.09300016310498542, 0.06390172059490658,
                0.05021385612054609, -0.11411557671545268, 0.04854468665567851, -0.15875961801514904,
                0.11021493135947052, 0.05954499143595863, 0.05872091607826493, -0.11826590751422357);
    }

    @Test
    void nllWithClassWeightsAndIgnoreIndex() {
        assertParity(new LossModule(new NLLLoss(weight(7, 3), 1, Reduction.SUM)),
                values(1, 4, 3), classes(), "NLLLoss()",
                List.of("weight"), -0.3689911907675855,
                -1.111444957050124, 0.0, 0.0, 0.0, 0.0, -0.5386122891935967, 0.0, 0.0, 0.0, 0.0, 0.0,
                -0.5386122891935967);
    }

    @Test
    void bceWithLogitsWithWeightAndPosWeight() {
        assertParity(new LossModule(new BCEWithLogitsLoss(weight(7, 3), weight(8, 3), Reduction.MEAN)),
                values(1, 4, 3), values(2, 4, 3).add(0.5), "BCEWithLogitsLoss()",
                List.of("weight", "pos_weight"), 0.4425249353649041,
                0.002418415653260286, 0.01965246204639075, 0.020816579210040202, 0.04212423616678553,
                0.01859231304823282, 0.00040646314370042653, -0.015443936803567539, -0.015553353110721917,
                -0.011070424539988596, 0.003027707783713187, 0.020018896713966085, 0.020914335951459417);
    }

    @Test
    void bce() {
        assertParity(new LossModule(new BCELoss()),
                values(1, 4, 3).mul(0.9).add(0.5), values(2, 4, 3).add(0.5), "BCELoss()",
                List.of(), 0.9156776908742293,
                0.3588917369991731, 0.43403716343764054, 0.20528751817044577, 0.12596481137796686,
                -0.03417394967078076, -0.6119776048927047, -0.2821793185752119, -0.15883423217294068,
                -0.07966741926334649, 0.3804700926614692, 0.42476146378804364, 0.20254084428806748);
    }

    @Test
    void mseSummed() {
        assertParity(new LossModule(new MSELoss(Reduction.SUM)),
                values(1, 4, 3), values(2, 4, 3), "MSELoss()",
                List.of(), 2.3725169154101295,
                0.5580698497546305, 1.1187504686757048, 1.153265261220315, 0.6453813811462213,
                -0.16603544684319582, -0.8993632098068353, -1.209706402260521, -0.9511057715471375,
                -0.24518523503750567, 0.5760497486352436, 1.126359534499223, 1.146924831435005);
    }

    @Test
    void l1() {
        assertParity(new LossModule(new L1Loss()),
                values(1, 4, 3), values(2, 4, 3), "L1Loss()",
                List.of(), 0.40817488086923076,
                0.08333333333333333, 0.08333333333333333, 0.08333333333333333, 0.08333333333333333,
                -0.08333333333333333, -0.08333333333333333, -0.08333333333333333, -0.08333333333333333,
                -0.08333333333333333, 0.08333333333333333, 0.08333333333333333, 0.08333333333333333);
    }

    @Test
    void smoothL1WithBeta() {
        assertParity(new LossModule(new SmoothL1Loss(0.5, Reduction.MEAN)),
                values(1, 4, 3), values(2, 4, 3), "SmoothL1Loss()",
                List.of(), 0.19522802779859938,
                0.04650582081288587, 0.08333333333333333, 0.08333333333333333, 0.05378178176218511,
                -0.013836287236932985, -0.0749469341505696, -0.08333333333333333, -0.07925881429559478,
                -0.02043210291979214, 0.04800414571960363, 0.08333333333333333, 0.08333333333333333);
    }

    @Test
    void huberWithDelta() {
        assertParity(new LossModule(new HuberLoss(0.3, Reduction.MEAN)),
                values(1, 4, 3), values(2, 4, 3), "HuberLoss()",
                List.of(), 0.08074986533235266,
                0.023252910406442936, 0.024999999999999998, 0.024999999999999998, 0.024999999999999998,
                -0.006918143618466492, -0.024999999999999998, -0.024999999999999998, -0.024999999999999998,
                -0.01021605145989607, 0.024002072859801816, 0.024999999999999998, 0.024999999999999998);
    }

    @Test
    void klDivBatchMean() {
        assertParity(new LossModule(new KLDivLoss(KLDivReduction.BATCH_MEAN, false)),
                values(1, 4, 3), values(2, 4, 3).add(0.6), "KLDivLoss()",
                List.of(), -0.8715282107010809,
                -0.20342248502922872, -0.11805736224664609, -0.04771536111694871, -0.025479423895519895,
                -0.061807459303701004, -0.13961382464781283, -0.22230497054852483, -0.2709899590039358,
                -0.26277147921953675, -0.20151481065521956, -0.11602992169863219, -0.046521691364293405);
    }

    @Test
    void multiMarginWithWeights() {
        assertParity(new LossModule(new MultiMarginLoss(2, 0.7, weight(7, 3), Reduction.MEAN)),
                values(1, 4, 3), classes(), "MultiMarginLoss()",
                List.of("weight"), 0.28878075921922997,
                -0.18776918347490315, 0.11834662537403458, 0.06942255810086857, 0.09119017485868602,
                0.06781473613295809, -0.1590049109916441, 0.04832536584819249, -0.17944591407844993,
                0.13112054823025743, 0.09286887166708396, 0.08687369830632498, -0.17974256997340893);
    }

    @Test
    void multiLabelSoftMarginWithWeights() {
        assertParity(new LossModule(new MultiLabelSoftMarginLoss(weight(7, 3), Reduction.MEAN)),
                values(1, 4, 3), values(2, 4, 3).gt(0).to(DType.F64), "MultiLabelSoftMarginLoss()",
                List.of("weight"), 0.5362851163989937,
                -0.035126464817901215, 0.038963722201098304, 0.024317263071984185, 0.042259374673104325,
                0.02524146671698162, 0.017038314106548467, -0.05355865149456833, -0.031999592394084404,
                -0.018788918408326732, -0.03509683162237783, 0.03889764253325396, 0.024228706130898246);
    }
}
