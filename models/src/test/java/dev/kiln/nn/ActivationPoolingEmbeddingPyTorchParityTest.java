package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Activations, softmax, pooling and {@link Embedding} against PyTorch's own numbers: outputs and the
 * gradients of the input (or the table) for a weighted sum of the outputs (see {@link PyTorchParity}).
 */
class ActivationPoolingEmbeddingPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void geluIsTheExactOne(DType dtype) {
        // torch.nn.GELU()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new GELU().forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                -0.10749369913601288, -0.1172757678479759, -0.16751517217059092, 0.24280245416309137,
                1.0874660419925866, 1.3940628138306401, 0.9110623993912984, 0.07326557970271745,
                -0.1675600074561449, -0.10663517024497415);
        assertValues("input gradient", x.grad(),
                -0.11719800096466088, 0.009206862971796462, -0.04978730639581706, -1.1701622044219537,
                -1.408355533105683, -0.4898000424565623, 0.6503897182009157, 0.8115087218537371,
                -0.06205133094749264, -0.11452412393914327);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void geluWithTheTanhApproximation(DType dtype) {
        // torch.nn.GELU(approximate='tanh')(8 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new GELU("tanh").forward(x.mul(8));
        backward(200, y);

        assertValues("output", y,
                -0.00014182279144461544, -0.00034126525223692654, -0.07260670571194323, 0.8429886184650105,
                3.2593699372983935, 3.986382122988914, 2.8311437576831415, 0.22555944734980596,
                -0.024523902291624322, -0.00013086162522195358);
        assertValues("input gradient", x.grad(),
                -0.0015515307944211877, 0.00027182475445172336, 0.30870717130669156, -4.300726949394508,
                -3.3704108545317872, -1.158712380770966, 1.6086047813339606, 2.755549619939316,
                -0.21559140255778608, -0.0014093960948402843);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void siluIsXTimesSigmoidOfX(DType dtype) {
        // torch.nn.SiLU()(8 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new SiLU().forward(x.mul(8));
        backward(200, y);

        assertValues("output", y,
                -0.08030601506228517, -0.09272648120093376, -0.26061134050189017, 0.7325977066600324,
                3.1404289414010043, 3.9137959593183456, 2.6801068116430664, 0.20765225250314778,
                -0.2099367530700306, -0.07928385623593696);
        assertValues("input gradient", x.grad(),
                -0.14023327487975637, 0.012413475231086286, 0.19193931861637348, -3.6846433607285016,
                -3.6174319628648632, -1.2198174518531901, 1.727529227291852, 2.407121716044228,
                -0.3863456501946366, -0.1356733658393984);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void eluWithDefaultAlpha(DType dtype) {
        // torch.nn.ELU()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new ELU().forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                -0.7638270408236856, -0.7451893588504075, -0.47703802828328745, 0.3756220065360126,
                1.2228296435259909, 1.4949213919254247, 1.0639282509112582, 0.13255302915600214,
                -0.5773301720945618, -0.7653973560116243);
        assertValues("input gradient", x.grad(),
                0.21501017587373605, -0.01826668958652114, -0.5334483107403535, -1.4886700187867552,
                -1.257143447201149, -0.4343626689886402, 0.592705659553143, 1.3410152551256913, 0.6165165335400613,
                0.20884790285485189);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void eluWithAlpha(DType dtype) {
        // torch.nn.ELU(alpha=0.7)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new ELU(0.7).forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                -0.5346789285765798, -0.5216325511952852, -0.3339266197983012, 0.3756220065360126,
                1.2228296435259909, 1.4949213919254247, 1.0639282509112582, 0.13255302915600214,
                -0.40413112046619326, -0.5357781492081369);
        assertValues("input gradient", x.grad(),
                0.15050712311161524, -0.012786682710564795, -0.37341381751824737, -1.4886700187867552,
                -1.257143447201149, -0.4343626689886402, 0.592705659553143, 1.3410152551256913, 0.4315615734780429,
                0.14619353199839635);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void leakyReluWithDefaultSlope(DType dtype) {
        // torch.nn.LeakyReLU()(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new LeakyReLU().forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                -0.01443190864514631, -0.013672345934026655, -0.006482465293835763, 0.3756220065360126,
                1.2228296435259909, 1.4949213919254247, 1.0639282509112582, 0.13255302915600214,
                -0.008611639534095036, -0.0144986207262859);
        assertValues("input gradient", x.grad(),
                0.00910392860485017, -0.0007168731064020696, -0.01020051819426215, -1.4886700187867552,
                -1.257143447201149, -0.4343626689886402, 0.592705659553143, 1.3410152551256913,
                0.014586244222712569, 0.008902197319873345);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void leakyReluWithSlope(DType dtype) {
        // torch.nn.LeakyReLU(0.2)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 5);
        Tensor y = new LeakyReLU(0.2).forward(x.mul(3));
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
    void softmaxOverTheFirstAxis(DType dtype) {
        // torch.nn.Softmax(dim=0)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2);
        Tensor y = new Softmax(0).forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                0.07536060809853216, 0.18245720128462004, 0.5530291725867026, 0.8612228727612085,
                0.9295303310025476, 0.8928637159943927, 0.9246393919014677, 0.81754279871538, 0.44697082741329747,
                0.13877712723879165, 0.07046966899745231, 0.10713628400560722);
        assertValues("input gradient", x.grad(),
                0.022136884744014408, -0.21072799755560306, -0.6126987919558453, -0.28432023133488593,
                -0.07600224956879682, 0.05778097258276839, -0.022136884744014356, 0.21072799755560293,
                0.6126987919558454, 0.2843202313348861, 0.0760022495687966, -0.05778097258276847);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softmaxOverTheMiddleAxis(DType dtype) {
        // torch.nn.Softmax(dim=1)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2);
        Tensor y = new Softmax(1).forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                0.05682807063896799, 0.04130037354027812, 0.12583540458594464, 0.23597553736584273,
                0.8173365247750873, 0.7227240890938791, 0.80989302228513, 0.5973366431824496, 0.11813286473569137,
                0.12273968666333548, 0.07197411297917859, 0.27992367015421493);
        assertValues("input gradient", x.grad(),
                0.11448156220593461, 0.024635155487972994, 0.010580266043082138, -0.19361680378569557,
                -0.12506182824901677, 0.16898164829772255, -0.04265052529030629, 0.43090962585114756,
                0.09607236005035306, 0.033212053530978385, -0.053421834760046784, -0.4641216793821261);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softmaxOverTheLastAxisByDefault(DType dtype) {
        // torch.nn.Softmax(dim=-1)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2);
        Tensor y = new Softmax().forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                0.4810200565142026, 0.5189799434857973, 0.2642745419200204, 0.7357254580799795,
                0.43239364609743225, 0.5676063539025678, 0.7173542048640696, 0.2826457951359303,
                0.6430663780693419, 0.35693362193065825, 0.32491904740724964, 0.6750809525927504);
        assertValues("input gradient", x.grad(),
                0.24516625993446076, -0.24516625993446073, 0.09111508060784486, -0.09111508060784494,
                -0.20193457702299017, 0.20193457702299028, -0.15172512063750251, 0.15172512063750254,
                0.1304670718876457, -0.13046707188764584, 0.20652142529472223, -0.20652142529472223);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void logSoftmaxOverTheMiddleAxis(DType dtype) {
        // torch.nn.LogSoftmax(dim=1)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2);
        Tensor y = F.logSoftmax(x.mul(3), 1);
        backward(200, y);

        assertValues("output", y,
                -2.8677248739420382, -3.1868837344972594, -2.0727805388109837, -1.4440271345585813,
                -0.20170436590141647, -0.32472774916916924, -0.2108531112907544, -0.5152744330886752,
                -2.1359453156115165, -2.0976895348732674, -2.6314487665726407, -1.273238319568908);
        assertValues("input gradient", x.grad(),
                0.9880656041707858, 0.010695370402620408, -0.8480596856602503, -1.0179648952662403,
                -0.14000591851053562, 1.0072695248636199, -0.9901985642296096, 0.6284906383892344,
                1.227738360270034, 0.7438114223745023, -0.23753979604042444, -1.3723020607637366);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void avgPoolWithPaddingCountsThePadding(DType dtype) {
        // torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=True)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 1, 2, 5, 4);
        Tensor y = new AvgPool2d(3, 2, 1).forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                -0.010297158051764541, 0.11683817286027286, 0.2271082974623916, 0.33726237503992723,
                0.09588547393076964, 0.010262945907967995, 0.10353933593838256, 0.09820114379962759,
                0.1880526898197858, -0.11146269345962323, -0.032669565005169376, -0.1402071133002647);
        assertValues("input gradient", x.grad(),
                0.10115476227611302, 0.09318950553831225, -0.007965256737800772, -0.007965256737800772,
                -0.012184328771244209, -0.18555736537424, -0.1733730366029958, -0.1733730366029958,
                -0.11333909104735723, -0.27874687091255224, -0.16540777986519503, -0.16540777986519503,
                -0.25302169629192933, -0.46669199493363994, -0.2136702986417106, -0.2136702986417106,
                -0.1396826052445721, -0.1879451240210877, -0.04826251877651558, -0.04826251877651558,
                0.06585618439479365, 0.21485787940875936, 0.1490016950139657, 0.1490016950139657,
                0.22792556464715552, 0.4758405632152696, 0.247914998568114, 0.247914998568114, 0.16206938025236187,
                0.26098268380651013, 0.09891330355414828, 0.09891330355414828, 0.1513061348837801,
                0.13484176662380853, -0.016464368259971558, -0.016464368259971558, -0.01076324536858175,
                -0.1261409171827016, -0.11537767181411984, -0.11537767181411984);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void avgPoolOverlapping(DType dtype) {
        // torch.nn.AvgPool2d(2, stride=1)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 1, 1, 3, 4);
        Tensor y = new AvgPool2d(2, 1).forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                -0.023168605616470217, 0.13584213001261025, 0.23096418930492418, 0.10168125235333053,
                -0.0619199585406337, -0.19639924540689954);
        assertValues("input gradient", x.grad(),
                0.22759821512125428, 0.20967638746120254, -0.2729347825166055, -0.2550129548565538,
                -0.14456928957543452, -0.47677697903577354, -0.6958113115640528, -0.3636036221037138,
                -0.3721675046966888, -0.6864533664969761, -0.4228765290474473, -0.10859066724716004);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxPoolWithPaddingNeverPicksThePadding(DType dtype) {
        // torch.nn.MaxPool2d(3, stride=2, padding=1)(-3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 1, 2, 5, 4);
        Tensor y = new MaxPool2d(3, 2, 1).forward(x.mul(-3));
        backward(200, y);

        assertValues("output", y,
                1.443190864514631, 1.3672345934026655, 1.44986207262859, 1.44986207262859, 0.8816925107511098,
                1.4561233652502663, 0.602398364583561, 1.461972972141742, 1.3343854219187663, 1.461972972141742,
                1.467409239459826, 1.3226769282221715);
        assertValues("input gradient", x.grad(),
                -0.9103928604850171, 0.07168731064020695, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0,
                2.50872183821297, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, 1.257143447201149, 0.4343626689886402,
                -0.0, -0.592705659553143, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -2.2312349871130257,
                -1.458624422271257, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, 0.09686920831723575,
                1.0383990463270787, -0.0, -0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxPoolWithEvenKernelAndPadding(DType dtype) {
        // torch.nn.MaxPool2d(2, stride=2, padding=1)(3 * x), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 1, 1, 3, 4);
        Tensor y = new MaxPool2d(2, 2, 1).forward(x.mul(3));
        backward(200, y);

        assertValues("output", y,
                -1.443190864514631, -0.6482465293835763, 0.3756220065360126, 1.2228296435259909,
                1.4949213919254247, 0.13255302915600214);
        assertValues("input gradient", x.grad(),
                0.9103928604850171, 0.0, -0.07168731064020695, -1.0200518194262151, -1.4886700187867552,
                -1.257143447201149, 0.0, -0.4343626689886402, 0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void embeddingPaddingRowGetsNoGradient(DType dtype) {
        // torch.nn.Embedding(5, 3, padding_idx=1), PyTorch 1.13
        Embedding layer = (Embedding) new Embedding(5, 3, 1).to(dtype);
        load(layer,
                key("weight", 1, 5, 3));
        Tensor y = layer.forward(Tensor.fromArray(new long[] {0, 1, 2, 1, 4, 0}, 2, 3));
        backward(200, y);

        assertValues("output", y,
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, -0.17539161384480972,
                -0.4357878862067939, -0.4912263063121663, -0.31563331893616114, 0.008406950242174412,
                0.3284932993593942, -0.17539161384480972, -0.4357878862067939, -0.4912263063121663,
                -0.18323956462596339, -0.439847879985835, -0.4895888645756587, 0.4927248649942301,
                0.43160468332443686, 0.16749407507795233);
        assertGradient(layer, "weight",
                0.5087277217720462, 0.4268128306084688, 0.14416119607529038, 0.0, 0.0, 0.0, 0.197568553184381,
                0.4470050850418971, 0.4862081407570856, 0.0, 0.0, 0.0, -0.4971845291388796, -0.41440239005881013,
                -0.1367203317181236);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void embeddingNegativePaddingIndexCountsFromTheEnd(DType dtype) {
        // torch.nn.Embedding(5, 3, padding_idx=-2), PyTorch 1.13
        Embedding layer = (Embedding) new Embedding(5, 3, -2).to(dtype);
        load(layer,
                key("weight", 1, 5, 3));
        Tensor y = layer.forward(Tensor.fromArray(new long[] {0, 3, 2, 3, 4, 0}, 2, 3));
        backward(200, y);

        assertValues("output", y,
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, 0.49408411693850013,
                0.4272994540441402, 0.15954918117467606, -0.31563331893616114, 0.008406950242174412,
                0.3284932993593942, 0.49408411693850013, 0.4272994540441402, 0.15954918117467606,
                -0.18323956462596339, -0.439847879985835, -0.4895888645756587, 0.4927248649942301,
                0.43160468332443686, 0.16749407507795233);
        assertGradient(layer, "weight",
                0.5087277217720462, 0.4268128306084688, 0.14416119607529038, 0.0, 0.0, 0.0, 0.197568553184381,
                0.4470050850418971, 0.4862081407570856, 0.0, 0.0, 0.0, -0.4971845291388796, -0.41440239005881013,
                -0.1367203317181236);
    }
}
