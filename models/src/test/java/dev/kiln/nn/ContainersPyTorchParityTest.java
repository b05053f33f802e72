package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertGradient;
import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ModuleList}, {@link ParameterList}, {@link ModuleDict} and {@link ParameterDict} inside one module
 * ({@link ContainerNet}) against PyTorch 1.13 in F64 to 1e-12: the state-dict names and shapes PyTorch prints, loading
 * a state dict by them, and the output and every gradient; numbers printed by
 * {@code models/src/test/pytorch/containers.py}.
 */
class ContainersPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void stateDictNamesAndShapesArePyTorchs() {
        try (ContainerNet net = new ContainerNet()) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
                keys.add(e.getKey() + " " + Arrays.toString(e.getValue().shape().dims()));
            }
            // PyTorch 1.13: Net().state_dict()
            assertEquals(List.of("layers.0.weight [4, 3]", "layers.0.bias [4]", "layers.1.weight [4, 4]",
                    "layers.1.bias [4]", "layers.2.weight [2, 4]", "layers.2.bias [2]", "scales.0 [4]", "scales.1 [4]",
                    "scales.2 [2]", "heads.mean.weight [2, 2]", "heads.mean.bias [2]", "heads.scale.weight [1, 2]",
                    "heads.scale.bias [1]", "offsets.shift [3]"), keys);
        }
    }

    @Test
    void valuesAndGradientsMatchPyTorchAfterLoadingItsStateDict() {
        try (ContainerNet net = loaded()) {
            Tensor x = tensor(DType.F64, 100, 5, 3);
            Tensor y = net.forward(x);
            backward(200, y);

            assertValues("output", y,
                    0.17318648967280997, 0.2786637491994267, -0.10188092029222046, 0.17351020786108168,
                    0.279450674008065, -0.1017754427514565, 0.17339520356708632, 0.27916577282630595,
                    -0.1018157070610049, 0.17318741265193205, 0.27866604691585506, -0.10188059128167465,
                    0.17351261237309995, 0.27945643329302977, -0.10177470418499884);
            assertValues("input gradient", x.grad(),
                    1.5456151678669474e-05, 1.7486475180471324e-05, 1.1292636171185746e-05, -0.0002959162049325655,
                    -0.000297323948518929, -0.00015889559330199113, 0.00027017153154086, 0.00028888039298327037,
                    0.0001717242917249943, 1.2237119414449762e-05, 1.3600866119701096e-05, 8.5679129694616e-06,
                    -0.0002936965675329248, -0.00029481587020223425, -0.00015727866249038862);
            assertGradient(net, "layers.0.weight",
                    4.077260211178426e-06, -0.00010132317869226177, -0.00015906974343838983, -1.2575847953239084e-05,
                    0.00013424279650408813, 0.00021792495616398307, 6.838082707532758e-06, 1.4857136743316155e-05,
                    1.588864721955258e-05, 8.499623237085293e-06, -0.00033238619769044713, -0.0005169455961665521);
            assertGradient(net, "layers.0.bias",
                    -9.364174466076985e-05, 0.00010174674431671938, 3.397786031257872e-05, -0.00043927395333121243);
            assertGradient(net, "layers.1.weight",
                    -0.00039910166080771856, -0.0011002855029180003, 5.3375105747360294e-05, 0.0004912270927623579,
                    -0.0013936297106266512, -0.003965911388431254, 6.553010694725394e-05, 0.0011225650170293476,
                    -0.0009694852813476293, -0.0027943024599673284, 4.892773088011586e-05, 0.0006815470214979346,
                    2.485419961846459e-05, 7.091490631966934e-05, 5.277093841726984e-06, -7.539261599114523e-06);
            assertGradient(net, "layers.1.bias",
                    -0.003392329693380597, -0.014233774763896406, -0.010319973563870464, 0.00030117633082716986);
            assertGradient(net, "layers.2.weight",
                    0.016328330153483984, 0.00010320529057831863, -0.002672999950773659, 0.0005087944380941175,
                    0.0006966246938560493, -0.0001689822679009836, -0.00021085198211051712, -6.675907539384894e-06);
            assertGradient(net, "layers.2.bias",
                    0.0691970999112606, 0.001227609540487948);
            assertGradient(net, "scales.0",
                    -0.0009945655251919444, 0.0009586257713967975, 2.5518119365761336e-05, 5.600592605372467e-05);
            assertGradient(net, "scales.1",
                    -0.005802243963582339, -0.0001975079790328715, 0.003943659340022765, 0.010206079550428276);
            assertGradient(net, "scales.2",
                    -0.12355522729954473, -0.021367238940009095);
            assertGradient(net, "heads.mean.weight",
                    0.031478939021807276, 0.0025403185439638863, 0.0738348169452118, 0.005311720197733607);
            assertGradient(net, "heads.mean.bias",
                    -0.1956351180592999, -0.4426306270697769);
            assertGradient(net, "heads.scale.weight",
                    0.08146502675844561, 0.005584936844591768);
            assertGradient(net, "heads.scale.bias",
                    -0.4814500358750159);
            assertGradient(net, "offsets.shift",
                    -0.1956351180592999, -0.4426306270697769, -0.4814500358750159);
        }
    }

    @Test
    void gradientsThroughEveryContainerMatchFiniteDifferences() {
        try (ContainerNet net = loaded()) {
            List<Tensor> inputs = new ArrayList<>();
            inputs.add(tensor(DType.F64, 100, 2, 3));
            inputs.addAll(net.parameters());
            GradCheck.check("ContainerNet", in -> net.forward(in[0]), inputs.toArray(Tensor[]::new));
        }
    }

    /** The net in F64 with containers.py's state dict loaded by PyTorch's names. */
    private static ContainerNet loaded() {
        ContainerNet net = new ContainerNet();
        net.to(DType.F64);
        load(net,
                key("layers.0.weight", 1, 4, 3),
                key("layers.0.bias", 2, 4),
                key("layers.1.weight", 3, 4, 4),
                key("layers.1.bias", 4, 4),
                key("layers.2.weight", 5, 2, 4),
                key("layers.2.bias", 6, 2),
                key("scales.0", 7, 4),
                key("scales.1", 8, 4),
                key("scales.2", 9, 2),
                key("heads.mean.weight", 10, 2, 2),
                key("heads.mean.bias", 11, 2),
                key("heads.scale.weight", 12, 1, 2),
                key("heads.scale.bias", 13, 1),
                key("offsets.shift", 14, 3));
        return net;
    }
}
