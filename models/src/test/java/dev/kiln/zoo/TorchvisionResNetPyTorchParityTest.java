package dev.kiln.zoo;

import static dev.kiln.zoo.TorchvisionParity.assertClose;
import static dev.kiln.zoo.TorchvisionParity.buffer;
import static dev.kiln.zoo.TorchvisionParity.grad;
import static dev.kiln.zoo.TorchvisionParity.keysAndShapes;
import static dev.kiln.zoo.TorchvisionParity.loadPattern;
import static dev.kiln.zoo.TorchvisionParity.pattern;
import static dev.kiln.zoo.TorchvisionParity.spread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Linear;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ResNet} against torchvision's {@code resnet18}: the same state-dict keys and shapes, and the same values and
 * gradients in F64 for weights, input and output weighting from {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)} (PyTorch
 * 1.13; {@code models/src/test/pytorch/resnet.py} printed the literals).
 */
class TorchvisionResNetPyTorchParityTest {
    // state_dict keys and shapes of torchvision.models.resnet18(num_classes=10)
    private static final String[] TORCHVISION_KEYS = {
            "conv1.weight [64, 3, 7, 7]",
            "bn1.weight [64]",
            "bn1.bias [64]",
            "bn1.running_mean [64]",
            "bn1.running_var [64]",
            "bn1.num_batches_tracked []",
            "layer1.0.conv1.weight [64, 64, 3, 3]",
            "layer1.0.bn1.weight [64]",
            "layer1.0.bn1.bias [64]",
            "layer1.0.bn1.running_mean [64]",
            "layer1.0.bn1.running_var [64]",
            "layer1.0.bn1.num_batches_tracked []",
            "layer1.0.conv2.weight [64, 64, 3, 3]",
            "layer1.0.bn2.weight [64]",
            "layer1.0.bn2.bias [64]",
            "layer1.0.bn2.running_mean [64]",
            "layer1.0.bn2.running_var [64]",
            "layer1.0.bn2.num_batches_tracked []",
            "layer1.1.conv1.weight [64, 64, 3, 3]",
            "layer1.1.bn1.weight [64]",
            "layer1.1.bn1.bias [64]",
            "layer1.1.bn1.running_mean [64]",
            "layer1.1.bn1.running_var [64]",
            "layer1.1.bn1.num_batches_tracked []",
            "layer1.1.conv2.weight [64, 64, 3, 3]",
            "layer1.1.bn2.weight [64]",
            "layer1.1.bn2.bias [64]",
            "layer1.1.bn2.running_mean [64]",
            "layer1.1.bn2.running_var [64]",
            "layer1.1.bn2.num_batches_tracked []",
            "layer2.0.conv1.weight [128, 64, 3, 3]",
            "layer2.0.bn1.weight [128]",
            "layer2.0.bn1.bias [128]",
            "layer2.0.bn1.running_mean [128]",
            "layer2.0.bn1.running_var [128]",
            "layer2.0.bn1.num_batches_tracked []",
            "layer2.0.conv2.weight [128, 128, 3, 3]",
            "layer2.0.bn2.weight [128]",
            "layer2.0.bn2.bias [128]",
            "layer2.0.bn2.running_mean [128]",
            "layer2.0.bn2.running_var [128]",
            "layer2.0.bn2.num_batches_tracked []",
            "layer2.0.downsample.0.weight [128, 64, 1, 1]",
            "layer2.0.downsample.1.weight [128]",
            "layer2.0.downsample.1.bias [128]",
            "layer2.0.downsample.1.running_mean [128]",
            "layer2.0.downsample.1.running_var [128]",
            "layer2.0.downsample.1.num_batches_tracked []",
            "layer2.1.conv1.weight [128, 128, 3, 3]",
            "layer2.1.bn1.weight [128]",
            "layer2.1.bn1.bias [128]",
            "layer2.1.bn1.running_mean [128]",
            "layer2.1.bn1.running_var [128]",
            "layer2.1.bn1.num_batches_tracked []",
            "layer2.1.conv2.weight [128, 128, 3, 3]",
            "layer2.1.bn2.weight [128]",
            "layer2.1.bn2.bias [128]",
            "layer2.1.bn2.running_mean [128]",
            "layer2.1.bn2.running_var [128]",
            "layer2.1.bn2.num_batches_tracked []",
            "layer3.0.conv1.weight [256, 128, 3, 3]",
            "layer3.0.bn1.weight [256]",
            "layer3.0.bn1.bias [256]",
            "layer3.0.bn1.running_mean [256]",
            "layer3.0.bn1.running_var [256]",
            "layer3.0.bn1.num_batches_tracked []",
            "layer3.0.conv2.weight [256, 256, 3, 3]",
            "layer3.0.bn2.weight [256]",
            "layer3.0.bn2.bias [256]",
            "layer3.0.bn2.running_mean [256]",
            "layer3.0.bn2.running_var [256]",
            "layer3.0.bn2.num_batches_tracked []",
            "layer3.0.downsample.0.weight [256, 128, 1, 1]",
            "layer3.0.downsample.1.weight [256]",
            "layer3.0.downsample.1.bias [256]",
            "layer3.0.downsample.1.running_mean [256]",
            "layer3.0.downsample.1.running_var [256]",
            "layer3.0.downsample.1.num_batches_tracked []",
            "layer3.1.conv1.weight [256, 256, 3, 3]",
            "layer3.1.bn1.weight [256]",
            "layer3.1.bn1.bias [256]",
            "layer3.1.bn1.running_mean [256]",
            "layer3.1.bn1.running_var [256]",
            "layer3.1.bn1.num_batches_tracked []",
            "layer3.1.conv2.weight [256, 256, 3, 3]",
            "layer3.1.bn2.weight [256]",
            "layer3.1.bn2.bias [256]",
            "layer3.1.bn2.running_mean [256]",
            "layer3.1.bn2.running_var [256]",
            "layer3.1.bn2.num_batches_tracked []",
            "layer4.0.conv1.weight [512, 256, 3, 3]",
            "layer4.0.bn1.weight [512]",
            "layer4.0.bn1.bias [512]",
            "layer4.0.bn1.running_mean [512]",
            "layer4.0.bn1.running_var [512]",
            "layer4.0.bn1.num_batches_tracked []",
            "layer4.0.conv2.weight [512, 512, 3, 3]",
            "layer4.0.bn2.weight [512]",
            "layer4.0.bn2.bias [512]",
            "layer4.0.bn2.running_mean [512]",
            "layer4.0.bn2.running_var [512]",
            "layer4.0.bn2.num_batches_tracked []",
            "layer4.0.downsample.0.weight [512, 256, 1, 1]",
            "layer4.0.downsample.1.weight [512]",
            "layer4.0.downsample.1.bias [512]",
            "layer4.0.downsample.1.running_mean [512]",
            "layer4.0.downsample.1.running_var [512]",
            "layer4.0.downsample.1.num_batches_tracked []",
            "layer4.1.conv1.weight [512, 512, 3, 3]",
            "layer4.1.bn1.weight [512]",
            "layer4.1.bn1.bias [512]",
            "layer4.1.bn1.running_mean [512]",
            "layer4.1.bn1.running_var [512]",
            "layer4.1.bn1.num_batches_tracked []",
            "layer4.1.conv2.weight [512, 512, 3, 3]",
            "layer4.1.bn2.weight [512]",
            "layer4.1.bn2.bias [512]",
            "layer4.1.bn2.running_mean [512]",
            "layer4.1.bn2.running_var [512]",
            "layer4.1.bn2.num_batches_tracked []",
            "fc.weight [10, 512]",
            "fc.bias [10]",
    };

