package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BasicBlock;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.nn.Sequential;
import dev.kiln.zoo.Zoo;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Grad-CAM's maps: on models whose answer is worked out by hand, and against PyTorch's. */
class GradCamTest {
    /**
     * A 1x1 convolution of the given stride with weight 1 (its output: the image, subsampled), global average
     * pooling and a dense layer without bias of weights +1 (class 0) and -1 (class 1).
     */
    private static Sequential evidenceModel(int stride) {
        Conv2d conv = Conv2d.builder(1, 1, 1).stride(stride).bias(false).build();
        Linear dense = new Linear(1, 2, false);
        Sequential model = (Sequential) new Sequential(conv, new GlobalAvgPool2d(), new Flatten(), dense).to(DType.F64);
        try (Autograd.Guard g = Autograd.noGrad()) {
            ((Conv2d) model.get(0)).weight().assign(Tensor.ones(DType.F64, 1, 1, 1, 1));
            ((Linear) model.get(3)).weight().assign(Tensor.fromArray(new double[] {1, -1}, 2, 1));
        }
        return model;
    }

    private static final double[] IMAGE = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    @Test
    void theMapOfAClassWhoseEvidenceIsTheImageIsTheImageScaledToItsMaximum() {
        try (Sequential model = evidenceModel(1); Scope s = Scope.open()) {
            Tensor image = Tensor.fromArray(IMAGE, 1, 1, 4, 4);
            GradCam.Maps maps = GradCam.maps(model, model.get(0), image, new int[] {0});
            assertArrayEquals(Arrays.stream(IMAGE).map(v -> v / 15).toArray(), maps.values()[0], 1e-12);
        }
    }

    @Test
    void theMapOfAClassTheImageCountsAgainstIsZero() {
        try (Sequential model = evidenceModel(1); Scope s = Scope.open()) {
            GradCam.Maps maps = GradCam.maps(model, model.get(0), Tensor.fromArray(IMAGE, 1, 1, 4, 4), new int[] {1});
            assertArrayEquals(new double[16], maps.values()[0], 0, "ReLU of a negative weight times positive maps");
        }
    }

    @Test
    void withoutClassesEachImageIsExplainedForItsPredictedClass() {
        try (Sequential model = evidenceModel(1); Scope s = Scope.open()) {
            double[] negative = Arrays.stream(IMAGE).map(v -> -v).toArray();
            double[] both = new double[32];
            System.arraycopy(IMAGE, 0, both, 0, 16);
            System.arraycopy(negative, 0, both, 16, 16);
            GradCam.Maps maps = GradCam.maps(model, model.get(0), Tensor.fromArray(both, 2, 1, 4, 4), null);
            assertArrayEquals(new int[] {0, 1}, maps.classes());
            assertArrayEquals(maps.values()[0], maps.values()[1], 1e-12, "class 1's evidence in -image is the image");
        }
    }

