package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link GLU}, {@link LogSigmoid}, {@link Softmin}, {@link Softshrink}, {@link Hardshrink}, {@link Tanhshrink},
 * {@link Threshold}, {@link RReLU} in evaluation mode, {@link ChannelShuffle}, {@link LocalResponseNorm},
 * {@link CosineSimilarity}, {@link PairwiseDistance} and {@link Bilinear} against PyTorch's own numbers (printed, the
 * whole file, by {@code models/src/test/pytorch/more_layers.py}): outputs and the gradients of every input and
 * parameter for a weighted sum of the outputs (see {@link PyTorchParity}); each activation also at large inputs of
 * both signs and at the ties of its thresholds.
 */
class MoreLayersPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** The script's EDGES: large inputs of both signs and the ties of the shrinks and of Threshold(0.25, -7). */
    private static Tensor edges(DType dtype) {
        double[] values = {-100, -30, -20, -1.25, -0.5, -0.25, 0, 0.25, 0.5, 1.25, 20, 30, 100};
        return Tensor.fromArray(values, values.length).to(dtype).requiresGrad(true);
    }

    // ---- Activations ----

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gluOverTheLastAxisByDefault(DType dtype) {
        // torch.nn.GLU()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 6);
        Tensor y = new GLU().forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -0.8555477203804279, -1.056272303459872, -0.5294980060854223, 0.2021706189380713,
                0.027144536753215074, -0.30016027950935614);
        assertValues("input gradient", x.grad(),
                0.5396961383209178, -0.05538282976758621, -0.8331944407069776, -0.3171487355999919,
                0.017221971568040527, 0.09894060945418492, -0.2828812364319593, -0.257440940609918,
                -0.1513979070023408, -0.24377506443725241, -0.0271364614324469, 0.08493478204910607);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gluOverTheFirstAxis(DType dtype) {
        // torch.nn.GLU(dim=0)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 4, 3);
        Tensor y = new GLU(0).forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -1.0729265713924026, -0.728858845502495, -0.19259159338344076, 0.07137674319965025,
                0.25041407512873215, 0.5210576000868399);
        assertValues("input gradient", x.grad(),
                0.6768229445166425, -0.03821577564122662, -0.3030535395596825, -0.2828812364319593,
                -0.257440940609918, -0.1513979070023408, -0.25060336912035985, 0.024396024356553157,
                0.13808784117268172, -0.08606527627115722, -0.25033957859191835, -0.14744093978972506);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void logSigmoid(DType dtype) {
        // torch.nn.LogSigmoid()(8 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new LogSigmoid().forward(x.mul(8.0));
        backward(200, y);

        assertValues("output", y,
                -3.869596546756497, -3.671720589489612, -1.8920701429568652, -0.3128158690533295,
                -0.03763740995421249, -0.01839514119168391, -0.056940559484098735, -0.5319472208034727,
                -2.392307851891961, -3.8870184320223564);
        assertValues("input gradient", x.grad(),
                2.377055698758109, -0.18630429521078842, -2.3100518059702324, -1.0663459631352363,
                -0.12383005661549618, -0.021112322920238943, 0.0874830104837582, 1.4752600332161518,
                3.5340779304385905, 2.325238755901809);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void logSigmoidIsStable(DType dtype) {
        // torch.nn.LogSigmoid() at large inputs and at its ties, PyTorch 1.13
        Tensor x = edges(dtype);
        Tensor y = new LogSigmoid().forward(x);
        backward(200, y);

        assertValues("output", y,
                -100.0, -30.000000000000092, -20.000000002061153, -1.501929081345373, -0.9740769841801067,
                -0.8259394198788436, -0.6931471805599453, -0.5759394198788436, -0.4740769841801067,
                -0.2519290813453729, -2.061153620314381e-09, -9.357622968839737e-14, -3.720075976020836e-44);
        assertValues("input gradient", x.grad(),
                0.30346428682833904, -0.02389577021340008, -0.34001727244124386, -0.3857143329792899,
                -0.260840223123207, -0.08139616178914999, 0.0987842765921905, 0.19570933045488478,
                0.18356334663653295, 0.06608401929953621, -6.655410640476367e-11, -3.238982255577032e-14,
                -1.8495642224987773e-44);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softminOverAxisOne(DType dtype) {
        // torch.nn.Softmin(dim=1)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2);
        Tensor y = new Softmin(1).forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                0.6574039606106917, 0.8115795210536969, 0.29688781813711096, 0.14204242419074356,
                0.045708221252197284, 0.046378054755559374, 0.05233316769144786, 0.1249902809020912,
                0.35878472465906186, 0.6082895993475698, 0.5888821076494903, 0.266720119750339);
        assertValues("input gradient", x.grad(),
                -0.44190677019911484, -0.17699886823631358, 0.3735575954334941, 0.17029336574464243,
                0.06834917476562073, 0.006705502491671195, -0.004992577745853499, -0.11359765372652494,
                -0.3449064433585237, -0.2786309272690974, 0.3498990211043773, 0.3922285809956223);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softminOverTheLastAxisByDefault(DType dtype) {
        // torch.nn.Softmin(dim=-1)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2);
        Tensor y = new Softmin().forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                0.5189799434857973, 0.4810200565142026, 0.7357254580799795, 0.2642745419200204, 0.5676063539025678,
                0.43239364609743225, 0.2826457951359303, 0.7173542048640696, 0.35693362193065825,
                0.6430663780693419, 0.6750809525927504, 0.32491904740724964);
        assertValues("input gradient", x.grad(),
                -0.24516625993446076, 0.24516625993446073, -0.09111508060784469, 0.09111508060784496,
                0.20193457702299017, -0.20193457702299022, 0.1517251206375025, -0.15172512063750265,
                -0.13046707188764572, 0.1304670718876459, -0.20652142529472223, 0.20652142529472223);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softshrinkWithItsDefaultLambda(DType dtype) {
        // torch.nn.Softshrink()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new Softshrink().forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -0.943190864514631, -0.8672345934026655, -0.1482465293835763, 0.0, 0.7228296435259909,
                0.9949213919254247, 0.5639282509112582, 0.0, -0.3611639534095037, -0.94986207262859);
        assertValues("input gradient", x.grad(),
                0.9103928604850171, -0.07168731064020695, -1.0200518194262151, 0.0, -1.257143447201149,
                -0.4343626689886402, 0.592705659553143, 0.0, 1.458624422271257, 0.8902197319873344);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softshrinkWithLambda(DType dtype) {
        // torch.nn.Softshrink(1.2)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new Softshrink(1.2).forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -0.243190864514631, -0.16723459340266555, 0.0, 0.0, 0.022829643525990928, 0.29492139192542477, 0.0,
                0.0, 0.0, -0.24986207262859006);
        assertValues("input gradient", x.grad(),
                0.9103928604850171, -0.07168731064020695, 0.0, 0.0, -1.257143447201149, -0.4343626689886402, 0.0,
                0.0, 0.0, 0.8902197319873344);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softshrinkTies(DType dtype) {
        // torch.nn.Softshrink() at large inputs and at its ties, PyTorch 1.13
        Tensor x = edges(dtype);
        Tensor y = new Softshrink().forward(x);
        backward(200, y);

        assertValues("output", y,
                -99.5, -29.5, -19.5, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 19.5, 29.5, 99.5);
        assertValues("input gradient", x.grad(),
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507, 0.0, 0.0,
                0.0, 0.0, 0.0, 0.2967399106624448, -0.03228973610574525, -0.3461330154423595, -0.4971845291388796);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void hardshrinkWithItsDefaultLambda(DType dtype) {
        // torch.nn.Hardshrink()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new Hardshrink().forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -1.443190864514631, -1.3672345934026655, -0.6482465293835763, 0.0, 1.2228296435259909,
                1.4949213919254247, 1.0639282509112582, 0.0, -0.8611639534095037, -1.44986207262859);
        assertValues("input gradient", x.grad(),
                0.9103928604850171, -0.07168731064020695, -1.0200518194262151, 0.0, -1.257143447201149,
                -0.4343626689886402, 0.592705659553143, 0.0, 1.458624422271257, 0.8902197319873344);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void hardshrinkWithLambda(DType dtype) {
        // torch.nn.Hardshrink(1.2)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new Hardshrink(1.2).forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -1.443190864514631, -1.3672345934026655, 0.0, 0.0, 1.2228296435259909, 1.4949213919254247, 0.0,
                0.0, 0.0, -1.44986207262859);
        assertValues("input gradient", x.grad(),
                0.9103928604850171, -0.07168731064020695, 0.0, 0.0, -1.257143447201149, -0.4343626689886402, 0.0,
                0.0, 0.0, 0.8902197319873344);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void hardshrinkTies(DType dtype) {
        // torch.nn.Hardshrink() at large inputs and at its ties, PyTorch 1.13
        Tensor x = edges(dtype);
        Tensor y = new Hardshrink().forward(x);
        backward(200, y);

        assertValues("output", y,
                -100.0, -30.0, -20.0, -1.25, 0.0, 0.0, 0.0, 0.0, 0.0, 1.25, 20.0, 30.0, 100.0);
        assertValues("input gradient", x.grad(),
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507, 0.0, 0.0,
                0.0, 0.0, 0.0, 0.2967399106624448, -0.03228973610574525, -0.3461330154423595, -0.4971845291388796);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tanhshrink(DType dtype) {
        // torch.nn.Tanhshrink()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new Tanhshrink().forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -0.5488526310175856, -0.48917416983153705, -0.07775817147267194, 0.01672260062782266,
                0.3823427578523363, 0.5906951067401587, 0.27676555691675087, 0.0007709147771343683,
                -0.16430706841181342, -0.5541964751238782);
        assertValues("input gradient", x.grad(),
                0.7281694229385407, -0.055270207332714705, -0.33198297083538, -0.19175377424402767,
                -0.8880690173860207, -0.3551458531670953, 0.3672553076114731, 0.023288775852223054,
                0.7083219028882204, 0.7141492803780727);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tanhshrinkIsStable(DType dtype) {
        // torch.nn.Tanhshrink() at large inputs and at its ties, PyTorch 1.13
        Tensor x = edges(dtype);
        Tensor y = new Tanhshrink().forward(x);
        backward(200, y);

        assertValues("output", y,
                -99.0, -29.0, -19.0, -0.4017163600424871, -0.03788284273999026, -0.005081337596290869, 0.0,
                0.005081337596290869, 0.03788284273999026, 0.4017163600424871, 19.0, 29.0, 99.0);
        assertValues("input gradient", x.grad(),
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.3570749382272817,
                -0.08948861104561145, -0.008685103457382937, 0.0, 0.02681366761055609, 0.10383085070909709,
                0.2135296283236418, -0.03228973610574525, -0.3461330154423595, -0.4971845291388796);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void threshold(DType dtype) {
        // torch.nn.Threshold(0.1, 20)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new Threshold(0.1, 20).forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                20.0, 20.0, 20.0, 0.3756220065360126, 1.2228296435259909, 1.4949213919254247, 1.0639282509112582,
                0.13255302915600214, 20.0, 20.0);
        assertValues("input gradient", x.grad(),
                0.0, 0.0, 0.0, -1.4886700187867552, -1.257143447201149, -0.4343626689886402, 0.592705659553143,
                1.3410152551256913, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void thresholdTie(DType dtype) {
        // torch.nn.Threshold(0.25, -7) at large inputs and at its ties, PyTorch 1.13
        Tensor x = edges(dtype);
        Tensor y = new Threshold(0.25, -7).forward(x);
        backward(200, y);

        assertValues("output", y,
                -7.0, -7.0, -7.0, -7.0, -7.0, -7.0, -7.0, -7.0, 0.5, 1.25, 20.0, 30.0, 100.0);
        assertValues("input gradient", x.grad(),
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4862081407570856, 0.2967399106624448,
                -0.03228973610574525, -0.3461330154423595, -0.4971845291388796);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rreluInEvaluationWithItsDefaults(DType dtype) {
        // torch.nn.RReLU().eval()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new RReLU().eval().forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -0.3307312397846029, -0.31332459432144416, -0.14855649631706958, 0.3756220065360126,
                1.2228296435259909, 1.4949213919254247, 1.0639282509112582, 0.13255302915600214,
                -0.19735007265634458, -0.33226005831071853);
        assertValues("input gradient", x.grad(),
                0.20863169719448307, -0.01642834202171409, -0.23376187528517428, -1.4886700187867552,
                -1.257143447201149, -0.4343626689886402, 0.592705659553143, 1.3410152551256913, 0.3342680967704964,
                0.2040086885804308);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rreluInEvaluationWithBounds(DType dtype) {
        // torch.nn.RReLU(0.1, 0.3).eval()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new RReLU(0.1, 0.3).eval().forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -0.2886381729029262, -0.2734469186805331, -0.12964930587671528, 0.3756220065360126,
                1.2228296435259909, 1.4949213919254247, 1.0639282509112582, 0.13255302915600214,
                -0.17223279068190075, -0.28997241452571804);
        assertValues("input gradient", x.grad(),
                0.18207857209700343, -0.014337462128041392, -0.20401036388524302, -1.4886700187867552,
                -1.257143447201149, -0.4343626689886402, 0.592705659553143, 1.3410152551256913, 0.2917248844542514,
                0.1780439463974669);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rreluInEvaluationAtZero(DType dtype) {
        // torch.nn.RReLU().eval() at large inputs and at its ties, PyTorch 1.13
        Tensor x = edges(dtype);
        Tensor y = new RReLU().eval().forward(x);
        backward(200, y);

        assertValues("output", y,
                -22.916666666666664, -6.875, -4.583333333333333, -0.2864583333333333, -0.11458333333333333,
                -0.057291666666666664, 0.0, 0.25, 0.5, 1.25, 20.0, 30.0, 100.0);
        assertValues("input gradient", x.grad(),
                0.06954389906482769, -0.00547611400723803, -0.0779206250950581, -0.11371784865732157,
                -0.09603179110564332, -0.03318048165885446, 0.04527612677142064, 0.4470050850418971,
                0.4862081407570856, 0.2967399106624448, -0.03228973610574525, -0.3461330154423595,
                -0.4971845291388796);
    }

    // ---- ChannelShuffle and LocalResponseNorm ----

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void channelShuffle(DType dtype) {
        // torch.nn.ChannelShuffle(3)(x), its gradient through the same view and transpose, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 6, 2);
        Tensor y = new ChannelShuffle(3).forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.48106362150487697, -0.45574486446755513, 0.4076098811753303, 0.4983071306418082,
                -0.28705465113650125, -0.48328735754286334, -0.2160821764611921, 0.1252073355120042,
                0.35464275030375275, 0.04418434305200072, -0.45222246812354255, -0.2084702857747436,
                0.1333287294119987, 0.4124211598374022, 0.03580403612661126, -0.29389750358370326,
                -0.200799454861187, 0.14141242764921083, 0.49754547453289455, 0.34866637819307267,
                -0.48537445508342214, -0.4485722161723401, 0.41711583580606065, 0.4966431487685916);
        assertValues("input gradient", x.grad(),
                0.30346428682833904, -0.023895770213402317, 0.197568553184381, 0.4470050850418971,
                -0.3400172731420717, -0.49622333959558507, 0.4862081407570856, 0.2967399106624448,
                -0.4190478157337163, -0.14478755632954673, -0.03228973610574525, -0.3461330154423595,
                -0.4971845291388796, -0.41440239005881013, 0.2899316380426379, -0.04067457281033922,
                -0.1367203317181236, 0.20526343494370716, -0.35215089651288256, -0.49800515107587917,
                0.45070860082187114, 0.4841784692173621, -0.4096398015427598, -0.1286144525455957);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void channelShuffleOfImages(DType dtype) {
        // torch.nn.ChannelShuffle(2)(x), its gradient through the same view and transpose, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 1, 4, 2, 3);
        Tensor y = new ChannelShuffle(2).forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.48106362150487697, -0.45574486446755513, -0.2160821764611921, 0.1252073355120042,
                0.4076098811753303, 0.4983071306418082, 0.1333287294119987, 0.4124211598374022,
                0.49754547453289455, 0.34866637819307267, 0.03580403612661126, -0.29389750358370326,
                0.35464275030375275, 0.04418434305200072, -0.28705465113650125, -0.48328735754286334,
                -0.45222246812354255, -0.2084702857747436, -0.48537445508342214, -0.4485722161723401,
                -0.200799454861187, 0.14141242764921083, 0.41711583580606065, 0.4966431487685916);
        assertValues("input gradient", x.grad(),
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507,
                -0.4190478157337163, -0.14478755632954673, -0.4971845291388796, -0.41440239005881013,
                -0.1367203317181236, 0.20526343494370716, 0.45070860082187114, 0.4841784692173621,
                0.197568553184381, 0.4470050850418971, 0.4862081407570856, 0.2967399106624448,
                -0.03228973610574525, -0.3461330154423595, 0.2899316380426379, -0.04067457281033922,
                -0.35215089651288256, -0.49800515107587917, -0.4096398015427598, -0.1286144525455957);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void localResponseNormOfImages(DType dtype) {
        // torch.nn.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.0)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5, 2, 3);
        Tensor y = new LocalResponseNorm(3, 0.5, 0.75, 1.0).forward(x.mul(3.0));
        backward(200, y);

        assertValues("output", y,
                -1.0461038046116962, -1.1137217337044305, -0.5676567054131748, 0.29600081549622526,
                0.877735554387444, 1.1386162981435402, 0.7613013990222035, 0.09452435154273973,
                -0.6154706630866228, -1.040576297860423, -0.9729014306721737, -0.4464967225253436,
                0.2853573873422544, 0.8864241021951554, 1.071693747225767, 0.7483847197988351, 0.0765947921453979,
                -0.6302118251220378, -1.045128997468269, -0.9649599706161484, -0.4300301332944852,
                0.30267715509252574, 0.8966116026215443, 1.0697233965976436, 0.7473074184588409,
                0.06743586201454085, -0.7886326250445841, -1.144364435507519, -0.9569947066865769,
                -0.4438887742700603, 0.34979611135485333, 0.9070381836852515, 1.1430182367385888,
                0.8764634955129477, 0.047601348627852744, -0.6774104983672333, -1.0533371077868194,
                -0.948258680031564, -0.3967487356305572, 0.3370647512057683, 0.9162254542035572, 1.064864125949614,
                0.7083993322300884, 0.022701007037975365, -0.6733736257774738, -1.0569899272111873,
                -0.9395039955385039, -0.3799431765539682, 0.3541231181113194, 0.9256458365862794,
                1.061976747576142, 0.6946720812771295, 0.004717611293231976, -0.687393176003633,
                -1.1447620001472805, -0.9305093398356727, -0.3935999279505607, 0.4528616139155778,
                1.0815023266640982, 1.0792402627095568);
        assertValues("input gradient", x.grad(),
                0.5403630499729475, -0.010030493769353572, -0.9075888987639471, -1.0870980111932083,
                -0.7040631630549556, -0.3128302448528527, 0.5844070501201297, 0.9750080363914975,
                0.9625682271904356, 0.41379611795697685, -0.2670958357387449, -0.8403417751461708,
                -1.0074320483376056, -0.720516648380062, -0.0831302953186305, 0.5945099573202143,
                0.9797658175908297, 0.916003153803113, 0.4264691263453392, -0.27601887078934284,
                -0.8966608850259397, -0.9922799234448703, -0.7084508349673261, -0.0848343166312647,
                0.5343225480403168, 1.114509644651839, 1.1146941848618623, 0.30308551281508833,
                -0.3110495621831535, -0.8132326742835778, -1.0621734018035491, -0.6802254101248506,
                -0.2723963017494717, 0.5344273867492526, 1.155160383249906, 0.8552254249656333,
                0.36462939709266085, -0.3159192521942365, -0.8668707470823216, -1.0226307398476737,
                -0.6886761366926627, -0.016314933836151235, 0.6351048174817486, 0.9908852869559854,
                0.8934882342944819, 0.3745387209707474, -0.3319780083327903, -0.8695849048871122,
                -0.9866175678317504, -0.6709338729108066, -0.0337467173435972, 0.6992431238155485,
                0.9945248955445343, 0.883326090679769, 0.24751340489314555, -0.34438357950411436,
                -0.8580103637358185, -1.273442001028101, -0.6492987587413558, 0.09585693230192198);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void localResponseNormWithItsDefaultsOfSequences(DType dtype) {
        // torch.nn.LocalResponseNorm(2)(30 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 4, 3);
        Tensor y = new LocalResponseNorm(2).forward(x.mul(30.0));
        backward(200, y);

        assertValues("output", y,
                -14.32020565575084, -13.577280115085042, -6.472268720890206, 3.725196420913182, 12.076243708484085,
                14.802083135271976, 10.588773068679945, 1.3180595795035708, -8.51675572504533, -14.325237890014852,
                -13.472904287644942, -6.227673452991679, 3.9974638094423223, 12.302081086709704,
                14.802859790405524, 10.41106755114347, 1.0679501624232497, -8.718846740704777, -14.388144568185325,
                -13.365922880824565, -5.998352951296533, 4.2061424657172175, 12.357321165316225,
                14.756600353870546);
        assertValues("input gradient", x.grad(),
                8.834441882427635, -0.8551004705101526, -10.183292048123185, -14.765864618699457,
                -12.29427382014277, -4.092493955014117, 5.949295322525636, 13.331543165500124, 14.38800521880668,
                8.659274959226451, -0.9488394459739689, -10.30993672107712, -14.907833643286445,
                -12.233633495381444, -3.8607747711681477, 6.175745049788983, 13.441120797291202,
                14.322936565753023, 8.392198959485055, -1.3463782232368438, -10.51650540320024,
                -14.792796764633312, -11.995681691529057, -3.7586671079985927);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void localResponseNormWiderThanTheChannels(DType dtype) {
        // torch.nn.LocalResponseNorm(4, alpha=2.0, beta=0.5, k=0.5)(x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 1, 3, 2, 2, 2);
        Tensor y = new LocalResponseNorm(4, 2.0, 0.5, 0.5).forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.5935388532749153, -0.5368637741705542, -0.27319399806699074, 0.17205557739131325,
                0.5297830861882642, 0.5917149651459211, 0.4279763205043264, 0.05895123388138285,
                -0.3539968947611686, -0.5529795846138734, -0.5244970429537235, -0.26261100829424416,
                0.17041387873539898, 0.48631346958699273, 0.565665000741996, 0.42124723372823336,
                0.0441536744259547, -0.33627885545579694, -0.5629474083251029, -0.5650685494290884,
                -0.2566514666550858, 0.16674888446538558, 0.4742236471796794, 0.6000278938653492);
        assertValues("input gradient", x.grad(),
                0.2527843469498644, -0.12162000986663458, -0.43510331755094434, -0.6831132280423564,
                -0.47009805138668737, -0.04324518928445864, 0.2788373169939093, 0.5950630389293934,
                0.5270152142970886, 0.2404113380570606, -0.04836948325490814, -0.43399355651806576,
                -0.6110898873166866, -0.3821460238576814, -0.09873837987126988, 0.23744962883238604,
                0.5599596818973094, 0.49110630755760626, 0.28851419523113775, -0.010706143083317507,
                -0.4491738582854474, -0.559254413256161, -0.39250779629114785, -0.15875665646042633);
    }

    // ---- CosineSimilarity and PairwiseDistance ----

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void cosineSimilarityWithItsDefaults(DType dtype) {
        // torch.nn.CosineSimilarity()(x1, x2), PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 3, 4);
        Tensor x2 = tensor(dtype, 101, 3, 4);
        Tensor y = new CosineSimilarity().forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.1481007821042691, 0.1997474803266533, 0.28041354254317263);
        assertValues("gradient of input1", x1.grad(),
                -0.12024813808110899, 0.08875220692076265, 0.25601100221631823, 0.30286382288727853,
                -0.015432411595951392, -0.00020512385693940462, 0.015118636837139857, 0.02333186639149552,
                0.27344679495049945, 0.09101125281757541, -0.13422830360550103, -0.296338191467813);
        assertValues("gradient of input2", x2.grad(),
                -0.2771174910895354, -0.2936965763482782, -0.17214557261482744, 0.030368183768142612,
                -0.015753783976819164, -0.02340463386391673, -0.02004791873732253, -0.007262354171193812,
                0.09381460879699961, 0.2753156467777108, 0.32733143415321136, 0.22539813335171535);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void cosineSimilarityOverTheFirstAxis(DType dtype) {
        // torch.nn.CosineSimilarity(dim=0)(x1, x2), PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 4, 3);
        Tensor x2 = tensor(dtype, 101, 4, 3);
        Tensor y = new CosineSimilarity(0, 1e-8).forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.4311533269961204, 0.13688757990051076, 0.044740481747476996);
        assertValues("gradient of input1", x1.grad(),
                -0.04873092687648241, -0.00643582236501841, -0.28190448544905816, 0.26623065566970017,
                -0.017380810646256226, -0.05016156760970999, -0.2200800920033431, 0.023985091464119288,
                0.33255222946582663, -0.04401750137396228, -0.006836749342007372, -0.28561382763392773);
        assertValues("gradient of input2", x2.grad(),
                -0.20509793291612083, 0.023762638903439798, 0.1682858287543773, -0.07476229019267287,
                -0.01735256774766966, -0.35986478047905207, 0.28058483486559016, -0.006241886439007491,
                0.19506683646068368, -0.20854203159070506, 0.02365495185584482, 0.16290731543146678);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void cosineSimilarityBroadcasts(DType dtype) {
        // torch.nn.CosineSimilarity(dim=-1)(x1, x2) of [2, 3, 4] and [3, 4], PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 2, 3, 4);
        Tensor x2 = tensor(dtype, 101, 3, 4);
        Tensor y = new CosineSimilarity(-1, 1e-8).forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.1481007821042691, 0.1997474803266533, 0.28041354254317263, 0.7042559993353985,
                0.6572083017145767, 0.6178003466844049);
        assertValues("gradient of input1", x1.grad(),
                -0.12024813808110899, 0.08875220692076265, 0.25601100221631823, 0.30286382288727853,
                -0.015432411595951392, -0.00020512385693940462, 0.015118636837139857, 0.02333186639149552,
                0.27344679495049945, 0.09101125281757541, -0.13422830360550103, -0.296338191467813,
                0.33712398522757825, 0.18442819951936004, -0.055007050192930784, -0.2685716246906099,
                -0.3203445545050992, -0.23620555538895804, -0.040975392759772966, 0.17352613734251357,
                0.11111799803136137, 0.10594139437311742, 0.050938897561250564, -0.028020958715904445);
        assertValues("gradient of input2", x2.grad(),
                -0.6024105590166617, -0.6384509257919126, -0.3742178460963181, 0.06601573393350603,
                0.19675294350855235, 0.2923063189924193, 0.2503834652419183, 0.09070135543857327,
                0.06108869994483904, 0.1792756496220813, 0.2131464600227517, 0.14677115976942046);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void cosineSimilarityClampsNormsBelowEps(DType dtype) {
        // torch.nn.CosineSimilarity(dim=1, eps=0.5)(0.4 * x1, x2), some rows of x1 shorter than eps, PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 4, 3);
        Tensor x2 = tensor(dtype, 101, 4, 3);
        Tensor y = new CosineSimilarity(1, 0.5).forward(x1.mul(0.4), x2);
        backward(200, y);

        assertValues("output", y,
                0.014306212264447643, 0.33444518459141304, 0.03141393898597346, 0.006837182140675913);
        assertValues("gradient of input1", x1.grad(),
                -0.12491290071101833, 0.03829161782350382, 0.18348699017260411, -0.014297804617649602,
                -0.009510779382251897, -0.0002506859933541099, 0.09647456254376625, 0.18016961569776824,
                0.17912808336120511, 0.1996628476917785, -0.06811369536719483, -0.30385530318912873);
        assertValues("gradient of input2", x2.grad(),
                -0.22906162425930882, -0.22260789484473234, -0.11145819414036931, 0.006020223783678576,
                -0.0046025377331595976, -0.013060653837456596, -0.1414960695322109, -0.026956482106629848,
                0.10026116006034702, 0.3802787810367581, 0.3601928294352696, 0.17070256198216768);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pairwiseDistanceWithItsDefaults(DType dtype) {
        // torch.nn.PairwiseDistance()(x1, x2), PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 3, 4);
        Tensor x2 = tensor(dtype, 101, 3, 4);
        Tensor y = new PairwiseDistance().forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.9075470321732987, 0.8864454409888252, 0.8508826119533814);
        assertValues("gradient of input1", x1.grad(),
                -0.0739128215673297, -0.17788919962815483, -0.19820135024497118, -0.12529615159658045,
                -0.0005270740721922531, -0.010907361195211927, -0.01615775859412787, -0.013808922332507346,
                -0.07360874083352945, 0.09210367599226364, 0.21449810689859747, 0.2360105385644939);
        assertValues("gradient of input2", x2.grad(),
                0.0739128215673297, 0.17788919962815483, 0.19820135024497118, 0.12529615159658045,
                0.0005270740721922531, 0.010907361195211927, 0.01615775859412787, 0.013808922332507346,
                0.07360874083352945, -0.09210367599226364, -0.21449810689859747, -0.2360105385644939);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pairwiseDistanceL1KeepingTheAxis(DType dtype) {
        // torch.nn.PairwiseDistance(p=1, keepdim=True)(x1, x2), PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 3, 4);
        Tensor x2 = tensor(dtype, 101, 3, 4);
        Tensor y = new PairwiseDistance(1, 1e-6, true).forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                1.7205035234947423, 1.5358295788043346, 1.542073972230135);
        assertValues("gradient of input1", x1.grad(),
                -0.30346428682833904, -0.30346428682833904, -0.30346428682833904, -0.30346428682833904,
                -0.023895770213402317, -0.023895770213402317, -0.023895770213402317, -0.023895770213402317,
                -0.3400172731420717, 0.3400172731420717, 0.3400172731420717, 0.3400172731420717);
        assertValues("gradient of input2", x2.grad(),
                0.30346428682833904, 0.30346428682833904, 0.30346428682833904, 0.30346428682833904,
                0.023895770213402317, 0.023895770213402317, 0.023895770213402317, 0.023895770213402317,
                0.3400172731420717, -0.3400172731420717, -0.3400172731420717, -0.3400172731420717);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pairwiseDistanceL3(DType dtype) {
        // torch.nn.PairwiseDistance(p=3)(x1, x2), PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 3, 4);
        Tensor x2 = tensor(dtype, 101, 3, 4);
        Tensor y = new PairwiseDistance(3, 1e-6, false).forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.7502172234208204, 0.7465145808849798, 0.7237876874729422);
        assertValues("gradient of input1", x1.grad(),
                -0.02634487822132016, -0.1526004431082984, -0.1894391995692322, -0.0757063131138267,
                -1.639267031486761e-05, -0.007020140248684924, -0.01540524569400616, -0.011251902819091211,
                -0.02202291045448286, 0.034480206915568176, 0.18700915280439934, 0.22640120159142285);
        assertValues("gradient of input2", x2.grad(),
                0.02634487822132016, 0.1526004431082984, 0.1894391995692322, 0.0757063131138267,
                1.639267031486761e-05, 0.007020140248684924, 0.01540524569400616, 0.011251902819091211,
                0.02202291045448286, -0.034480206915568176, -0.18700915280439934, -0.22640120159142285);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pairwiseDistanceOfOrderOneHalfWithoutEps(DType dtype) {
        // torch.nn.PairwiseDistance(p=0.5, eps=0)(x1, x2), PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 3, 4);
        Tensor x2 = tensor(dtype, 101, 3, 4);
        Tensor y = new PairwiseDistance(0.5, 0, false).forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                6.664548454681481, 5.134091273441144, 5.810225339965364);
        assertValues("gradient of input1", x1.grad(),
                -1.6662927477570755, -1.074080862294703, -1.017556438266618, -1.2798018443021142,
                -0.38722431210886177, -0.08511929667278692, -0.06993541267778416, -0.07564981454538171,
                -1.909631712945748, 1.7071579692261027, 1.1186674395108533, 1.0664661323733757);
        assertValues("gradient of input2", x2.grad(),
                1.6662927477570755, 1.074080862294703, 1.017556438266618, 1.2798018443021142, 0.38722431210886177,
                0.08511929667278692, 0.06993541267778416, 0.07564981454538171, 1.909631712945748,
                -1.7071579692261027, -1.1186674395108533, -1.0664661323733757);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pairwiseDistanceInfinity(DType dtype) {
        // torch.nn.PairwiseDistance(p=inf)(x1, x2), PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 3, 4);
        Tensor x2 = tensor(dtype, 101, 3, 4);
        Tensor y = new PairwiseDistance(Double.POSITIVE_INFINITY, 1e-6, false).forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.5927453575099443, 0.5993935878379596, 0.5906090053794767);
        assertValues("gradient of input1", x1.grad(),
                -0.0, -0.0, -0.30346428682833904, -0.0, -0.0, -0.0, -0.023895770213402317, -0.0, -0.0, 0.0, 0.0,
                0.3400172731420717);
        assertValues("gradient of input2", x2.grad(),
                0.0, 0.0, 0.30346428682833904, 0.0, 0.0, 0.0, 0.023895770213402317, 0.0, 0.0, -0.0, -0.0,
                -0.3400172731420717);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pairwiseDistanceBroadcasts(DType dtype) {
        // torch.nn.PairwiseDistance()(x1, x2) of [2, 3, 4] and [4], PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 2, 3, 4);
        Tensor x2 = tensor(dtype, 101, 4);
        Tensor y = new PairwiseDistance().forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.9075470321732987, 0.912160288828204, 1.2258415128420932, 0.552467478582731, 1.3664813357529924,
                0.09695145052212621);
        assertValues("gradient of input1", x1.grad(),
                -0.0739128215673297, -0.17788919962815483, -0.19820135024497118, -0.12529615159658045,
                -0.017489787399816062, -0.011056469150107594, 0.0005768669821820662, 0.011938881238145722,
                0.007499197424587488, 0.15520269379147872, 0.2299118077056542, 0.19648967553116886,
                -0.35330219873018576, -0.3019430770041782, -0.10857583060736149, 0.1358559030332586,
                -0.09071745011573792, 0.1135115385890484, 0.2643541328007873, 0.29086670348114435,
                -0.088437577264334, -0.09730698732168527, -0.060412103148645556, 0.004894834729734479);
        assertValues("gradient of input2", x2.grad(),
                0.6163606376528159, 0.3194815007235988, -0.1276535234876453, -0.5147498464168715);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pairwiseDistanceOfVectorsIsAScalar(DType dtype) {
        // torch.nn.PairwiseDistance()(x1, x2) of [5] and [5], PyTorch 1.13
        Tensor x1 = tensor(dtype, 100, 5);
        Tensor x2 = tensor(dtype, 101, 5);
        Tensor y = new PairwiseDistance().forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.9077576308982532);
        assertValues("gradient of input1", x1.grad(),
                -0.07389567387784735, -0.17784792953870615, -0.19815536775997178, -0.12526708303370662,
                0.0065364254224656235);
        assertValues("gradient of input2", x2.grad(),
                0.07389567387784735, 0.17784792953870615, 0.19815536775997178, 0.12526708303370662,
                -0.0065364254224656235);
    }

    // ---- Bilinear ----

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bilinear(DType dtype) {
        // torch.nn.Bilinear(3, 4, 2)(x1, x2), PyTorch 1.13
        Bilinear layer = (Bilinear) new Bilinear(3, 4, 2).to(dtype);
        load(layer,
                key("weight", 1, 2, 3, 4),
                key("bias", 2, 2));
        Tensor x1 = tensor(dtype, 100, 5, 3);
        Tensor x2 = tensor(dtype, 101, 5, 4);
        Tensor y = layer.forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.24731939554527543, -0.06204880560718275, 0.1872934715527872, -0.03507342190001453,
                0.13984245430144066, -0.038456705250839995, 0.11033644119732464, -0.07053730273794204,
                0.12301713304786807, -0.13780947625201667);
        assertValues("gradient of input1", x1.grad(),
                -0.028592628786055542, -0.02179921402605717, 0.06967204171479256, -0.1682522977515684,
                0.18779436593167068, -0.18563579631348212, 0.15966866032332766, -0.1443198728432309,
                0.11229415646737662, -0.00720300032715826, -0.05363905349088212, 0.1082828293900186,
                -0.12513061811948317, 0.1763970838501378, -0.20727992834532122);
        assertValues("gradient of input2", x2.grad(),
                -0.03434140852560735, -0.029865737797461968, -0.011343743918144222, 0.012513389976764792,
                -0.04572831699953958, -0.0271571437909735, 0.004186458484564344, 0.033561103919593334,
                -0.010041355047619119, 0.016890366887770774, 0.03587828535657929, 0.03799208560851545,
                0.0004230142433526325, 0.027475947459604244, 0.04160651326208196, 0.03616888575769941,
                0.04120606832217892, 0.044365913691322915, 0.026659776614913602, -0.0035848699739901083);
        assertGradient(layer, "weight",
                0.013201013262653778, -0.0444558560266667, -0.08120444158473357, -0.07976130941109838,
                -0.14820772944451494, -0.14696336029369514, -0.07659982643090246, 0.029789802707651414,
                -0.23991206118427377, -0.1803516998487496, -0.03596911600131464, 0.12533030513448387,
                -0.12955046837085596, -0.0931703096534379, -0.012970698479758876, 0.07332923486170369,
                -0.23701808098895408, -0.1511845253266803, 0.0057534749201047924, 0.1599855260114399,
                -0.23301238660827123, -0.13809429641541376, 0.021771699164515948, 0.17139812443519295);
        assertGradient(layer, "bias",
                0.22817589189401766, 0.07883832956580777);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bilinearWithoutBiasKeepsTheLeadingAxes(DType dtype) {
        // torch.nn.Bilinear(2, 3, 4, bias=False)(x1, x2), PyTorch 1.13
        Bilinear layer = (Bilinear) new Bilinear(2, 3, 4, false).to(dtype);
        load(layer,
                key("weight", 1, 4, 2, 3));
        Tensor x1 = tensor(dtype, 100, 2, 3, 2);
        Tensor x2 = tensor(dtype, 101, 2, 3, 3);
        Tensor y = layer.forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.09413576109283273, -0.08300103545569223, -0.012751449463560122, 0.09550410763027115,
                -0.13072253362831684, 0.08030086134281632, 0.051985801155727374, -0.13127406448813875,
                0.07471539804779391, -0.23060698117954948, 0.1513997379521767, 0.0821562614211482,
                -0.016496194731212308, 0.07183965200253352, -0.05394413885997204, -0.01894625635452034,
                0.021020279022135734, -0.16868527360516627, 0.14437928254936322, 0.027118262310703092,
                0.08359462000511943, 0.11888669969113932, -0.20016560207924583, 0.07738000526791375);
        assertValues("gradient of input1", x1.grad(),
                0.0628059645571365, -0.03885556867497311, -0.03256229379411363, -0.09818210254247368,
                -0.09976955298599938, -0.04969155597133086, -0.055561403088280954, 0.03670678139909414,
                0.025988896285881295, 0.04962353126256693, 0.03500587064272582, 0.003693847779817176);
        assertValues("gradient of input2", x2.grad(),
                -0.04875389549018663, -0.06674425114056227, -0.0533437425718392, -0.02336983957410508,
                0.007973209712153234, 0.03556633388594751, 0.06049126951068121, 0.06655489450717764,
                0.04131671266803519, -0.0006105429805994267, -0.02760433721194263, -0.04161538032284225,
                -0.036704591717223733, -0.03160647928032991, -0.01164334577303515, 0.009149978612325901,
                0.015647069414442955, 0.014785098978743662);
        assertGradient(layer, "weight",
                -0.02553229915004763, -0.20818196102119138, -0.292920393691196, -0.17142792714829166,
                -0.26410583350408123, -0.23257063959541585, -0.10605517238871962, -0.21528026514701964,
                -0.22325568535974114, -0.18662215419757813, -0.21541227752923126, -0.1428906408292003,
                -0.13669864089519448, -0.12112889672727141, -0.048590339737290184, -0.11404506607614298,
                -0.06540696152269868, 0.013993059046839194, -0.10305060261347546, 0.02999128451453672,
                0.14892780190861582, 0.012169198624213366, 0.11536027049992537, 0.16429560460557446);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bilinearOfOnePair(DType dtype) {
        // torch.nn.Bilinear(3, 2, 2)(x1, x2) of [3] and [2], PyTorch 1.13
        Bilinear layer = (Bilinear) new Bilinear(3, 2, 2).to(dtype);
        load(layer,
                key("weight", 1, 2, 3, 2),
                key("bias", 2, 2));
        Tensor x1 = tensor(dtype, 100, 3);
        Tensor x2 = tensor(dtype, 101, 2);
        Tensor y = layer.forward(x1, x2);
        backward(200, y);

        assertValues("output", y,
                0.2690425572312992, -0.12442497344276354);
        assertValues("gradient of input1", x1.grad(),
                -0.030867688111667034, -0.0161342691485848, 0.025383096851730083);
        assertValues("gradient of input2", x2.grad(),
                -0.06436411925530108, -0.00023850033936529107);
        assertGradient(layer, "weight",
                0.03795878856049025, -0.01113221070086148, 0.035960987641793306, -0.01054631368968927,
                0.01705017232922856, -0.0050003205595589495, -0.002988999129026652, 0.0008765866707255737,
                -0.0028316857522723365, 0.0008304512242978695, -0.001342586319913901, 0.00039374159092454267);
        assertGradient(layer, "bias",
                0.30346428682833904, -0.023895770213402317);
    }
}