    @Test
    void resnet18HasTorchvisionsStateDictKeysAndShapesInItsOrder() {
        try (ResNet model = ResNet.resnet18(3, 10)) {
            assertEquals(List.of(TORCHVISION_KEYS), keysAndShapes(model));
        }
    }

    @Test
    void resnet18TrainingStepAndEvaluationMatchTorchvisions() {
        try (ResNet model = ResNet.resnet18(3, 10)) {
            model.to(DType.F64);
            loadPattern(model);
            Tensor x = pattern(100, 2, 3, 64, 64).requiresGrad(true);
            Tensor y = model.forward(x);
            y.mul(pattern(200, 2, 10)).sum().backward();
            assertClose("training-mode output", y,
                    10.800555534736942, -4.368019006481248, -19.19039103658496, -32.82024269851424, -44.45185554440632,
                    -53.326799546816765, -58.77766156833488, -60.309034469090705, -57.693145779537886,
                    -51.044274197137625, 10.755168353900336, -4.4133015863761305, -19.23256139086958,
                    -32.856499913501246, -44.47979145133717, -53.34455867007549, -58.78406436432374,
                    -60.303655670362296, -57.67634264064306, -51.0171627661277);
            assertClose("input gradient", spread(x.grad()),
                    0.051079151995676156, -0.03856666982750406, -0.02281311316792485, 0.02733474989578777,
                    -0.0069574608836697315, -0.014300090734615878, 0.010287701812256599, 0.1333097130865956,
                    0.008324211964094736, -0.0656626255235286, -0.026387140162766252, -0.006314942157017129);
            assertClose("gradient of conv1.weight", spread(grad(model, "conv1.weight")),
                    0.0, 0.0057411693578844555, 0.0, -0.012672951669683366, 0.00790844554107539, 0.027863616858441045,
                    0.0010460111943703127, 0.0, -0.0982488110842989, -0.002909975339600732, 0.06521618511354502,
                    -0.07975507540117688);
            assertClose("gradient of layer1.0.conv1.weight", spread(grad(model, "layer1.0.conv1.weight")),
                    0.0, 0.0, -0.0010537436763371412, 0.0, -0.0007167983612261148, 0.0002980245875366919, 0.0,
                    0.001698202665010927, 3.76904992566182e-05, 0.0, -0.0003072147664130552, 0.0);
            assertClose("gradient of layer2.0.downsample.0.weight", spread(grad(model, "layer2.0.downsample.0.weight")),
                    -0.019152539363088576, 0.009829224881967198, 0.00012088776202364478, 0.458775248557431,
                    0.004205426894433361, -0.021053308482382155, 0.040692583762442454, 0.0011023651346532548,
                    -0.09635678350040831, -0.00019135955568310228, -0.00037245397439826956, 0.016207312292548303);
            assertClose("gradient of layer4.1.bn2.weight", spread(grad(model, "layer4.1.bn2.weight")),
                    0.18498157861691228, -0.0006411847432798013, 0.0, 0.3376639795114743, 0.0006251702365240656,
                    -0.07740048615726601, 0.5333449271323545, -0.00010071367348146333, 0.06937396307753231,
                    0.5978202302125147, -0.00037919286903708425, 0.1317291086990534);
            assertClose("gradient of fc.weight", spread(grad(model, "fc.weight")),
                    0.16878569116715347, 0.06004233686842561, -0.31068798091929123, -0.07387129731984561,
                    -0.5814997557016001, -0.1231744443072671, -0.1874178781495637, 0.035899049540856584,
                    0.11062022551661117, 0.7983847252368544, 0.052606819428819396, 0.17493417457156957);
            assertClose("gradient of fc.bias", spread(grad(model, "fc.bias")),
                    0.2711745507225938, -0.37002878565576186, -0.8372018022809513, -0.9106257296543951,
                    -0.5557681474518399, 0.06047587861416043, 0.6482771540062522, 0.9311835542592592,
                    0.7761397787997235, 0.2560653378521056);
            assertClose("bn1.running_mean after one step", spread(buffer(model, "bn1.running_mean")),
                    0.0001266580915202599, 5.537277812173725e-05, -4.3486284674233225e-05, -0.00012069066521464721,
                    -0.00013779522287961593, -8.62824730384749e-05, 8.195996957114489e-06, 9.859314082419899e-05,
                    0.00013989427308393955, 0.00011153284263701561, 2.7631871701492256e-05, -7.002882615262454e-05);
            assertClose("layer4.1.bn2.running_var after one step", spread(buffer(model, "layer4.1.bn2.running_var")),
                    16.937595702304105, 9.245972009266389, 5.466038394159456, 6.918227992556973, 13.095251666755557,
                    21.83930783306122, 30.095860970008196, 34.98067355902916, 34.78734833008663, 29.583419019662152,
                    21.18675900625758, 12.53054893274591);
            model.eval();
            assertClose("evaluation-mode output", model.forward(x),
                    370967.6162155462, 519039.92280188325, 632638.1614393158, 704217.1100512114, 729022.4653151922,
                    705406.6656643917, 634938.3273624071, 522298.021885462, 374967.3342166291, 202731.88400219643,
                    373955.30775110197, 524414.2599632501, 640042.1860085473, 713159.0539578281, 738908.4133904865,
                    715580.0029060248, 644723.3506607023, 531044.8195630714, 382094.95252650353, 207766.91350727942);
        }
    }