    @Test
    void aCoarseMapIsScaledBilinearlyWithHalfPixelCentresAsPyTorchsInterpolate() {
        // The layer sees image[::2, ::2] = [[0, 2], [8, 10]]; F.interpolate(size=4, mode='bilinear') of it, row by
        // row: the weights along each axis are (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1).
        try (Sequential model = evidenceModel(2); Scope s = Scope.open()) {
            GradCam.Maps maps = GradCam.maps(model, model.get(0), Tensor.fromArray(IMAGE, 1, 1, 4, 4), new int[] {0});
            double[] axis = {0, 0.5, 1.5, 2};
            double[] expected = new double[16];
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    expected[y * 4 + x] = (4 * axis[y] + axis[x]) / 10;
                }
            }
            assertArrayEquals(expected, maps.values()[0], 1e-12);
        }
    }

    @Test
    void parametersKeepTheirGradientsAndFlagsAndTheModelItsMode() {
        try (Sequential model = evidenceModel(1); Scope s = Scope.open()) {
            model.train();
            GradCam.maps(model, model.get(0), Tensor.fromArray(IMAGE, 1, 1, 4, 4), null);
            for (Tensor p : model.parameters()) {
                assertNull(p.grad());
                assertTrue(p.requiresGrad());
            }
            assertTrue(model.isTraining());
            assertTrue(!model.get(0).hasForwardHooks(), "the hook is removed");
        }
    }

    @Test
    void aLayerWhoseOutputIsNotASpatialMapIsRefused() {
        try (Sequential model = evidenceModel(1); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GradCam.maps(model, model.get(2), Tensor.fromArray(IMAGE, 1, 1, 4, 4), null));
            assertEquals("GradCam: the layer's output must be [n, k, h, w], got [1, 1]", e.getMessage());
        }
    }

    @Test
    void theDefaultLayerIsLeNetsLastReluAndTheResNetsLastBlock() {
        try (Sequential lenet = Zoo.lenet(10); Sequential resnet = Zoo.resnet(10); Scope s = Scope.open()) {
            Tensor example = Tensor.zeros(1, 1, 28, 28);
            assertSame(lenet.get(4), GradCam.lastSpatialLayer(lenet, example), "the ReLU after the second convolution");
            Module lastBlock = null;
            for (Module m : resnet.namedModules().values()) {
                if (m instanceof BasicBlock) {
                    lastBlock = m;
                }
            }
            assertSame(lastBlock, GradCam.lastSpatialLayer(resnet, example));
        }
    }

    /**
     * The maps PyTorch computes for the same CNN (models/src/test/pytorch/gradcam.py: Conv2d(1, 2, 3), ReLU,
     * MaxPool2d(2), Flatten, Linear(18, 3), pattern parameters; the map at the ReLU, for each image's predicted
     * class 2), with a forward hook, {@code retain_grad} and {@code F.interpolate}.
     */
    @Test
    void aSmallCnnsMapsAreThoseOfPyTorch() {
        try (Sequential model = (Sequential) new Sequential(new Conv2d(1, 2, 3), new ReLU(), new MaxPool2d(2, 2),
                new Flatten(), new Linear(18, 3)).to(DType.F64); Scope s = Scope.open()) {
            int seed = 1;
            try (Autograd.Guard g = Autograd.noGrad()) {
                for (Tensor p : model.parameters()) {
                    p.assign(Tensor.fromArray(PyTorchParity.pattern((int) p.size(), seed++), p.shape().dims()));
                }
                Tensor offsets = Tensor.fromArray(new double[] {0.2, -0.1, 0.05}, 3, 1);
                Tensor dense = ((Linear) model.get(4)).weight();
                dense.assign(dense.add(offsets));
            }
            Tensor images = Tensor.fromArray(PyTorchParity.pattern(128, 11), 2, 1, 8, 8).add(0.5);
            GradCam.Maps maps = GradCam.maps(model, model.get(1), images, null);
        double[] expected = {
                0.3673251238824164, 0.1857845592011133, 0.04803763774520717, 0.0, 0.0, 0.10515762211337996,
                0.28178194060839623, 0.4709981826533768, 0.6032324212300842, 0.3848131190236135,
                0.17522688007516848, 0.038793811029952004, 0.005541973004278857, 0.03943410829251749,
                0.14671159290424737, 0.2860732922979463, 0.8460146725373023, 0.629861827921354, 0.3787989247392951,
                0.1575005206868206, 0.04342206049687311, 0.0091533689244557, 0.041043365176098766,
                0.10944897380293005, 1.0, 0.8554879915127269, 0.6300322251228447, 0.361447124946832,
                0.13742213686594082, 0.04216626928984633, 0.004634529720174228, 0.0, 0.9115332357900108,
                0.9529292430185606, 0.8648470347626447, 0.6308225201179267, 0.35587355818007754,
                0.14870998223763313, 0.0324417080412196, 0.0, 0.6438799145716925, 0.832019361945485,
                0.9289977225377141, 0.8614613314696274, 0.6152960633815706, 0.361133253236635, 0.15835278285066026,
                0.03352059767096204, 0.3810804849636091, 0.613117863165383, 0.8351696541289603, 0.9544059932414398,
                0.8415303874911865, 0.6045758283274314, 0.3550582364345002, 0.15733754148499446,
                0.1959902961334568, 0.385432121522594, 0.6537746539459344, 0.9235708507046089, 0.9955736593580756,
                0.8156474679710547, 0.561624113984967, 0.3301785168374197, 0.038357207147387606,
                0.014383952680270352, 0.0, 0.028104664871099326, 0.19673265409769528, 0.42050559864907716,
                0.6979775432381318, 0.9647625045396069, 0.2135662650822573, 0.09290571520621752,
                0.012818365800371037, 0.010539249326662246, 0.07377474528663573, 0.24840859558491796,
                0.48017520530118224, 0.7023582871900028, 0.45291073461418196, 0.2555564832612274,
                0.08956292381445388, 0.008978587411604316, 0.0012826553445149022, 0.09071899609151406,
                0.2521383518384884, 0.43045161532526477, 0.720218266983317, 0.4920590405818119, 0.245176295795979,
                0.054475052670452766, 0.010139683366592217, 0.001031420680980797, 0.07864435892041279,
                0.20971829045443408, 0.9818731134880991, 0.7556972791109028, 0.4883211423465278,
                0.2376679701075003, 0.050455298053907076, 0.007219944766865579, 0.011234908417201825,
                0.02995975577920487, 0.9995420379696331, 0.9294156840474663, 0.7499458799760806,
                0.4799717834851958, 0.23406712172074234, 0.07894422042102929, 0.006538091136029242, 0.0,
                0.8290084685019241, 0.9418219856365811, 0.9266288986867234, 0.7429769368643455,
                0.46987713823659655, 0.23319821173360905, 0.07568955001418247, 0.004337407213500832,
                0.5707260693250051, 0.832720456436724, 1.0, 0.9695471986914076, 0.6860012778774042,
                0.4195953422813924, 0.18440389034174196, 0.011566419236002217};
            assertArrayEquals(new int[] {2, 2}, maps.classes());
            double[] actual = new double[128];
            System.arraycopy(maps.values()[0], 0, actual, 0, 64);
            System.arraycopy(maps.values()[1], 0, actual, 64, 64);
            assertArrayEquals(expected, actual, 1e-12);
        }
    }
}
