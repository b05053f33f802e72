package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Orthogonal} against PyTorch 1.13's own numbers (printed by {@code models/src/test/pytorch/orthogonal.py}), in
 * F64: {@code orthogonal(module, "weight", map, use_trivialization=...)} on square, tall and wide Linear weights and
 * batches of matrices (Conv1d weights), each map with and without trivialization. For each: the state-dict keys, the
 * original and the base that registration leaves and the weight it starts with; then, with the original loaded from
 * the pattern (see {@link PyTorchParity}; householder keeps the one registration leaves, as it reads the diagonal's
 * integer part) and base from PyTorch's (its random completion of a non-square weight), the output, the weight and
 * the gradients of the input, the original and the bias; and two SGD steps with momentum, after which the weight is
 * still orthogonal to 1e-12.
 */
class OrthogonalPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /**
     * {@code layer} in F64 with its weight the cube of the pattern of seed 1 (the pattern's own matrices have rank 2 at
     * most) and its bias the pattern of seed 2, then made orthogonal.
     */
    private static <M extends Module> M orthogonal(M layer, int[] weightDims, int outputs, String map,
            boolean trivialization) {
        layer.to(DType.F64);
        layer.loadStateDict(Map.of("weight", values(1, weightDims).pow(3), "bias", values(2, outputs)), true);
        return Orthogonal.apply(layer, "weight", map, trivialization);
    }

    /** Sets base, PyTorch's after registration. */
    private static void loadBase(Module layer, double[] values, int... dims) {
        layer.loadStateDict(Map.of("parametrizations.weight.0.base", Tensor.fromArray(values, dims)), false);
    }

    @Test
    void squareMatrixExpRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(3, 3), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "matrix_exp", true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0);
        assertValues("base", layer.stateDict().get("parametrizations.weight.0.base"),
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555);
        assertValues("weight", layer.param("weight"),
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555);
    }

    @Test
    void squareMatrixExpForwardAndBackward() {
        // orthogonal(Linear(3, 3), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then forward and backward
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "matrix_exp", true);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3));
        loadBase(layer, new double[] {
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555}, 3, 3);
        Tensor x = tensor(DType.F64, 100, 2, 3);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.11479086592272686, 0.35249240709227353, -0.16489572748215142, 0.7325389068346099,
                0.5281210270133709, 0.7702432014011308);
        assertValues("weight", layer.param("weight"),
                0.8395482585282593, 0.5205556659695515, -0.15550086890163295, 0.5024071935742193,
                -0.6349734513447345, 0.5868523902415611, -0.20675041341444392, 0.5708156573836715,
                0.7946217665270717);
        assertValues("input gradient", x.grad(),
                0.31306621847121757, -0.020943949677549225, -0.3313973763826902, -0.5972011905463326,
                -0.07487463732513013, -0.28380739559417545);
        assertGradient(layer, "bias",
                -0.19275905276724603, -0.44294358594711863, -0.4848048294716184);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.0, 0.24932369446559552, 0.0, 0.0, 0.5488734408745373, -0.10906285860844224, 0.0);
    }

    @Test
    void squareMatrixExpTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(3, 3), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "matrix_exp", true);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3));
        loadBase(layer, new double[] {
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555}, 3, 3);
        Tensor x = tensor(DType.F64, 100, 2, 3).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.2136899401169149, -0.1277705510134156, -0.40913855553220513, -0.5697318731976729,
                -0.35277016278519596, -0.04154470140874864, 0.13172310090176792, 0.5154328147769306,
                0.45108591687814703);
        assertValues("bias", layer.stateDict().get("bias"),
                0.5486249902967314, 0.5600583232491013, 0.30808747562472166);
        assertValues("weight", layer.param("weight"),
                0.7915285044222394, 0.6100025605945656, -0.03714165794853005, 0.48656133160346837,
                -0.5922474684670178, 0.6422624126341728, -0.3697846633858042, 0.5264407014683435,
                0.7655844111279736);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void squareCayleyRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(3, 3), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "cayley", true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0);
        assertValues("base", layer.stateDict().get("parametrizations.weight.0.base"),
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555);
        assertValues("weight", layer.param("weight"),
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555);
    }

    @Test
    void squareCayleyForwardAndBackward() {
        // orthogonal(Linear(3, 3), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then forward and backward
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "cayley", true);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3));
        loadBase(layer, new double[] {
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555}, 3, 3);
        Tensor x = tensor(DType.F64, 100, 2, 3);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.11868382135862215, 0.3748280726002078, -0.16231334014355553, 0.7386174693400099,
                0.5123933849435657, 0.7701073020859559);
        assertValues("weight", layer.param("weight"),
                0.85249081559541, 0.5052634783277014, -0.1340456146006452, 0.4810509519936673, -0.6579183871675971,
                0.5794250403743133, -0.20457123676474853, 0.5584372957593183, 0.803926859728894);
        assertValues("input gradient", x.grad(),
                0.31676318846064194, -0.020827438814865016, -0.32787288310861445, -0.5949898207124085,
                -0.055879038934094474, -0.29268884050283434);
        assertGradient(layer, "bias",
                -0.19275905276724603, -0.44294358594711863, -0.4848048294716184);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.0, 0.24532526865817156, 0.0, 0.0, 0.5200945129142588, -0.10859045488355942, 0.0);
    }

    @Test
    void squareCayleyTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(3, 3), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "cayley", true);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3));
        loadBase(layer, new double[] {
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555}, 3, 3);
        Tensor x = tensor(DType.F64, 100, 2, 3).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.2136899401169149, -0.1277705510134156, -0.40913855553220513, -0.5683835620917761,
                -0.35277016278519596, -0.04154470140874864, 0.13978079712065375, 0.5150702073755549,
                0.45108591687814703);
        assertValues("bias", layer.stateDict().get("bias"),
                0.5486249902967314, 0.5600583232491013, 0.30808747562472166);
        assertValues("weight", layer.param("weight"),
                0.8091943091964796, 0.5870343895536906, -0.02439662774560198, 0.4690289903801441,
                -0.6204074027247352, 0.6285749444794401, -0.3538592603663419, 0.5200819936564561,
                0.777366286719016);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void squareHouseholderRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(3, 3), 'weight', 'householder', use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "householder", true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0);
        assertValues("base", layer.stateDict().get("parametrizations.weight.0.base"),
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555);
        assertValues("weight", layer.param("weight"),
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555);
    }

    @Test
    void squareHouseholderForwardAndBackward() {
        // orthogonal(Linear(3, 3), 'weight', 'householder', use_trivialization=True), PyTorch 1.13
        // forward and backward from the original registration leaves
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "householder", true);
        loadBase(layer, new double[] {
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555}, 3, 3);
        Tensor x = tensor(DType.F64, 100, 2, 3);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.31691628392293414, 0.280204035717392, -0.6036401442150323, 0.4718166743595755,
                -0.4032864576566086, 0.12713960251830958);
        assertValues("weight", layer.param("weight"),
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555);
        assertValues("input gradient", x.grad(),
                0.3806165157194316, -0.055745881393567974, -0.24555405091048318, -0.4244268151624742,
                0.3576494885176885, -0.367084231522617);
        assertGradient(layer, "bias",
                -0.19275905276724603, -0.44294358594711863, -0.4848048294716184);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.0, 0.8361244823167351, 0.0, 0.0, 0.7318096720271108, -0.4559642882392868, 0.0);
    }

    @Test
    void squareHouseholderTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(3, 3), 'weight', 'householder', use_trivialization=True), PyTorch 1.13
        // two steps of SGD(lr=0.1, momentum=0.9) from the original registration leaves
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "householder", true);
        loadBase(layer, new double[] {
                0.966225021976231, 0.022647836191172353, 0.2567027121455659, -0.04358041034722565,
                -0.9674226058331555, 0.2493877494123449, -0.2539880996050777, 0.2521518931890953,
                0.9337609265867555}, 3, 3);
        Tensor x = tensor(DType.F64, 100, 2, 3).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, -0.23377651602971242, -1.0, 0.0, -0.20789515056825048, 0.13126814873580495, -1.0);
        assertValues("bias", layer.stateDict().get("bias"),
                0.2695900654194162, 0.0006830889112488017, -0.2685451549854358);
        assertValues("weight", layer.param("weight"),
                0.6870885923579381, 0.5502535472543725, 0.47447897739053385, 0.2817389383985592, -0.80371501834909,
                0.5240852410344855, -0.669725642962579, 0.2264137871555124, 0.7072512708678992);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void tallDefaultMapRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(2, 4), 'weight', None, use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, null, true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0);
        assertValues("weight", layer.param("weight"),
                0.8034011883709475, -0.40690529590674723, 0.031558574586739614, -0.1592754012910206,
                -0.5558332127568693, -0.7723471388706169, -0.21118718353768495, 0.46101987352499113);
    }

    @Test
    void tallDefaultMapForwardAndBackward() {
        // orthogonal(Linear(2, 4), 'weight', None, use_trivialization=True), PyTorch 1.13
        // forward and backward from the original registration leaves
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, null, true);
        loadBase(layer, new double[] {
                0.8034011883709475, -0.40690529590674723, -0.2817719773961532, -0.3310274360856725,
                0.031558574586739614, -0.1592754012910206, -0.6001542303337325, 0.7832306829575579,
                -0.5558332127568693, -0.7723471388706169, -0.16380825345976988, -0.26018492034168467,
                -0.21118718353768495, 0.46101987352499113, -0.7304699231763391, -0.4574651255114148}, 4, 4);
        Tensor x = tensor(DType.F64, 100, 2, 2);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.012647853852015917, -0.07036328701925271, 0.21024582487579846, -0.6065952728663631,
                -0.010858265143995072, -0.1545322451043851, -0.3857364325185938, -0.3947254481762429);
        assertValues("weight", layer.param("weight"),
                0.8034011883709475, -0.40690529590674723, 0.031558574586739614, -0.1592754012910206,
                -0.5558332127568693, -0.7723471388706169, -0.21118718353768495, 0.46101987352499113);
        assertValues("input gradient", x.grad(),
                0.536838355037686, -0.08583267022175486, -0.5454497106335978, 0.24706059258481808);
        assertGradient(layer, "bias",
                -0.11558352890537726, -0.16868332654294904, -0.1424487199576907, -0.049218254553687946);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.6017224257973075, 0.0, -0.2673480008474873, -0.3548364758411818, -0.0892186953269069,
                -0.23666709653286547);
    }

    @Test
    void tallDefaultMapTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(2, 4), 'weight', None, use_trivialization=True), PyTorch 1.13
        // two steps of SGD(lr=0.1, momentum=0.9) from the original registration leaves
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, null, true);
        loadBase(layer, new double[] {
                0.8034011883709475, -0.40690529590674723, -0.2817719773961532, -0.3310274360856725,
                0.031558574586739614, -0.1592754012910206, -0.6001542303337325, 0.7832306829575579,
                -0.5558332127568693, -0.7723471388706169, -0.16380825345976988, -0.26018492034168467,
                -0.21118718353768495, 0.46101987352499113, -0.7304699231763391, -0.4574651255114148}, 4, 4);
        Tensor x = tensor(DType.F64, 100, 2, 2).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, -0.17292851329617903, -1.0, 0.07317413285307037, 0.0997310871742215,
                0.023579878606534727, 0.06766202183746889);
        assertValues("bias", layer.stateDict().get("bias"),
                0.2472091634994743, -0.07885238631596038, -0.3678284267444748, -0.4838090105973509);
        assertValues("weight", layer.param("weight"),
                0.8288264305813644, -0.2492462855712533, 0.03342322348649459, -0.15846039211740354,
                -0.29450036736331137, -0.9450721904559087, -0.4745515459087681, 0.14001838481357648);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void tallMatrixExpRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(2, 4), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, "matrix_exp", true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0);
        assertValues("weight", layer.param("weight"),
                0.8034011883709475, -0.40690529590674723, 0.031558574586739614, -0.1592754012910206,
                -0.5558332127568693, -0.7723471388706169, -0.21118718353768495, 0.46101987352499113);
    }

    @Test
    void tallMatrixExpForwardAndBackward() {
        // orthogonal(Linear(2, 4), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then forward and backward
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, "matrix_exp", true);
        load(layer,
                key("bias", 1, 4),
                key("parametrizations.weight.original", 2, 4, 2));
        loadBase(layer, new double[] {
                0.8034011883709475, -0.40690529590674723, -0.2817719773961532, -0.3310274360856725,
                0.031558574586739614, -0.1592754012910206, -0.6001542303337325, 0.7832306829575579,
                -0.5558332127568693, -0.7723471388706169, -0.16380825345976988, -0.26018492034168467,
                -0.21118718353768495, 0.46101987352499113, -0.7304699231763391, -0.4574651255114148}, 4, 4);
        Tensor x = tensor(DType.F64, 100, 2, 2);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.1763312565471199, 0.07838351053377574, 0.629040267553852, -0.14031185812809605,
                0.2748743379423242, 0.3826429537397307, 0.0772482774364689, -0.10930094311470825);
        assertValues("weight", layer.param("weight"),
                0.8751695073505567, -0.22955520148715897, 0.41925212120509825, 0.3324979409634638,
                -0.10497007977294322, -0.9019276744476288, -0.21745637406448276, 0.1525647363932403);
        assertValues("input gradient", x.grad(),
                0.39916290649277325, 0.15335770553875042, -0.5453832523372547, -0.06194229133491512);
        assertGradient(layer, "bias",
                -0.11558352890537726, -0.16868332654294904, -0.1424487199576907, -0.049218254553687946);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.20786063857704654, 0.0, -0.21660252730821652, -0.18910008190217775,
                0.05612804357292268, -0.0656697079052383);
    }

    @Test
    void tallMatrixExpTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(2, 4), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, "matrix_exp", true);
        load(layer,
                key("bias", 1, 4),
                key("parametrizations.weight.original", 2, 4, 2));
        loadBase(layer, new double[] {
                0.8034011883709475, -0.40690529590674723, -0.2817719773961532, -0.3310274360856725,
                0.031558574586739614, -0.1592754012910206, -0.6001542303337325, 0.7832306829575579,
                -0.5558332127568693, -0.7723471388706169, -0.16380825345976988, -0.26018492034168467,
                -0.21118718353768495, 0.46101987352499113, -0.7304699231763391, -0.4574651255114148}, 4, 4);
        Tensor x = tensor(DType.F64, 100, 2, 2).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.2136899401169149, -0.1277705510134156, -0.4690153167485339, -0.4980823044179204,
                -0.29027617494444574, 0.012861194163174376, 0.2729299146586974, 0.5028260341930855);
        assertValues("bias", layer.stateDict().get("bias"),
                0.5262440883767895, 0.48052284802189205, 0.20880420386568263, -0.16111832002424023);
        assertValues("weight", layer.param("weight"),
                0.8889481427739659, -0.18660359273672467, 0.3729969838593765, 0.3223582033721627,
                -0.07097773470393556, -0.9247543346545636, -0.2561378743310379, 0.07806220874413768);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void wideMatrixExpRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(4, 2), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "matrix_exp", true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0);
        assertValues("weight", layer.param("weight"),
                0.8289358380351899, 0.5571420326940446, 0.03256160664300187, -0.037388147844906065,
                0.5032464267595321, -0.7277495557398802, -0.45797145661600286, -0.08594046194422356);
    }

    @Test
    void wideMatrixExpForwardAndBackward() {
        // orthogonal(Linear(4, 2), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then forward and backward
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "matrix_exp", true);
        load(layer,
                key("bias", 1, 2),
                key("parametrizations.weight.original", 2, 2, 4));
        loadBase(layer, new double[] {
                0.8289358380351899, 0.5032464267595321, -0.2327430961279553, -0.07374999375887532,
                0.5571420326940446, -0.7277495557398802, 0.34861709788606965, 0.19605983420234188,
                0.03256160664300187, -0.45797145661600286, -0.7015938843121207, -0.5449476196788768,
                -0.037388147844906065, -0.08594046194422356, -0.576248897406406, 0.8118827326895445}, 4, 4);
        Tensor x = tensor(DType.F64, 100, 2, 4);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.11620288509177185, 0.4681242026185004, 1.0892629045906823, 0.25461119509135755);
        assertValues("weight", layer.param("weight"),
                0.812177120729865, 0.17903421205962258, 0.5209752910182625, -0.1920932628271303, 0.575313452258071,
                -0.2999097642554485, -0.7527802056836957, 0.11131274359189197);
        assertValues("input gradient", x.grad(),
                0.23271919266474422, 0.061497064291950836, 0.1760856579602587, -0.06095334875105901,
                -0.5616382124927131, 0.087947500212511, 0.1964065098193881, 0.01007904605072844);
        assertGradient(layer, "bias",
                -0.03655298631373266, -0.5201191098089873);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.4264282299557815, -0.07435464923191443, -0.1017534917595013, 0.0, 0.0, 0.02211555779454588,
                -0.06395227313669535);
    }

    @Test
    void wideMatrixExpTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(4, 2), 'weight', 'matrix_exp', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "matrix_exp", true);
        load(layer,
                key("bias", 1, 2),
                key("parametrizations.weight.original", 2, 2, 4));
        loadBase(layer, new double[] {
                0.8289358380351899, 0.5032464267595321, -0.2327430961279553, -0.07374999375887532,
                0.5571420326940446, -0.7277495557398802, 0.34861709788606965, 0.19605983420234188,
                0.03256160664300187, -0.45797145661600286, -0.7015938843121207, -0.5449476196788768,
                -0.037388147844906065, -0.08594046194422356, -0.576248897406406, 0.8118827326895445}, 4, 4);
        Tensor x = tensor(DType.F64, 100, 2, 4).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.2136899401169149, -0.25015961749901666, -0.3878048644422418, -0.468813429731951,
                -0.35277016278519596, -0.04154470140874864, 0.28271357488172877, 0.502373947613261);
        assertValues("bias", layer.stateDict().get("bias"),
                0.5033252310252126, 0.5824392251690432);
        assertValues("weight", layer.param("weight"),
                0.7541376456225908, 0.2623695330073243, 0.5724932301367007, -0.18625289541905596,
                0.6512799661859096, -0.23508693477608283, -0.711785170703903, 0.1180271558095109);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void wideCayleyRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(4, 2), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "cayley", true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0);
        assertValues("weight", layer.param("weight"),
                0.8289358380351899, 0.5571420326940446, 0.03256160664300187, -0.037388147844906065,
                0.5032464267595321, -0.7277495557398802, -0.45797145661600286, -0.08594046194422356);
    }

    @Test
    void wideCayleyForwardAndBackward() {
        // orthogonal(Linear(4, 2), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then forward and backward
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "cayley", true);
        load(layer,
                key("bias", 1, 2),
                key("parametrizations.weight.original", 2, 2, 4));
        loadBase(layer, new double[] {
                0.8289358380351899, 0.5032464267595321, -0.2327430961279553, -0.07374999375887532,
                0.5571420326940446, -0.7277495557398802, 0.34861709788606965, 0.19605983420234188,
                0.03256160664300187, -0.45797145661600286, -0.7015938843121207, -0.5449476196788768,
                -0.037388147844906065, -0.08594046194422356, -0.576248897406406, 0.8118827326895445}, 4, 4);
        Tensor x = tensor(DType.F64, 100, 2, 4);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.12799941467481563, 0.4831149567431724, 1.1012137695032465, 0.23866447533287);
        assertValues("weight", layer.param("weight"),
                0.8176758603426992, 0.2097377605217118, 0.5040364953386335, -0.182656701467293, 0.5682294572409451,
                -0.3300822896233515, -0.7464188991124509, 0.10497520206422027);
        assertValues("input gradient", x.grad(),
                0.23455714127692984, 0.07153549046204756, 0.17079333008952569, -0.05793824895182098,
                -0.5599926352765106, 0.09248007469073931, 0.19900936414571174, 0.010015288211005667);
        assertGradient(layer, "bias",
                -0.03655298631373266, -0.5201191098089873);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.40683733851519543, -0.062204355440879516, -0.08670441742310138, 0.0, 0.0,
                0.02560463559428754, -0.05595804544293162);
    }

    @Test
    void wideCayleyTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(4, 2), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "cayley", true);
        load(layer,
                key("bias", 1, 2),
                key("parametrizations.weight.original", 2, 2, 4));
        loadBase(layer, new double[] {
                0.8289358380351899, 0.5032464267595321, -0.2327430961279553, -0.07374999375887532,
                0.5571420326940446, -0.7277495557398802, 0.34861709788606965, 0.19605983420234188,
                0.03256160664300187, -0.45797145661600286, -0.7015938843121207, -0.5449476196788768,
                -0.037388147844906065, -0.08594046194422356, -0.576248897406406, 0.8118827326895445}, 4, 4);
        Tensor x = tensor(DType.F64, 100, 2, 4).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.2136899401169149, -0.2446200751660589, -0.3911665570931646, -0.4730089608461152,
                -0.35277016278519596, -0.04154470140874864, 0.281661885842369, 0.4999615355833257);
        assertValues("bias", layer.stateDict().get("bias"),
                0.5033252310252126, 0.5824392251690432);
        assertValues("weight", layer.param("weight"),
                0.7640824413462991, 0.2844496122525855, 0.5513924430053558, -0.17672808127804437,
                0.6396353542906967, -0.2732562169208751, -0.7098637449428654, 0.11086531049520179);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void batchOfWideCayleyRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Conv1d(2, 3, 3), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Conv1d(2, 3, 3), new int[] {3, 2, 3}, 3, "cayley", true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0, 0.0);
        assertValues("weight", layer.param("weight"),
                0.829515819923839, 0.5575318484958728, 0.03258438903610364, 0.2969482272622486,
                -0.3908925977516073, -0.8712202519161314, -0.663612871583255, 1.2539542911950902e-05,
                0.7480761702606132, 0.5729245134481419, 0.6430112620898553, 0.5082263459481623,
                -0.04240554191739587, -0.5865058835487783, -0.8088341106663088, -0.8125750221168044,
                -0.4507859304574944, 0.3694778455245263);
    }

    @Test
    void batchOfWideCayleyForwardAndBackward() {
        // orthogonal(Conv1d(2, 3, 3), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then forward and backward
        Module layer = orthogonal(new Conv1d(2, 3, 3), new int[] {3, 2, 3}, 3, "cayley", true);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 2, 3));
        loadBase(layer, new double[] {
                0.829515819923839, 0.2969482272622486, -0.47299604102136916, 0.5575318484958728,
                -0.3908925977516073, 0.7323668581631578, 0.03258438903610364, -0.8712202519161314,
                -0.48980968777917827, -0.663612871583255, 0.5729245134481419, 0.4810150294525485,
                1.2539542911950902e-05, 0.6430112620898553, -0.765856720717636, 0.7480761702606132,
                0.5082263459481623, 0.4267177343073436, -0.04240554191739587, -0.8125750221168044,
                0.5813119674035333, -0.5865058835487783, -0.4507859304574944, -0.6729063036294414,
                -0.8088341106663088, 0.3694778455245263, 0.45746420962649686}, 3, 3, 3);
        Tensor x = tensor(DType.F64, 100, 2, 2, 5);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.09769603922763986, 0.4342288350762993, 0.9936653062763272, 0.7755534651890104,
                0.800551167513279, 0.652027573375709, -0.07571407807091518, -0.2169078919399806,
                -0.1773114542741035, 0.4484792164013033, 1.0051210777088766, 1.320774993765074, 0.7988870163833948,
                0.6467671324333579, 0.393452986661394, -0.21817938296268485, -0.17411299329148944,
                0.03061653839153594);
        assertValues("weight", layer.param("weight"),
                0.9017675486593048, 0.27498715564618476, 0.3334626701965446, 0.41953617608591215,
                -0.3713416509595592, -0.8283083817141046, -0.10402365731872831, 0.08893154224558172,
                0.990590863834236, 0.4787048341356352, 0.8775128774785743, -0.028510202287015812,
                0.15562396973938047, -0.3430095564655115, -0.9263507026045209, -0.46835032554049627,
                -0.8512924779083446, 0.2365355990602291);
        assertValues("input gradient", x.grad(),
                0.3560196152127008, 0.06315813447061643, -0.9864322484286767, -1.1103073619189057,
                -0.707207551114201, -0.20276156120120542, -1.1363002553590456, -1.369536805481868,
                -0.2772228822156665, 0.4007726136326876, 0.3512532854990508, 0.05110783496036367,
                -1.006590356498428, -1.1122035975304825, -0.6993754162184351, -0.2096467067222797,
                -1.1442295930206454, -1.3558321146812236, -0.25844855117421295, 0.40512824646130907);
        assertGradient(layer, "bias",
                -0.14213159741279496, -2.1083659625746614, 2.270932283966304);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, -0.19357675983924683, -0.13574597474067585, 0.0, 0.0, 0.16244190084949636, 0.0,
                0.00081766181860643, 0.5029176453179603, 0.0, 0.0, -0.25477943185122565, 0.0, -0.5298534604846583,
                -0.3910702853674549, 0.0, 0.0, 0.13813966801377137);
    }

    @Test
    void batchOfWideCayleyTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Conv1d(2, 3, 3), 'weight', 'cayley', use_trivialization=True), PyTorch 1.13
        // the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = orthogonal(new Conv1d(2, 3, 3), new int[] {3, 2, 3}, 3, "cayley", true);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 2, 3));
        loadBase(layer, new double[] {
                0.829515819923839, 0.2969482272622486, -0.47299604102136916, 0.5575318484958728,
                -0.3908925977516073, 0.7323668581631578, 0.03258438903610364, -0.8712202519161314,
                -0.48980968777917827, -0.663612871583255, 0.5729245134481419, 0.4810150294525485,
                1.2539542911950902e-05, 0.6430112620898553, -0.765856720717636, 0.7480761702606132,
                0.5082263459481623, 0.4267177343073436, -0.04240554191739587, -0.8125750221168044,
                0.5813119674035333, -0.5865058835487783, -0.4507859304574944, -0.6729063036294414,
                -0.8088341106663088, 0.3694778455245263, 0.45746420962649686}, 3, 3, 3);
        Tensor x = tensor(DType.F64, 100, 2, 2, 5).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.2136899401169149, -0.0728013931505707, -0.3707892589554849, -0.4980823044179204,
                -0.35277016278519596, -0.08769318517446527, 0.28921988219409933, 0.4831325522978358,
                0.30838214726240837, 0.2060592426208783, -0.13588031320547123, -0.34182120174028807,
                -0.4972762941019947, -0.19581296924454414, 0.07797829546432096, 0.2960367573536115,
                0.4860037506974878, 0.4095615377112627);
        assertValues("bias", layer.stateDict().get("bias"),
                0.5339430282439407, 1.0430308124710888, -0.49107628727227587);
        assertValues("weight", layer.param("weight"),
                0.9145228941927341, 0.2932662784775417, 0.2786445152973195, 0.38642003301501177,
                -0.4294854119231063, -0.8162241352900049, -0.1915549214881918, 0.15442993654414078,
                0.9692564710914369, 0.5594692233822824, 0.8285736064088647, -0.021446837777012784,
                0.14281995130746636, -0.5076808787355659, -0.8496249683682893, -0.5100001046248159,
                -0.7734362567924147, 0.3764256234126673);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void batchOfTallHouseholderRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Conv1d(4, 2, 3), 'weight', 'householder', use_trivialization=True), PyTorch 1.13
        Module layer = orthogonal(new Conv1d(4, 2, 3), new int[] {2, 4, 3}, 2, "householder", true);
        assertEquals(List.of("bias", "parametrizations.weight.original", "parametrizations.weight.0.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0,
                0.0, -1.0, 0.0, 0.0, 0.0);
        assertValues("weight", layer.param("weight"),
                0.6920788897835624, 0.029601832225170266, -0.21158855272844143, -0.03121538081029116,
                -0.9676848397736755, 0.20931209775277748, -0.18192429092075732, 0.25031018867890853,
                0.8472013338922231, 0.697822300223918, -0.007388629415440192, 0.4400779816576303,
                -0.049067150048510255, -0.6894279761264924, -0.05660545691937831, -0.23544937925026585,
                0.1648807388777536, 0.9333392470229733, 0.9690534643899592, -0.035266561734139036,
                0.23893182099923238, -0.05560024955519025, -0.7044570088406439, 0.26188787128755797);
    }

    @Test
    void batchOfTallHouseholderForwardAndBackward() {
        // orthogonal(Conv1d(4, 2, 3), 'weight', 'householder', use_trivialization=True), PyTorch 1.13
        // forward and backward from the original registration leaves
        Module layer = orthogonal(new Conv1d(4, 2, 3), new int[] {2, 4, 3}, 2, "householder", true);
        loadBase(layer, new double[] {
                0.6920788897835624, 0.029601832225170266, -0.21158855272844143, -0.6894786626133895,
                -0.03121538081029116, -0.9676848397736755, 0.20931209775277748, -0.13711344429849642,
                -0.18192429092075732, 0.25031018867890853, 0.8472013338922231, -0.4318544450017241,
                0.697822300223918, -0.007388629415440192, 0.4400779816576303, 0.5650847861389544,
                -0.049067150048510255, -0.6894279761264924, -0.05660545691937831, -0.7204701956133882,
                -0.23544937925026585, 0.1648807388777536, 0.9333392470229733, -0.2150715734921282,
                0.9690534643899592, -0.035266561734139036, 0.23893182099923238, -0.05102193343319058,
                -0.05560024955519025, -0.7044570088406439, 0.26188787128755797, 0.6573155085780079}, 2, 4, 4);
        Tensor x = tensor(DType.F64, 100, 1, 4, 5);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.17975424352789143, -0.014264316464298044, 0.25843605935293396, -0.3159405811676848,
                -0.3379040101011109, -0.26103838979971605);
        assertValues("weight", layer.param("weight"),
                0.6920788897835624, 0.029601832225170266, -0.21158855272844143, -0.03121538081029116,
                -0.9676848397736755, 0.20931209775277748, -0.18192429092075732, 0.25031018867890853,
                0.8472013338922231, 0.697822300223918, -0.007388629415440192, 0.4400779816576303,
                -0.049067150048510255, -0.6894279761264924, -0.05660545691937831, -0.23544937925026585,
                0.1648807388777536, 0.9333392470229733, 0.9690534643899592, -0.035266561734139036,
                0.23893182099923238, -0.05560024955519025, -0.7044570088406439, 0.26188787128755797);
        assertValues("input gradient", x.grad(),
                0.23436949177862684, 0.3551170755614289, 0.023860844386045778, 0.11853192217182808,
                0.08013952850907632, 0.10736272400160435, -0.2760649969997706, -0.4008914016531762,
                -0.09095856538146635, -0.20630563751646164, -0.5360744715472758, -0.30827222259664416,
                0.06887934160558926, -0.20037201459883297, -0.322657441844207, 0.2393542881869868,
                0.3539499861666389, 0.06974939319092359, -0.01575067228051842, -0.18755222020916648);
        assertGradient(layer, "bias",
                -0.060448756527134995, -1.060058711658848);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.0, -0.4173033643214016, 0.0, 0.0, 0.10223867416904606, 0.4106297572134739, 0.0,
                0.43488631280235635, 0.5715559681146475, 0.4394139208142607, 0.0, 0.0, 0.0, -0.5836192795085617,
                0.0, 0.0, -0.011848781055018076, 0.26715112542917985, 0.0, -0.712285401193106,
                -0.13226456997640312, 0.5099623551911197);
    }

    @Test
    void batchOfTallHouseholderTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Conv1d(4, 2, 3), 'weight', 'householder', use_trivialization=True), PyTorch 1.13
        // two steps of SGD(lr=0.1, momentum=0.9) from the original registration leaves
        Module layer = orthogonal(new Conv1d(4, 2, 3), new int[] {2, 4, 3}, 2, "householder", true);
        loadBase(layer, new double[] {
                0.6920788897835624, 0.029601832225170266, -0.21158855272844143, -0.6894786626133895,
                -0.03121538081029116, -0.9676848397736755, 0.20931209775277748, -0.13711344429849642,
                -0.18192429092075732, 0.25031018867890853, 0.8472013338922231, -0.4318544450017241,
                0.697822300223918, -0.007388629415440192, 0.4400779816576303, 0.5650847861389544,
                -0.049067150048510255, -0.6894279761264924, -0.05660545691937831, -0.7204701956133882,
                -0.23544937925026585, 0.1648807388777536, 0.9333392470229733, -0.2150715734921282,
                0.9690534643899592, -0.035266561734139036, 0.23893182099923238, -0.05102193343319058,
                -0.05560024955519025, -0.7044570088406439, 0.26188787128755797, 0.6573155085780079}, 2, 4, 4);
        Tensor x = tensor(DType.F64, 100, 1, 4, 5).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.0, 0.0, 0.11455661987047625, -1.0, 0.0, -0.03403950168224199, -0.11505429559332542, -1.0,
                -0.12400561460237577, -0.1569526473866929, -0.12015559298818707, -1.0, 0.0, 0.0,
                0.16301012539123277, -1.0, 0.0, 0.0035835645166080402, -0.06642280116792476, -1.0,
                0.22111379504921377, 0.03829767609535535, -0.1623617883059193);
        assertValues("bias", layer.stateDict().get("bias"),
                0.23122007950978404, 0.17964647536765033);
        assertValues("weight", layer.param("weight"),
                0.8388577421345704, 0.051334197937707104, -0.043623423307278225, -0.22555329562413043,
                -0.8631646991853933, 0.10050177314028738, -0.0677418602711496, 0.21258454200512322,
                0.9611317357904664, 0.4907692325940859, -0.45510363072904003, 0.2534209482087418,
                -0.5478025227114955, -0.6228300482070187, 0.04324394387197544, -0.2346357797055039,
                0.10673635881065471, 0.9483152765678864, 0.802959728647714, -0.38477210077074914,
                0.30748351734571494, 0.010682750717901757, -0.6727856354194482, -0.06543687115898578);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void squareMatrixExpWithoutTrivializationRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(3, 3), 'weight', 'matrix_exp', use_trivialization=False), PyTorch 1.13
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "matrix_exp", false);
        assertEquals(List.of("bias", "parametrizations.weight.original"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.1196226550743428, 0.08040044373319596, 0.004698923199357305, -0.005395435096787152,
                -0.08276094888943432, -0.11853452090674789, -0.031444777501108266, 5.941764449070473e-07,
                0.035447004925634615);
        assertValues("weight", layer.param("weight"),
                0.9994911007932907, 0.005394529158049726, 0.03143944161671099, -0.005394510475888403,
                0.9999854458744898, -8.541600838120705e-05, -0.03143944482227951, -8.422785708318255e-05,
                0.9995056549184479);
    }

    @Test
    void squareMatrixExpWithoutTrivializationForwardAndBackward() {
        // orthogonal(Linear(3, 3), 'weight', 'matrix_exp', use_trivialization=False), PyTorch 1.13
        // the original loaded from the pattern, then forward and backward
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "matrix_exp", false);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3));
        Tensor x = tensor(DType.F64, 100, 2, 3);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.0064012357198645065, 0.4105680530007013, -0.31855910326646447, 0.5671418658450372,
                0.49564819306380625, 0.8159485664579481);
        assertValues("weight", layer.param("weight"),
                0.8418095674849106, 0.3856659293167775, -0.3776485708368216, -0.5191586331232418,
                0.7700093790573311, -0.3708906440143116, 0.14775305663327187, 0.5082788084584777,
                0.8484230590498798);
        assertValues("input gradient", x.grad(),
                0.2176262440286468, -0.07418770543796704, -0.39421863162606574, -0.22156606766143372,
                -0.5876396304130528, 0.21997784781094526);
        assertGradient(layer, "bias",
                -0.19275905276724603, -0.44294358594711863, -0.4848048294716184);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.0, 0.10259253883361699, 0.0, 0.0, 0.5188939591434042, 0.4094584723703175, 0.0);
    }

    @Test
    void squareMatrixExpWithoutTrivializationTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(3, 3), 'weight', 'matrix_exp', use_trivialization=False), PyTorch 1.13
        // the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "matrix_exp", false);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original", 2, 3, 3));
        Tensor x = tensor(DType.F64, 100, 2, 3).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.2136899401169149, -0.1277705510134156, -0.40913855553220513, -0.5270588800002568,
                -0.35277016278519596, -0.04154470140874864, 0.1394865981186205, 0.3655179329085913,
                0.45108591687814703);
        assertValues("bias", layer.stateDict().get("bias"),
                0.5486249902967314, 0.5600583232491013, 0.30808747562472166);
        assertValues("weight", layer.param("weight"),
                0.8566363873264214, 0.4654284068678059, -0.22259941147459028, -0.5146087760809346,
                0.8015829370524816, -0.30437247347091023, 0.03676829461397674, 0.37528814677100286,
                0.9261786541506809);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void wideCayleyWithoutTrivializationRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(4, 2), 'weight', 'cayley', use_trivialization=False), PyTorch 1.13
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "cayley", false);
        assertEquals(List.of("bias", "parametrizations.weight.original"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.1196226550743428, 0.08040044373319596, 0.004698923199357305, -0.005395435096787152,
                -0.08276094888943432, -0.11853452090674789, -0.031444777501108266, 5.941764449070473e-07);
        assertValues("weight", layer.param("weight"),
                0.9967483856200643, 0.08032363241891265, 0.0034284042814879253, -0.005386639296408614,
                -0.08017614930438786, 0.996280471733618, -0.0315746684157363, 0.00021688567635793653);
    }

    @Test
    void wideCayleyWithoutTrivializationForwardAndBackward() {
        // orthogonal(Linear(4, 2), 'weight', 'cayley', use_trivialization=False), PyTorch 1.13
        // the original loaded from the pattern, then forward and backward
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "cayley", false);
        load(layer,
                key("bias", 1, 2),
                key("parametrizations.weight.original", 2, 2, 4));
        Tensor x = tensor(DType.F64, 100, 2, 4);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.10297117873990108, -0.08281622352856627, 0.6987123117976057, 1.058757742222804);
        assertValues("weight", layer.param("weight"),
                0.8178959806183389, 0.04371916626688462, -0.365563441750328, -0.4421517493405955,
                0.2588936165786172, 0.8589936166811655, 0.21586727724631266, 0.3853639583693815);
        assertValues("input gradient", x.grad(),
                0.2420157580866299, -0.0072591084670828015, -0.11609376399494704, -0.14338583388126822,
                -0.4065678160623287, -0.44111795285892874, 0.017179503399805767, -0.04088735825604242);
        assertGradient(layer, "bias",
                -0.03655298631373266, -0.5201191098089873);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, -0.20535948991016625, -0.2174416068025861, 0.01746099215188878, 0.0, 0.0,
                -0.18681691905710987, -0.018060817376537208);
    }

    @Test
    void wideCayleyWithoutTrivializationTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(4, 2), 'weight', 'cayley', use_trivialization=False), PyTorch 1.13
        // the original loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "cayley", false);
        load(layer,
                key("bias", 1, 2),
                key("parametrizations.weight.original", 2, 2, 4));
        Tensor x = tensor(DType.F64, 100, 2, 4).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                0.2136899401169149, -0.069009609035267, -0.3469407814568651, -0.5030074853961877,
                -0.35277016278519596, -0.04154470140874864, 0.3425587175794302, 0.48916751094619454);
        assertValues("bias", layer.stateDict().get("bias"),
                0.5033252310252126, 0.5824392251690432);
        assertValues("weight", layer.param("weight"),
                0.8402677772717223, 0.09583689268297839, -0.30281708884113046, -0.4393940864252653,
                0.2124372200887076, 0.8473443925458642, 0.27956039544498124, 0.3984016732403465);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void squareHouseholderWithoutTrivializationRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(3, 3), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "householder", false);
        assertEquals(List.of("bias", "parametrizations.weight.original"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, -0.08129152571258721, -0.0007028828152377412, -0.022164508059928697, 1.0, 0.1237174249395666,
                -0.1291754996331992, -0.1296836461799032, -1.0);
        assertValues("weight", layer.param("weight"),
                0.9662250219762314, 0.022647836191172367, 0.25670271214556595, -0.04358041034722566,
                -0.9674226058331553, 0.2493877494123449, -0.25398809960507773, 0.2521518931890953,
                0.9337609265867555);
    }

    @Test
    void squareHouseholderWithoutTrivializationForwardAndBackward() {
        // orthogonal(Linear(3, 3), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        // forward and backward from the original registration leaves
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "householder", false);
        Tensor x = tensor(DType.F64, 100, 2, 3);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.31691628392293436, 0.2802040357173919, -0.6036401442150322, 0.47181667435957564,
                -0.40328645765660853, 0.12713960251830958);
        assertValues("weight", layer.param("weight"),
                0.9662250219762314, 0.022647836191172367, 0.25670271214556595, -0.04358041034722566,
                -0.9674226058331553, 0.2493877494123449, -0.25398809960507773, 0.2521518931890953,
                0.9337609265867555);
        assertValues("input gradient", x.grad(),
                0.3806165157194318, -0.05574588139356798, -0.24555405091048316, -0.42442681516247444,
                0.35764948851768846, -0.36708423152261704);
        assertGradient(layer, "bias",
                -0.19275905276724603, -0.44294358594711863, -0.4848048294716184);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.0, -0.6692020192653119, 0.0, 0.0, 0.9152625910700789, 0.4484227820128623, 0.0);
    }

    @Test
    void squareHouseholderWithoutTrivializationTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(3, 3), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        // two steps of SGD(lr=0.1, momentum=0.9) from the original registration leaves
        Module layer = orthogonal(new Linear(3, 3), new int[] {3, 3}, 3, "householder", false);
        Tensor x = tensor(DType.F64, 100, 2, 3).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, -0.08129152571258721, -0.0007028828152377412, 0.16346222599221147, 1.0, 0.1237174249395666,
                -0.38667826106224734, -0.257474221813636, -1.0);
        assertValues("bias", layer.stateDict().get("bias"),
                0.2695900654194162, 0.0006830889112488017, -0.2685451549854358);
        assertValues("weight", layer.param("weight"),
                0.7003332987061559, 0.5609003210103544, 0.4415020958204339, 0.27794026593518806,
                -0.7839710952384712, 0.5551022702191629, -0.6574819231699311, 0.266045394098588,
                0.7049378476033868);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void tallHouseholderWithoutTrivializationRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(2, 4), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, "householder", false);
        assertEquals(List.of("bias", "parametrizations.weight.original"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, -0.13030883789561531, 0.017499475319325466, 1.0, -0.308213844119159, 0.7792017236294773,
                -0.1171049375477317, -0.3587792753778074);
        assertValues("weight", layer.param("weight"),
                0.8034011883709471, -0.4069052959067471, 0.03155857458673961, -0.1592754012910206,
                -0.5558332127568691, -0.772347138870617, -0.2111871835376849, 0.46101987352499113);
    }

    @Test
    void tallHouseholderWithoutTrivializationForwardAndBackward() {
        // orthogonal(Linear(2, 4), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        // forward and backward from the original registration leaves
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, "householder", false);
        Tensor x = tensor(DType.F64, 100, 2, 2);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.012647853852016111, -0.07036328701925271, 0.21024582487579846, -0.6065952728663631,
                -0.01085826514399496, -0.1545322451043851, -0.38573643251859385, -0.3947254481762429);
        assertValues("weight", layer.param("weight"),
                0.8034011883709471, -0.4069052959067471, 0.03155857458673961, -0.1592754012910206,
                -0.5558332127568691, -0.772347138870617, -0.2111871835376849, 0.46101987352499113);
        assertValues("input gradient", x.grad(),
                0.5368383550376857, -0.08583267022175481, -0.5454497106335975, 0.24706059258481802);
        assertGradient(layer, "bias",
                -0.11558352890537726, -0.16868332654294904, -0.1424487199576907, -0.049218254553687946);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.00604617411948094, 0.0, -0.35302602568441976, -0.08963596213780137,
                0.33238391725514743, -0.22877583484834446);
    }

    @Test
    void tallHouseholderWithoutTrivializationTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(2, 4), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        // two steps of SGD(lr=0.1, momentum=0.9) from the original registration leaves
        Module layer = orthogonal(new Linear(2, 4), new int[] {4, 2}, 4, "householder", false);
        Tensor x = tensor(DType.F64, 100, 2, 2).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, -0.13030883789561531, 0.015884006062024707, 1.0, -0.20516304272124317, 0.8045749015468787,
                -0.21366256535410572, -0.2933214824689142);
        assertValues("bias", layer.stateDict().get("bias"),
                0.2472091634994743, -0.07885238631596038, -0.3678284267444748, -0.4838090105973509);
        assertValues("weight", layer.param("weight"),
                0.8382422760914205, -0.21269263016085863, 0.02919865145690622, -0.15719465599646248,
                -0.3771393786217394, -0.8846949245314512, -0.3927635604520632, 0.3838835444632916);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void wideHouseholderWithoutTrivializationRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Linear(4, 2), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "householder", false);
        assertEquals(List.of("bias", "parametrizations.weight.original"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.30462634123489946, 0.017803580620948695, -0.020442569426094157, 0.1356679951377756, 1.0,
                0.24822871776157082, 0.04021835922639747);
        assertValues("weight", layer.param("weight"),
                0.8289358380351899, 0.5571420326940446, 0.03256160664300187, -0.037388147844906065,
                0.5032464267595321, -0.7277495557398802, -0.45797145661600286, -0.08594046194422356);
    }

    @Test
    void wideHouseholderWithoutTrivializationForwardAndBackward() {
        // orthogonal(Linear(4, 2), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        // forward and backward from the original registration leaves
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "householder", false);
        Tensor x = tensor(DType.F64, 100, 2, 4);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.4507128095066818, 0.05000311591723147, 0.8390959932158503, -0.45149860753414955);
        assertValues("weight", layer.param("weight"),
                0.8289358380351899, 0.5571420326940446, 0.03256160664300187, -0.037388147844906065,
                0.5032464267595321, -0.7277495557398802, -0.45797145661600286, -0.08594046194422356);
        assertValues("input gradient", x.grad(),
                0.23952696194123885, 0.1864628457704552, 0.02082486542949662, -0.009292354090934108,
                -0.5315751257846233, 0.17168840022898674, 0.2161846169415693, 0.055358279110407485);
        assertGradient(layer, "bias",
                -0.03655298631373266, -0.5201191098089873);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, -0.6455561143475603, -0.6259026273455746, -0.03835431362575497, 0.0, 0.0, 0.19068917425175713,
                0.04699772283500257);
    }

    @Test
    void wideHouseholderWithoutTrivializationTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Linear(4, 2), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        // two steps of SGD(lr=0.1, momentum=0.9) from the original registration leaves
        Module layer = orthogonal(new Linear(4, 2), new int[] {2, 4}, 2, "householder", false);
        Tensor x = tensor(DType.F64, 100, 2, 4).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, 0.4832424130511711, 0.18959162045972927, -0.009501533748646802, 0.1356679951377756, 1.0,
                0.1938865817531589, 0.02596501507843398);
        assertValues("bias", layer.stateDict().get("bias"),
                0.22429030614789736, 0.02306399083119072);
        assertValues("weight", layer.param("weight"),
                0.5753508116780437, 0.7612763276374188, 0.2986733131785901, -0.014968248903117065,
                0.8159616361499908, -0.5319810190384949, -0.21878196300416364, -0.05776899149404304);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }

    @Test
    void batchOfTallHouseholderWithoutTrivializationRegistrationStartsFromTheWeightOrthogonalised() {
        // orthogonal(Conv1d(4, 2, 3), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        Module layer = orthogonal(new Conv1d(4, 2, 3), new int[] {2, 4, 3}, 2, "householder", false);
        assertEquals(List.of("bias", "parametrizations.weight.original"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, -0.11266973239233027, -0.0033376420552744925, -0.018447946486870946, 1.0,
                0.12368589336799275, -0.10751525358491273, -0.12886373042831742, -1.0, 0.4124052988529264,
                0.00996197238916862, 0.2838001416033856, 1.0, 0.08231265990762986, 0.006751140509107842,
                0.22443690019211673, -1.0, -0.1687444410998893, -0.9237287282755435, -0.5093240013330099, -1.0,
                0.052999705073806976, -0.5061462080502143, 0.4457478971107514);
        assertValues("weight", layer.param("weight"),
                0.6920788897835624, 0.029601832225170266, -0.21158855272844143, -0.03121538081029116,
                -0.967684839773675, 0.20931209775277743, -0.18192429092075732, 0.2503101886789085,
                0.8472013338922231, 0.697822300223918, -0.007388629415440188, 0.4400779816576303,
                -0.04906715004851048, -0.6894279761264925, -0.05660545691937832, -0.2354493792502659,
                0.16488073887775356, 0.9333392470229733, 0.9690534643899594, -0.03526656173413894,
                0.23893182099923238, -0.055600249555190266, -0.7044570088406439, 0.26188787128755797);
    }

    @Test
    void batchOfTallHouseholderWithoutTrivializationForwardAndBackward() {
        // orthogonal(Conv1d(4, 2, 3), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        // forward and backward from the original registration leaves
        Module layer = orthogonal(new Conv1d(4, 2, 3), new int[] {2, 4, 3}, 2, "householder", false);
        Tensor x = tensor(DType.F64, 100, 1, 4, 5);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.17975424352789132, -0.014264316464297933, 0.2584360593529338, -0.3159405811676848,
                -0.3379040101011108, -0.261038389799716);
        assertValues("weight", layer.param("weight"),
                0.6920788897835624, 0.029601832225170266, -0.21158855272844143, -0.03121538081029116,
                -0.967684839773675, 0.20931209775277743, -0.18192429092075732, 0.2503101886789085,
                0.8472013338922231, 0.697822300223918, -0.007388629415440188, 0.4400779816576303,
                -0.04906715004851048, -0.6894279761264925, -0.05660545691937832, -0.2354493792502659,
                0.16488073887775356, 0.9333392470229733, 0.9690534643899594, -0.03526656173413894,
                0.23893182099923238, -0.055600249555190266, -0.7044570088406439, 0.26188787128755797);
        assertValues("input gradient", x.grad(),
                0.23436949177862695, 0.3551170755614291, 0.023860844386045854, 0.11853192217182809,
                0.08013952850907634, 0.10736272400160438, -0.2760649969997704, -0.4008914016531762,
                -0.09095856538146652, -0.20630563751646164, -0.5360744715472759, -0.30827222259664433,
                0.06887934160558919, -0.20037201459883297, -0.322657441844207, 0.2393542881869868,
                0.3539499861666389, 0.06974939319092358, -0.01575067228051842, -0.18755222020916648);
        assertGradient(layer, "bias",
                -0.060448756527134995, -1.060058711658848);
        assertGradient(layer, "parametrizations.weight.original",
                0.0, 0.0, 0.0, 0.10957714582447468, 0.0, 0.0, 0.0057523427850243725, -0.044066610297193096, 0.0,
                0.41113703848153293, -0.6348208288343481, 0.4066604622482868, 0.0, 0.0, 0.0, 0.15597942967458317,
                0.0, 0.0, -0.450590537170419, 0.012430611787459578, 0.0, 0.1297426046985184, 0.24413237327860593,
                0.42543263885684457);
    }

    @Test
    void batchOfTallHouseholderWithoutTrivializationTwoSgdStepsKeepTheWeightOrthogonal() {
        // orthogonal(Conv1d(4, 2, 3), 'weight', 'householder', use_trivialization=False), PyTorch 1.13
        // two steps of SGD(lr=0.1, momentum=0.9) from the original registration leaves
        Module layer = orthogonal(new Conv1d(4, 2, 3), new int[] {2, 4, 3}, 2, "householder", false);
        Tensor x = tensor(DType.F64, 100, 1, 4, 5).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("original", layer.stateDict().get("parametrizations.weight.original"),
                -1.0, -0.11266973239233027, -0.0033376420552744925, -0.050391812085898186, 1.0,
                0.12368589336799275, -0.10850709594680083, -0.114179176758853, -1.0, 0.2907064181613179,
                0.18769892272599176, 0.1703371945666671, 1.0, 0.08231265990762986, 0.006751140509107842,
                0.17583044895450742, -1.0, -0.1687444410998893, -0.788444797563482, -0.5115329793509342, -1.0,
                0.008019348586350533, -0.5755349925878978, 0.3159742219817051);
        assertValues("bias", layer.stateDict().get("bias"),
                0.23122007950978404, 0.17964647536765033);
        assertValues("weight", layer.param("weight"),
                0.8201287832080053, 0.1492359681546684, 0.00856069367466316, -0.09171958761555232,
                -0.9154297356411515, 0.0865674406195158, -0.19749688851508487, 0.20165037050344015,
                0.9327443670940047, 0.5291231191587171, -0.31472869743436965, 0.34988675082489235,
                -0.21019527396361437, -0.6601988452156065, 0.12118512060223648, -0.2127891783436454,
                0.13948340301342194, 0.9621727363097009, 0.9541721677925246, -0.1217333084000046,
                0.24161569853102605, -0.009704977759468207, -0.7279167992880538, 0.03405357940493584);
        OrthogonalTest.assertOrthogonal(layer.param("weight"), 1e-12);
    }
}