    @Test
    void aStateDictWrittenAsSafetensorsLoadsIntoAFreshModelAndGivesItsOutputs(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("r18.safetensors");
        Tensor x = pattern(7, 1, 3, 40, 40).to(DType.F32);
        double[] expected;
        try (ResNet model = ResNet.resnet18(3, 10)) {
            model.eval();
            expected = model.forward(x).toDoubleArray();
            SafeTensors.write(file, model.stateDict());
        }
        try (ResNet model = ResNet.resnet18(3, 10); SafeTensors.Loaded loaded = SafeTensors.read(file)) {
            model.loadStateDict(loaded.tensors(), true);
            model.eval();
            double[] got = model.forward(x).toDoubleArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], 0, "output " + i);
            }
        }
    }

    @Test
    void replacingTheClassifierKeepsEveryOtherWeightAndGivesTheNewClasses() {
        try (ResNet model = ResNet.resnet18(1, 1000)) {
            Tensor stem = model.stateDict().get("conv1.weight");
            Linear old = model.classifier();
            model.replaceClassifier(5);
            assertTrue(old.weight().isClosed(), "the old head is closed");
            assertSame(stem, model.stateDict().get("conv1.weight"));
            assertArrayEquals(new int[] {5, 512}, model.stateDict().get("fc.weight").shape().dims());
            assertArrayEquals(new int[] {2, 5}, model.forward(Tensor.randn(2, 1, 48, 48)).shape().dims());
            List<String> order = List.copyOf(model.namedChildren().keySet());
            assertEquals("fc", order.get(order.size() - 1), "the head stays last: " + order);
        }
    }

    @Test
    void anInputWithOtherChannelsIsRefusedNamingTheShapes() {
        try (ResNet model = ResNet.resnet18(3, 10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(DType.F32, 1, 1, 64, 64)));
            assertEquals("ResNet18(3 channels -> 10 classes): input [1, 1, 64, 64] must be [batch, 3, height, width]",
                    e.getMessage());
        }
    }

    @Test
    void resnet34HasTorchvisionsBlocksPerStage() {
        try (ResNet model = ResNet.resnet34(3, 1000)) {
            assertEquals(21_797_672, model.parameterCount(), "torchvision's resnet34: 21,797,672 parameters");
            assertNotNull(model.namedModules().get("layer3.5.conv2"));
        }
        try (ResNet model = ResNet.resnet18(3, 1000)) {
            assertEquals(11_689_512, model.parameterCount(), "torchvision's resnet18: 11,689,512 parameters");
        }
    }
}
