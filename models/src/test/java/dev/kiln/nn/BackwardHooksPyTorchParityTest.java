package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertGradient;
import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#registerFullBackwardHook} and {@link Module#registerFullBackwardPreHook} against PyTorch 1.13's own
 * numbers in F64 to 1e-12 (printed by {@code models/src/test/pytorch/backward_hooks.py}): the input and output
 * gradients each hook is given, the gradients after a hook replaced them, and the order in which the hooks of nested
 * modules run, for a weighted sum of the output (see {@link PyTorchParity}). PyTorch 1.13 has no backward pre-hook; a
 * hook on the module's output gradient, which runs at the same point, gave the numbers for one.
 */
class BackwardHooksPyTorchParityTest {
    private Scope scope;
    private final List<Tensor[]> gradInputs = new ArrayList<>();
    private final List<Tensor[]> gradOutputs = new ArrayList<>();

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A hook that notes what it is given and keeps the gradients. */
    private Module.BackwardHook recording() {
        return (module, gradInput, gradOutput) -> {
            gradInputs.add(gradInput);
            gradOutputs.add(gradOutput);
            return null;
        };
    }

    @Test
    void aLinearsHookSeesTheGradientsOfItsInputAndOutputAndItsReplacementReachesTheInput() {
        // torch.nn.Linear(3, 2) with a full backward hook returning (2 grad_input[0],), PyTorch 1.13
        Linear layer = (Linear) new Linear(3, 2).to(DType.F64);
        load(layer,
                key("weight", 1, 2, 3),
                key("bias", 2, 2));
        layer.registerFullBackwardHook(recording());
        layer.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradInput[0].mul(2.0)});
        Tensor x = tensor(DType.F64, 100, 2, 3);
        backward(200, layer.call(x));

        assertValues("gradInput[0]", gradInputs.get(0)[0],
                0.15371551745985704, 0.1413900946074032, 0.06256670097991698, -0.08050155264550282,
                0.06949507274951364, 0.1868070795399682);
        assertValues("gradOutput[0]", gradOutputs.get(0)[0],
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507);
        assertValues("gradient of x, replaced", x.grad(),
                0.3074310349197141, 0.2827801892148064, 0.12513340195983397, -0.16100310529100564,
                0.13899014549902727, 0.3736141590799364);
        assertGradient(layer, "weight",
                -0.18855828561721166, -0.2768966905743243, -0.23500625532418867, -0.05063541641212393,
                -0.19137516193172713, -0.24210817847544308);
        assertGradient(layer, "bias",
                -0.03655298631373266, -0.5201191098089873);
    }

    @Test
    void aConv2dsPreHookReplacesTheOutputGradientThatItsBackwardAndFullHookSee() {
        // torch.nn.Conv2d(2, 3, 3, padding=1), the output's gradient tripled before the module's backward, PyTorch 1.13
        Conv2d layer = (Conv2d) Conv2d.builder(2, 3, 3).padding(1).build().to(DType.F64);
        load(layer,
                key("weight", 1, 3, 2, 3, 3),
                key("bias", 2, 3));
        layer.registerFullBackwardPreHook((module, gradOutput) -> new Tensor[] {gradOutput[0].mul(3.0)});
        layer.registerFullBackwardHook(recording());
        Tensor x = tensor(DType.F64, 100, 1, 2, 4, 4);
        backward(200, layer.call(x));

        assertValues("gradInput[0]", gradInputs.get(0)[0],
                -2.9215597813680683, -4.1230946912273465, -2.8804058110359905, -0.9729434618390369,
                1.808593968558825, 4.385438192014382, 4.579751341205298, 2.369052842353519, -0.945519910564485,
                -3.494764174972861, -4.774115715818625, -3.2369050028052575, -0.2920238065625946,
                0.8613071826602154, 2.4027680657535058, 2.5711233330291443, -2.9409366255851035,
                -4.1167576264335475, -2.8533883706861776, -0.9513947132580811, 1.8598861079634497,
                4.428607259333056, 4.583620722421387, 2.34974365056339, -0.9931441996598109, -3.5505958404419866,
                -4.79867021090709, -3.2264085055938647, -0.25830094254672026, 0.9202150630131964,
                2.458961521570266, 2.5954537353133746);
        assertValues("gradOutput[0], tripled", gradOutputs.get(0)[0],
                0.9103928604850171, -0.07168731064020695, -1.0200518194262151, -1.4886700187867552,
                -1.257143447201149, -0.4343626689886402, 0.592705659553143, 1.3410152551256913, 1.458624422271257,
                0.8902197319873344, -0.09686920831723575, -1.0383990463270787, -1.4915535874166388,
                -1.2432071701764305, -0.41016099515437077, 0.6157903048311215, 1.3521258024656135,
                1.4525354076520862, 0.8697949141279137, -0.12202371843101766, -1.0564526895386477,
                -1.4940154532276375, -1.2289194046282794, -0.3858433576367871, 0.6387008494200022,
                1.3628540670185068, 1.4460357217160087, 0.8491241815590662, -0.14714372911650642,
                -1.074207644804328, -1.4960549201832318, -1.2142841900970212, -0.36141663169434446,
                0.6614308158849029, 1.373197015611817, 1.439127202101265, 0.8282133784596795, -0.17222213826249905,
                -1.0916588923147432, -1.4976714116705723, -1.1993056643564146, -0.3368877234275188,
                0.6839737778452192, 1.3831517240123063, 1.4318118020344919, 0.8070684168833262,
                -0.19725185551993496, -1.108801498126911);
        assertValues("gradient of x", x.grad(),
                -2.9215597813680683, -4.1230946912273465, -2.8804058110359905, -0.9729434618390369,
                1.808593968558825, 4.385438192014382, 4.579751341205298, 2.369052842353519, -0.945519910564485,
                -3.494764174972861, -4.774115715818625, -3.2369050028052575, -0.2920238065625946,
                0.8613071826602154, 2.4027680657535058, 2.5711233330291443, -2.9409366255851035,
                -4.1167576264335475, -2.8533883706861776, -0.9513947132580811, 1.8598861079634497,
                4.428607259333056, 4.583620722421387, 2.34974365056339, -0.9931441996598109, -3.5505958404419866,
                -4.79867021090709, -3.2264085055938647, -0.25830094254672026, 0.9202150630131964,
                2.458961521570266, 2.5954537353133746);
        assertGradient(layer, "weight",
                -0.12798511611484273, 2.88656771838287, 3.147840206222024, 1.6472555745038984, -2.1202979626622143,
                -3.745460762534088, -2.271573928973164, 0.08239747306431384, 2.074307463159055,
                -2.0885259723500393, -2.251547363210949, 1.3766833448938256, 3.088905846637259, 4.481905084633306,
                -0.09104008036658366, -1.8190055860441934, -3.905094331550821, -0.7898907614760751,
                4.519889818508067, 4.387233830924427, 2.384697448174184, -5.265437135472987, -6.446963301454822,
                -4.274986499696265, 3.3800515221267573, 4.902260401713307, 4.115406817923175, 0.7360300511061774,
                3.2218685778923817, 4.01185537344308, 0.6572889347333458, -2.504477173622604, -4.735427402304701,
                -1.4075587617521828, 0.41769833257376715, 2.938322630380072, 1.9631043502787682,
                -1.1053081056072986, -2.179629844791042, -3.7850742717696817, -0.49723185145036236,
                2.009774658138496, 3.6439077268726225, 1.9079679374434153, -0.403412261896597, 2.387361332932709,
                3.559657347004854, 0.2521689625987859, -2.822040145267094, -5.498747179770221, -1.8315895094903032,
                1.2475230365514494, 4.074683917793814, 1.9828783323478234);
        assertGradient(layer, "bias",
                -2.7433570381811565, -0.24777416370425964, 2.64275831746007);
    }

    @Test
    void hooksOnInnerModulesOfASequentialSeeTheirOwnGradientsAndAReplacementReachesEverythingBefore() {
        // torch.nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)), hooks on [0] and on [1] returning (0.5 grad_input[0] + grad_output[0],), PyTorch 1.13
        Sequential model = (Sequential) new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)).to(DType.F64);
        load(model,
                key("0.weight", 1, 4, 3),
                key("0.bias", 2, 4),
                key("2.weight", 3, 2, 4),
                key("2.bias", 4, 2));
        model.get(0).registerFullBackwardHook(recording());
        model.get(1).registerFullBackwardHook(recording());
        model.get(1).registerFullBackwardHook((module, gradInput, gradOutput) ->
                new Tensor[] {gradInput[0].mul(0.5).add(gradOutput[0])});
        Tensor x = tensor(DType.F64, 100, 2, 3);
        backward(200, model.call(x));

        assertEquals(2, gradInputs.size(), "the ReLU's hook, then the first Linear's");
        assertValues("ReLU's gradInput[0]", gradInputs.get(0)[0],
                0.0, -0.16292761507247266, 0.0, 0.0, 0.0060676717604755525, 0.0, 0.0, 0.0);
        assertValues("ReLU's gradOutput[0]", gradOutputs.get(0)[0],
                -0.1207348743033551, -0.16292761507247266, -0.1284929526587952, -0.03362604685191774,
                0.0060676717604755525, -0.06273315081372959, -0.10202959232771684, -0.09333992231362137);
        assertValues("first Linear's gradInput[0]", gradInputs.get(1)[0],
                0.007317692822594558, 0.03894445895484559, 0.05225503751667562, 0.0015735734509712282,
                -0.00947525503980908, -0.016067723030423153);
        assertValues("first Linear's gradOutput[0], the ReLU's replacement", gradOutputs.get(1)[0],
                -0.1207348743033551, -0.244391422608709, -0.1284929526587952, -0.03362604685191774,
                0.009101507640713328, -0.06273315081372959, -0.10202959232771684, -0.09333992231362137);
        assertValues("gradient of x", x.grad(),
                0.007317692822594558, 0.03894445895484559, 0.05225503751667562, 0.0015735734509712282,
                -0.00947525503980908, -0.016067723030423153);
        assertGradient(model, "0.weight",
                0.05922073139514398, 0.05873416337383739, 0.030624000571195777, 0.10971317216321462,
                0.08580948362490068, 0.021548254127627425, 0.049038431745165284, 0.016971733289450543,
                -0.02307703652294064, 0.004489424905690216, -0.02272137647806286, -0.03924595947288155);
        assertGradient(model, "0.bias",
                -0.11163336666264177, -0.3071245734224386, -0.23052254498651203, -0.1269659691655391);
        assertGradient(model, "2.weight",
                -0.18183189850338707, 0.07931261104094378, 0.0, 0.0, -0.2653666123681167, -0.006245334330004466,
                0.0, 0.0);
        assertGradient(model, "2.bias",
                -0.03655298631373266, -0.5201191098089873);
    }

    @Test
    void aTwoInputModulesHookSeesBothInputGradientsAndANullReplacementLeavesAnInputWithout() {
        // torch.nn.Bilinear(3, 2, 4)(x1, x2) with a full backward hook returning (2 grad_input[0], None), PyTorch 1.13
        Bilinear layer = (Bilinear) new Bilinear(3, 2, 4).to(DType.F64);
        load(layer,
                key("weight", 1, 4, 3, 2),
                key("bias", 2, 4));
        layer.registerFullBackwardHook(recording());
        layer.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradInput[0].mul(2.0), null});
        Tensor x1 = tensor(DType.F64, 100, 2, 3);
        Tensor x2 = tensor(DType.F64, 101, 2, 2);
        backward(200, layer.call(x1, x2));

        assertValues("gradInput[0]", gradInputs.get(0)[0],
                0.012242437317533272, -0.02462149219754395, -0.020612126683047537, -0.030770460696200708,
                -0.12750437109875862, -0.012572646629695317);
        assertValues("gradInput[1]", gradInputs.get(0)[1],
                -0.06404165932137884, -0.09004329306956184, -0.09377620394415147, -0.05354363825593496);
        assertValues("gradOutput[0]", gradOutputs.get(0)[0],
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507,
                -0.4190478157337163, -0.14478755632954673, 0.197568553184381, 0.4470050850418971);
        assertValues("gradient of x1, doubled", x1.grad(),
                0.024484874635066545, -0.0492429843950879, -0.04122425336609507, -0.061540921392401415,
                -0.25500874219751724, -0.025145293259390633);
        assertNull(x2.grad(), "the hook handed x2 no gradient");
        assertGradient(layer, "weight",
                0.01819602486888993, -0.03736203729733423, -0.028376279237087153, -0.09593696958470853,
                -0.0616027758262675, -0.10939124601989184, -0.009817342229240732, -0.00818622753151888,
                -0.02506121494336194, -0.028673352246839718, -0.02851840667733412, -0.03567495136698355,
                -0.03321345987675579, 0.02483969295570331, -0.00995946966948853, 0.05207579068620514,
                0.017978614744345502, 0.054819830350308414, -0.04098876836960717, 0.04618311771494981,
                0.009826369810951134, 0.10833287555285324, 0.05602001272815492, 0.11953198927037337);
        assertGradient(layer, "bias",
                -0.11558352890537726, -0.16868332654294904, -0.1424487199576907, -0.049218254553687946);
    }

    @Test
    void aGruCellsHookSeesTheGradientsOfItsInputAndStateAndItsReplacementReachesTheState() {
        // torch.nn.GRUCell(3, 4)(x, h) with a full backward hook returning (grad_input[0], 2 grad_input[1]), PyTorch 1.13
        GRUCell cell = (GRUCell) new GRUCell(3, 4).to(DType.F64);
        load(cell,
                key("weight_ih", 1, 12, 3),
                key("weight_hh", 2, 12, 4),
                key("bias_ih", 3, 12),
                key("bias_hh", 4, 12));
        cell.registerFullBackwardHook(recording());
        cell.registerFullBackwardHook((module, gradInput, gradOutput) ->
                new Tensor[] {gradInput[0], gradInput[1].mul(2.0)});
        Tensor x = tensor(DType.F64, 100, 2, 3);
        Tensor h = tensor(DType.F64, 101, 2, 4);
        backward(200, cell.call(x, h));

        assertValues("gradInput[0]", gradInputs.get(0)[0],
                0.08718933935838478, 0.10867478412578142, 0.07904877982847947, 0.014026845944109492,
                0.0784211909689321, 0.1059328245161562);
        assertValues("gradInput[1]", gradInputs.get(0)[1],
                0.1871400177811185, -0.008128356013352878, -0.13673476018973688, -0.17499971679210136,
                -0.231128138730044, -0.09811134434185273, 0.1011121041280861, 0.13376245329331063);
        assertValues("gradOutput[0]", gradOutputs.get(0)[0],
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507,
                -0.4190478157337163, -0.14478755632954673, 0.197568553184381, 0.4470050850418971);
        assertValues("gradient of x", x.grad(),
                0.08718933935838478, 0.10867478412578142, 0.07904877982847947, 0.014026845944109492,
                0.0784211909689321, 0.1059328245161562);
        assertValues("gradient of h, doubled", h.grad(),
                0.374280035562237, -0.016256712026705755, -0.27346952037947375, -0.3499994335842027,
                -0.462256277460088, -0.19622268868370546, 0.2022242082561722, 0.26752490658662126);
        assertGradient(cell, "weight_ih",
                0.0037979649587478754, 0.011626187349514084, 0.013986432165615108, -0.0001803063833243556,
                -0.00013327415967076856, -2.3561016257828475e-05, 0.00527239191040538, 0.004311302111737094,
                0.0013225395639650326, 0.0007226194890782244, 0.012348459107369262, 0.018166625457468256,
                -0.0023499632243941596, -0.02219095924266103, -0.031595200385800985, 0.001666914182796097,
                -1.2459626970544459e-05, -0.0016859734794858845, 0.017519647734170824, 0.024334102241055443,
                0.019703848233135222, 0.04525275381817913, 0.02396299552052837, -0.00859693400256067,
                -0.05555641814243122, -0.09278528685657092, -0.08637578535196401, -0.004746921697043773,
                -0.017536271969066757, -0.02207803952222925, 0.07614805814704582, 0.07712520374185934,
                0.04182916090232412, 0.13541597047013781, 0.20319444488690014, 0.17540739687256715);
        assertGradient(cell, "weight_hh",
                0.010952959456802646, 0.002551855360949165, -0.007049426184998599, -0.01333525244581915,
                -5.583600588126371e-05, 4.3329960885870456e-05, 0.0001221171699990691, 0.00014347076592828445,
                0.0020919007363378243, -0.001104306033141127, -0.0037811404199761807, -0.004679645385347497,
                0.013321401973538042, 0.004467669846016065, -0.006487277219354129, -0.014391156441959782,
                -0.02340344264793876, -0.007470728722515696, 0.011975585654462615, 0.025789594974460255,
                -0.0008635544652379806, -0.0008895154857938123, -0.0004971234743180056, 0.00012907347489820627,
                0.018046340316351203, 0.0002622199493257775, -0.017645226557167562, -0.027253847299554525,
                0.0034974409815033856, -0.01460135266966917, -0.02583290200786858, -0.02491483388153744,
                -0.029124282588955795, -0.005374503866913419, 0.020902988002677824, 0.03734947799641295,
                -0.0028698285569120578, -0.0008355066392849788, 0.0015917671059491652, 0.003270407909208376,
                0.019364221209429818, -0.003566434164652342, -0.024819739824028072, -0.034399934025030346,
                0.08784714442605447, 0.00536601055877926, -0.07963884192051868, -0.1271883026533658);
        assertGradient(cell, "bias_ih",
                0.027115010279224624, 0.000538527799369761, -0.013940986481883378, 0.04936306452743835,
                -0.08217939381079058, -0.010406084226739052, -0.0026802019976740754, -0.17652467963542967,
                -0.05961665725401191, -0.046995265546954816, -0.1365523883870963, 0.045164029429346414);
        assertGradient(cell, "bias_hh",
                0.027115010279224624, 0.000538527799369761, -0.013940986481883378, 0.04936306452743835,
                -0.08217939381079058, -0.010406084226739052, -0.0026802019976740754, -0.17652467963542967,
                -0.05515088636440903, -0.009109170950538049, -0.04909662766847069, 0.03607786331245173);
    }

    @Test
    void anEmbeddingBagsHookGetsNullsForItsIndicesAndOffsetsAndTheOutputGradient() {
        // torch.nn.EmbeddingBag(6, 3)(indices, offsets) with a full backward hook, PyTorch 1.13
        EmbeddingBag bags = (EmbeddingBag) new EmbeddingBag(6, 3).to(DType.F64);
        load(bags,
                key("weight", 1, 6, 3));
        bags.registerFullBackwardHook(recording());
        Tensor indices = Tensor.fromArray(new long[] {1, 4, 4, 0, 5, 2, 3}, 7);
        Tensor offsets = Tensor.fromArray(new long[] {0, 2, 5}, 3);
        backward(200, bags.call(indices, offsets));

        assertNull(gradInputs.get(0)[0], "gradInput[0], of the indices");
        assertNull(gradInputs.get(0)[1], "gradInput[1], of the offsets");
        assertValues("gradOutput[0]", gradOutputs.get(0)[0],
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507,
                -0.4190478157337163, -0.14478755632954673, 0.197568553184381, 0.4470050850418971,
                0.4862081407570856);
        assertGradient(bags, "weight",
                -0.165407779865195, -0.1396826052445721, -0.04826251877651558, 0.15173214341416952,
                -0.011947885106701158, -0.17000863657103585, 0.0987842765921905, 0.22350254252094856,
                0.2431040703785428, 0.0987842765921905, 0.22350254252094856, 0.2431040703785428,
                -0.013675636451025494, -0.15163049035127324, -0.21827115534755143, -0.165407779865195,
                -0.1396826052445721, -0.04826251877651558);
    }

    @Test
    void aHookOnAModuleWhoseInputNeedsNoGradientGetsANullInputGradientAndTheOutputGradient() {
        // torch.nn.Linear(3, 2) on an input without requires_grad, with a full backward hook, PyTorch 1.13
        Linear layer = (Linear) new Linear(3, 2).to(DType.F64);
        load(layer,
                key("weight", 1, 2, 3),
                key("bias", 2, 2));
        layer.registerFullBackwardHook(recording());
        Tensor x = tensor(DType.F64, 100, 2, 3).detach();
        backward(200, layer.call(x));

        assertNull(gradInputs.get(0)[0], "gradInput[0]");
        assertValues("gradOutput[0]", gradOutputs.get(0)[0],
                0.30346428682833904, -0.023895770213402317, -0.3400172731420717, -0.49622333959558507);
        assertGradient(layer, "weight",
                -0.18855828561721166, -0.2768966905743243, -0.23500625532418867, -0.05063541641212393,
                -0.19137516193172713, -0.24210817847544308);
        assertGradient(layer, "bias",
                -0.03655298631373266, -0.5201191098089873);
    }

    @Test
    void aReplacedGradientIsDifferentiatedAgainUnderCreateGraphAndTheHookRunsInBothPasses() {
        // torch.nn.Linear(3, 2), hook returning (grad_input[0] ** 2,), g = autograd.grad((tanh(y) p200).sum(), x, create_graph=True), then (g p300).sum().backward(), PyTorch 1.13
        Linear layer = (Linear) new Linear(3, 2).to(DType.F64);
        load(layer,
                key("weight", 1, 2, 3),
                key("bias", 2, 2));
        layer.registerFullBackwardHook(recording());
        layer.registerFullBackwardHook((module, gradInput, gradOutput) -> new Tensor[] {gradInput[0].mul(gradInput[0])});
        Tensor x = tensor(DType.F64, 100, 2, 3);
        Tensor loss = layer.call(x).tanh().mul(values(200, 2, 2)).sum();
        Tensor g = Autograd.grad(loss, List.of(x), GradOptions.DEFAULT.withCreateGraph()).get(0);
        g.mul(values(300, 2, 3)).sum().backward();

        assertEquals(2, gradInputs.size(), "the hook runs in the second pass too");
        assertValues("gradInput[0] of pass 1", gradInputs.get(0)[0],
                0.14403872084078753, 0.13247329970591837, 0.05860361576694887, -0.06369397566656808,
                0.04680424659439618, 0.1352897003454892);
        assertValues("gradOutput[0] of pass 1", gradOutputs.get(0)[0],
                0.284380490515004, -0.022335059008325213, -0.25870509222518956, -0.3636231777298034);
        assertValues("gradInput[0] of pass 2", gradInputs.get(1)[0],
                0.007210596478738685, 0.00662058723999089, 0.0029168123727461286, -0.0005338804855668793,
                0.006057187954548642, 0.00979946625346736);
        assertValues("gradOutput[0] of pass 2", gradOutputs.get(1)[0],
                0.014250054663564698, -0.0010789581914721067, -0.009315237291014349, -0.02312521369822272);
        assertValues("first derivative, replaced", g,
                0.02074715310145032, 0.01754917513497407, 0.003434383780960178, 0.004056922536213366,
                0.0021906374992690463, 0.01830330301957226);
        assertValues("gradient of x", x.grad(),
                5.199270157919872e-05, 4.383217540233019e-05, 8.5077944178049e-06, 2.8502837286912677e-07,
                3.668952591672916e-05, 9.602953885284562e-05);
        assertGradient(layer, "weight",
                0.021013239610410534, 0.02778607545845737, 0.03524303749038936, 0.007047760479141151,
                -0.008338634212980256, 0.02605357860895307);
        assertGradient(layer, "bias",
                0.004934817372550349, -0.024204171889694828);
    }

    @Test
    void theHooksOfNestedModulesRunInPyTorchsOrder() {
        // hooks on a Sequential(Linear(3, 4), ReLU(), Linear(4, 2)) and on each of its modules, PyTorch 1.13
        Sequential model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        List<String> order = new ArrayList<>();
        model.registerFullBackwardHook((module, gradInput, gradOutput) -> {
            order.add("(root)");
            return null;
        });
        for (int i = 0; i < 3; i++) {
            String name = Integer.toString(i);
            model.get(i).registerFullBackwardHook((module, gradInput, gradOutput) -> {
                order.add(name);
                return null;
            });
        }
        model.to(DType.F64).call(tensor(DType.F64, 100, 2, 3)).sum().backward();
        assertEquals(List.of("2", "1", "0", "(root)"), order);
    }
}
