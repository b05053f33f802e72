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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MobileNetV2} and {@link SqueezeNet} against torchvision's: the same state-dict keys and shapes, parameter
 * counts, and the same values and gradients in F64 (to 1e-9 relative) for weights, input and output weighting from
 * {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)} (PyTorch 1.13; {@code models/src/test/pytorch/mobilenet_squeezenet.py}
 * printed the literals).
 */
class TorchvisionMobileNetSqueezeNetPyTorchParityTest {
    // state_dict keys and shapes of torchvision.models.mobilenet_v2(num_classes=10)
    private static final String[] MOBILENET_V2_KEYS = {
            "features.0.0.weight [32, 3, 3, 3]",
            "features.0.1.weight [32]",
            "features.0.1.bias [32]",
            "features.0.1.running_mean [32]",
            "features.0.1.running_var [32]",
            "features.0.1.num_batches_tracked []",
            "features.1.conv.0.0.weight [32, 1, 3, 3]",
            "features.1.conv.0.1.weight [32]",
            "features.1.conv.0.1.bias [32]",
            "features.1.conv.0.1.running_mean [32]",
            "features.1.conv.0.1.running_var [32]",
            "features.1.conv.0.1.num_batches_tracked []",
            "features.1.conv.1.weight [16, 32, 1, 1]",
            "features.1.conv.2.weight [16]",
            "features.1.conv.2.bias [16]",
            "features.1.conv.2.running_mean [16]",
            "features.1.conv.2.running_var [16]",
            "features.1.conv.2.num_batches_tracked []",
            "features.2.conv.0.0.weight [96, 16, 1, 1]",
            "features.2.conv.0.1.weight [96]",
            "features.2.conv.0.1.bias [96]",
            "features.2.conv.0.1.running_mean [96]",
            "features.2.conv.0.1.running_var [96]",
            "features.2.conv.0.1.num_batches_tracked []",
            "features.2.conv.1.0.weight [96, 1, 3, 3]",
            "features.2.conv.1.1.weight [96]",
            "features.2.conv.1.1.bias [96]",
            "features.2.conv.1.1.running_mean [96]",
            "features.2.conv.1.1.running_var [96]",
            "features.2.conv.1.1.num_batches_tracked []",
            "features.2.conv.2.weight [24, 96, 1, 1]",
            "features.2.conv.3.weight [24]",
            "features.2.conv.3.bias [24]",
            "features.2.conv.3.running_mean [24]",
            "features.2.conv.3.running_var [24]",
            "features.2.conv.3.num_batches_tracked []",
            "features.3.conv.0.0.weight [144, 24, 1, 1]",
            "features.3.conv.0.1.weight [144]",
            "features.3.conv.0.1.bias [144]",
            "features.3.conv.0.1.running_mean [144]",
            "features.3.conv.0.1.running_var [144]",
            "features.3.conv.0.1.num_batches_tracked []",
            "features.3.conv.1.0.weight [144, 1, 3, 3]",
            "features.3.conv.1.1.weight [144]",
            "features.3.conv.1.1.bias [144]",
            "features.3.conv.1.1.running_mean [144]",
            "features.3.conv.1.1.running_var [144]",
            "features.3.conv.1.1.num_batches_tracked []",
            "features.3.conv.2.weight [24, 144, 1, 1]",
            "features.3.conv.3.weight [24]",
            "features.3.conv.3.bias [24]",
            "features.3.conv.3.running_mean [24]",
            "features.3.conv.3.running_var [24]",
            "features.3.conv.3.num_batches_tracked []",
            "features.4.conv.0.0.weight [144, 24, 1, 1]",
            "features.4.conv.0.1.weight [144]",
            "features.4.conv.0.1.bias [144]",
            "features.4.conv.0.1.running_mean [144]",
            "features.4.conv.0.1.running_var [144]",
            "features.4.conv.0.1.num_batches_tracked []",
            "features.4.conv.1.0.weight [144, 1, 3, 3]",
            "features.4.conv.1.1.weight [144]",
            "features.4.conv.1.1.bias [144]",
            "features.4.conv.1.1.running_mean [144]",
            "features.4.conv.1.1.running_var [144]",
            "features.4.conv.1.1.num_batches_tracked []",
            "features.4.conv.2.weight [32, 144, 1, 1]",
            "features.4.conv.3.weight [32]",
            "features.4.conv.3.bias [32]",
            "features.4.conv.3.running_mean [32]",
            "features.4.conv.3.running_var [32]",
            "features.4.conv.3.num_batches_tracked []",
            "features.5.conv.0.0.weight [192, 32, 1, 1]",
            "features.5.conv.0.1.weight [192]",
            "features.5.conv.0.1.bias [192]",
            "features.5.conv.0.1.running_mean [192]",
            "features.5.conv.0.1.running_var [192]",
            "features.5.conv.0.1.num_batches_tracked []",
            "features.5.conv.1.0.weight [192, 1, 3, 3]",
            "features.5.conv.1.1.weight [192]",
            "features.5.conv.1.1.bias [192]",
            "features.5.conv.1.1.running_mean [192]",
            "features.5.conv.1.1.running_var [192]",
            "features.5.conv.1.1.num_batches_tracked []",
            "features.5.conv.2.weight [32, 192, 1, 1]",
            "features.5.conv.3.weight [32]",
            "features.5.conv.3.bias [32]",
            "features.5.conv.3.running_mean [32]",
            "features.5.conv.3.running_var [32]",
            "features.5.conv.3.num_batches_tracked []",
            "features.6.conv.0.0.weight [192, 32, 1, 1]",
            "features.6.conv.0.1.weight [192]",
            "features.6.conv.0.1.bias [192]",
            "features.6.conv.0.1.running_mean [192]",
            "features.6.conv.0.1.running_var [192]",
            "features.6.conv.0.1.num_batches_tracked []",
            "features.6.conv.1.0.weight [192, 1, 3, 3]",
            "features.6.conv.1.1.weight [192]",
            "features.6.conv.1.1.bias [192]",
            "features.6.conv.1.1.running_mean [192]",
            "features.6.conv.1.1.running_var [192]",
            "features.6.conv.1.1.num_batches_tracked []",
            "features.6.conv.2.weight [32, 192, 1, 1]",
            "features.6.conv.3.weight [32]",
            "features.6.conv.3.bias [32]",
            "features.6.conv.3.running_mean [32]",
            "features.6.conv.3.running_var [32]",
            "features.6.conv.3.num_batches_tracked []",
            "features.7.conv.0.0.weight [192, 32, 1, 1]",
            "features.7.conv.0.1.weight [192]",
            "features.7.conv.0.1.bias [192]",
            "features.7.conv.0.1.running_mean [192]",
            "features.7.conv.0.1.running_var [192]",
            "features.7.conv.0.1.num_batches_tracked []",
            "features.7.conv.1.0.weight [192, 1, 3, 3]",
            "features.7.conv.1.1.weight [192]",
            "features.7.conv.1.1.bias [192]",
            "features.7.conv.1.1.running_mean [192]",
            "features.7.conv.1.1.running_var [192]",
            "features.7.conv.1.1.num_batches_tracked []",
            "features.7.conv.2.weight [64, 192, 1, 1]",
            "features.7.conv.3.weight [64]",
            "features.7.conv.3.bias [64]",
            "features.7.conv.3.running_mean [64]",
            "features.7.conv.3.running_var [64]",
            "features.7.conv.3.num_batches_tracked []",
            "features.8.conv.0.0.weight [384, 64, 1, 1]",
            "features.8.conv.0.1.weight [384]",
            "features.8.conv.0.1.bias [384]",
            "features.8.conv.0.1.running_mean [384]",
            "features.8.conv.0.1.running_var [384]",
            "features.8.conv.0.1.num_batches_tracked []",
            "features.8.conv.1.0.weight [384, 1, 3, 3]",
            "features.8.conv.1.1.weight [384]",
            "features.8.conv.1.1.bias [384]",
            "features.8.conv.1.1.running_mean [384]",
            "features.8.conv.1.1.running_var [384]",
            "features.8.conv.1.1.num_batches_tracked []",
            "features.8.conv.2.weight [64, 384, 1, 1]",
            "features.8.conv.3.weight [64]",
            "features.8.conv.3.bias [64]",
            "features.8.conv.3.running_mean [64]",
            "features.8.conv.3.running_var [64]",
            "features.8.conv.3.num_batches_tracked []",
            "features.9.conv.0.0.weight [384, 64, 1, 1]",
            "features.9.conv.0.1.weight [384]",
            "features.9.conv.0.1.bias [384]",
            "features.9.conv.0.1.running_mean [384]",
            "features.9.conv.0.1.running_var [384]",
            "features.9.conv.0.1.num_batches_tracked []",
            "features.9.conv.1.0.weight [384, 1, 3, 3]",
            "features.9.conv.1.1.weight [384]",
            "features.9.conv.1.1.bias [384]",
            "features.9.conv.1.1.running_mean [384]",
            "features.9.conv.1.1.running_var [384]",
            "features.9.conv.1.1.num_batches_tracked []",
            "features.9.conv.2.weight [64, 384, 1, 1]",
            "features.9.conv.3.weight [64]",
            "features.9.conv.3.bias [64]",
            "features.9.conv.3.running_mean [64]",
            "features.9.conv.3.running_var [64]",
            "features.9.conv.3.num_batches_tracked []",
            "features.10.conv.0.0.weight [384, 64, 1, 1]",
            "features.10.conv.0.1.weight [384]",
            "features.10.conv.0.1.bias [384]",
            "features.10.conv.0.1.running_mean [384]",
            "features.10.conv.0.1.running_var [384]",
            "features.10.conv.0.1.num_batches_tracked []",
            "features.10.conv.1.0.weight [384, 1, 3, 3]",
            "features.10.conv.1.1.weight [384]",
            "features.10.conv.1.1.bias [384]",
            "features.10.conv.1.1.running_mean [384]",
            "features.10.conv.1.1.running_var [384]",
            "features.10.conv.1.1.num_batches_tracked []",
            "features.10.conv.2.weight [64, 384, 1, 1]",
            "features.10.conv.3.weight [64]",
            "features.10.conv.3.bias [64]",
            "features.10.conv.3.running_mean [64]",
            "features.10.conv.3.running_var [64]",
            "features.10.conv.3.num_batches_tracked []",
            "features.11.conv.0.0.weight [384, 64, 1, 1]",
            "features.11.conv.0.1.weight [384]",
            "features.11.conv.0.1.bias [384]",
            "features.11.conv.0.1.running_mean [384]",
            "features.11.conv.0.1.running_var [384]",
            "features.11.conv.0.1.num_batches_tracked []",
            "features.11.conv.1.0.weight [384, 1, 3, 3]",
            "features.11.conv.1.1.weight [384]",
            "features.11.conv.1.1.bias [384]",
            "features.11.conv.1.1.running_mean [384]",
            "features.11.conv.1.1.running_var [384]",
            "features.11.conv.1.1.num_batches_tracked []",
            "features.11.conv.2.weight [96, 384, 1, 1]",
            "features.11.conv.3.weight [96]",
            "features.11.conv.3.bias [96]",
            "features.11.conv.3.running_mean [96]",
            "features.11.conv.3.running_var [96]",
            "features.11.conv.3.num_batches_tracked []",
            "features.12.conv.0.0.weight [576, 96, 1, 1]",
            "features.12.conv.0.1.weight [576]",
            "features.12.conv.0.1.bias [576]",
            "features.12.conv.0.1.running_mean [576]",
            "features.12.conv.0.1.running_var [576]",
            "features.12.conv.0.1.num_batches_tracked []",
            "features.12.conv.1.0.weight [576, 1, 3, 3]",
            "features.12.conv.1.1.weight [576]",
            "features.12.conv.1.1.bias [576]",
            "features.12.conv.1.1.running_mean [576]",
            "features.12.conv.1.1.running_var [576]",
            "features.12.conv.1.1.num_batches_tracked []",
            "features.12.conv.2.weight [96, 576, 1, 1]",
            "features.12.conv.3.weight [96]",
            "features.12.conv.3.bias [96]",
            "features.12.conv.3.running_mean [96]",
            "features.12.conv.3.running_var [96]",
            "features.12.conv.3.num_batches_tracked []",
            "features.13.conv.0.0.weight [576, 96, 1, 1]",
            "features.13.conv.0.1.weight [576]",
            "features.13.conv.0.1.bias [576]",
            "features.13.conv.0.1.running_mean [576]",
            "features.13.conv.0.1.running_var [576]",
            "features.13.conv.0.1.num_batches_tracked []",
            "features.13.conv.1.0.weight [576, 1, 3, 3]",
            "features.13.conv.1.1.weight [576]",
            "features.13.conv.1.1.bias [576]",
            "features.13.conv.1.1.running_mean [576]",
            "features.13.conv.1.1.running_var [576]",
            "features.13.conv.1.1.num_batches_tracked []",
            "features.13.conv.2.weight [96, 576, 1, 1]",
            "features.13.conv.3.weight [96]",
            "features.13.conv.3.bias [96]",
            "features.13.conv.3.running_mean [96]",
            "features.13.conv.3.running_var [96]",
            "features.13.conv.3.num_batches_tracked []",
            "features.14.conv.0.0.weight [576, 96, 1, 1]",
            "features.14.conv.0.1.weight [576]",
            "features.14.conv.0.1.bias [576]",
            "features.14.conv.0.1.running_mean [576]",
            "features.14.conv.0.1.running_var [576]",
            "features.14.conv.0.1.num_batches_tracked []",
            "features.14.conv.1.0.weight [576, 1, 3, 3]",
            "features.14.conv.1.1.weight [576]",
            "features.14.conv.1.1.bias [576]",
            "features.14.conv.1.1.running_mean [576]",
            "features.14.conv.1.1.running_var [576]",
            "features.14.conv.1.1.num_batches_tracked []",
            "features.14.conv.2.weight [160, 576, 1, 1]",
            "features.14.conv.3.weight [160]",
            "features.14.conv.3.bias [160]",
            "features.14.conv.3.running_mean [160]",
            "features.14.conv.3.running_var [160]",
            "features.14.conv.3.num_batches_tracked []",
            "features.15.conv.0.0.weight [960, 160, 1, 1]",
            "features.15.conv.0.1.weight [960]",
            "features.15.conv.0.1.bias [960]",
            "features.15.conv.0.1.running_mean [960]",
            "features.15.conv.0.1.running_var [960]",
            "features.15.conv.0.1.num_batches_tracked []",
            "features.15.conv.1.0.weight [960, 1, 3, 3]",
            "features.15.conv.1.1.weight [960]",
            "features.15.conv.1.1.bias [960]",
            "features.15.conv.1.1.running_mean [960]",
            "features.15.conv.1.1.running_var [960]",
            "features.15.conv.1.1.num_batches_tracked []",
            "features.15.conv.2.weight [160, 960, 1, 1]",
            "features.15.conv.3.weight [160]",
            "features.15.conv.3.bias [160]",
            "features.15.conv.3.running_mean [160]",
            "features.15.conv.3.running_var [160]",
            "features.15.conv.3.num_batches_tracked []",
            "features.16.conv.0.0.weight [960, 160, 1, 1]",
            "features.16.conv.0.1.weight [960]",
            "features.16.conv.0.1.bias [960]",
            "features.16.conv.0.1.running_mean [960]",
            "features.16.conv.0.1.running_var [960]",
            "features.16.conv.0.1.num_batches_tracked []",
            "features.16.conv.1.0.weight [960, 1, 3, 3]",
            "features.16.conv.1.1.weight [960]",
            "features.16.conv.1.1.bias [960]",
            "features.16.conv.1.1.running_mean [960]",
            "features.16.conv.1.1.running_var [960]",
            "features.16.conv.1.1.num_batches_tracked []",
            "features.16.conv.2.weight [160, 960, 1, 1]",
            "features.16.conv.3.weight [160]",
            "features.16.conv.3.bias [160]",
            "features.16.conv.3.running_mean [160]",
            "features.16.conv.3.running_var [160]",
            "features.16.conv.3.num_batches_tracked []",
            "features.17.conv.0.0.weight [960, 160, 1, 1]",
            "features.17.conv.0.1.weight [960]",
            "features.17.conv.0.1.bias [960]",
            "features.17.conv.0.1.running_mean [960]",
            "features.17.conv.0.1.running_var [960]",
            "features.17.conv.0.1.num_batches_tracked []",
            "features.17.conv.1.0.weight [960, 1, 3, 3]",
            "features.17.conv.1.1.weight [960]",
            "features.17.conv.1.1.bias [960]",
            "features.17.conv.1.1.running_mean [960]",
            "features.17.conv.1.1.running_var [960]",
            "features.17.conv.1.1.num_batches_tracked []",
            "features.17.conv.2.weight [320, 960, 1, 1]",
            "features.17.conv.3.weight [320]",
            "features.17.conv.3.bias [320]",
            "features.17.conv.3.running_mean [320]",
            "features.17.conv.3.running_var [320]",
            "features.17.conv.3.num_batches_tracked []",
            "features.18.0.weight [1280, 320, 1, 1]",
            "features.18.1.weight [1280]",
            "features.18.1.bias [1280]",
            "features.18.1.running_mean [1280]",
            "features.18.1.running_var [1280]",
            "features.18.1.num_batches_tracked []",
            "classifier.1.weight [10, 1280]",
            "classifier.1.bias [10]",
    };

    // state_dict keys and shapes of torchvision.models.squeezenet1_0(num_classes=10)
    private static final String[] SQUEEZENET1_0_KEYS = {
            "features.0.weight [96, 3, 7, 7]",
            "features.0.bias [96]",
            "features.3.squeeze.weight [16, 96, 1, 1]",
            "features.3.squeeze.bias [16]",
            "features.3.expand1x1.weight [64, 16, 1, 1]",
            "features.3.expand1x1.bias [64]",
            "features.3.expand3x3.weight [64, 16, 3, 3]",
            "features.3.expand3x3.bias [64]",
            "features.4.squeeze.weight [16, 128, 1, 1]",
            "features.4.squeeze.bias [16]",
            "features.4.expand1x1.weight [64, 16, 1, 1]",
            "features.4.expand1x1.bias [64]",
            "features.4.expand3x3.weight [64, 16, 3, 3]",
            "features.4.expand3x3.bias [64]",
            "features.5.squeeze.weight [32, 128, 1, 1]",
            "features.5.squeeze.bias [32]",
            "features.5.expand1x1.weight [128, 32, 1, 1]",
            "features.5.expand1x1.bias [128]",
            "features.5.expand3x3.weight [128, 32, 3, 3]",
            "features.5.expand3x3.bias [128]",
            "features.7.squeeze.weight [32, 256, 1, 1]",
            "features.7.squeeze.bias [32]",
            "features.7.expand1x1.weight [128, 32, 1, 1]",
            "features.7.expand1x1.bias [128]",
            "features.7.expand3x3.weight [128, 32, 3, 3]",
            "features.7.expand3x3.bias [128]",
            "features.8.squeeze.weight [48, 256, 1, 1]",
            "features.8.squeeze.bias [48]",
            "features.8.expand1x1.weight [192, 48, 1, 1]",
            "features.8.expand1x1.bias [192]",
            "features.8.expand3x3.weight [192, 48, 3, 3]",
            "features.8.expand3x3.bias [192]",
            "features.9.squeeze.weight [48, 384, 1, 1]",
            "features.9.squeeze.bias [48]",
            "features.9.expand1x1.weight [192, 48, 1, 1]",
            "features.9.expand1x1.bias [192]",
            "features.9.expand3x3.weight [192, 48, 3, 3]",
            "features.9.expand3x3.bias [192]",
            "features.10.squeeze.weight [64, 384, 1, 1]",
            "features.10.squeeze.bias [64]",
            "features.10.expand1x1.weight [256, 64, 1, 1]",
            "features.10.expand1x1.bias [256]",
            "features.10.expand3x3.weight [256, 64, 3, 3]",
            "features.10.expand3x3.bias [256]",
            "features.12.squeeze.weight [64, 512, 1, 1]",
            "features.12.squeeze.bias [64]",
            "features.12.expand1x1.weight [256, 64, 1, 1]",
            "features.12.expand1x1.bias [256]",
            "features.12.expand3x3.weight [256, 64, 3, 3]",
            "features.12.expand3x3.bias [256]",
            "classifier.1.weight [10, 512, 1, 1]",
            "classifier.1.bias [10]",
    };

    // state_dict keys and shapes of torchvision.models.squeezenet1_1(num_classes=10)
    private static final String[] SQUEEZENET1_1_KEYS = {
            "features.0.weight [64, 3, 3, 3]",
            "features.0.bias [64]",
            "features.3.squeeze.weight [16, 64, 1, 1]",
            "features.3.squeeze.bias [16]",
            "features.3.expand1x1.weight [64, 16, 1, 1]",
            "features.3.expand1x1.bias [64]",
            "features.3.expand3x3.weight [64, 16, 3, 3]",
            "features.3.expand3x3.bias [64]",
            "features.4.squeeze.weight [16, 128, 1, 1]",
            "features.4.squeeze.bias [16]",
            "features.4.expand1x1.weight [64, 16, 1, 1]",
            "features.4.expand1x1.bias [64]",
            "features.4.expand3x3.weight [64, 16, 3, 3]",
            "features.4.expand3x3.bias [64]",
            "features.6.squeeze.weight [32, 128, 1, 1]",
            "features.6.squeeze.bias [32]",
            "features.6.expand1x1.weight [128, 32, 1, 1]",
            "features.6.expand1x1.bias [128]",
            "features.6.expand3x3.weight [128, 32, 3, 3]",
            "features.6.expand3x3.bias [128]",
            "features.7.squeeze.weight [32, 256, 1, 1]",
            "features.7.squeeze.bias [32]",
            "features.7.expand1x1.weight [128, 32, 1, 1]",
            "features.7.expand1x1.bias [128]",
            "features.7.expand3x3.weight [128, 32, 3, 3]",
            "features.7.expand3x3.bias [128]",
            "features.9.squeeze.weight [48, 256, 1, 1]",
            "features.9.squeeze.bias [48]",
            "features.9.expand1x1.weight [192, 48, 1, 1]",
            "features.9.expand1x1.bias [192]",
            "features.9.expand3x3.weight [192, 48, 3, 3]",
            "features.9.expand3x3.bias [192]",
            "features.10.squeeze.weight [48, 384, 1, 1]",
            "features.10.squeeze.bias [48]",
            "features.10.expand1x1.weight [192, 48, 1, 1]",
            "features.10.expand1x1.bias [192]",
            "features.10.expand3x3.weight [192, 48, 3, 3]",
            "features.10.expand3x3.bias [192]",
            "features.11.squeeze.weight [64, 384, 1, 1]",
            "features.11.squeeze.bias [64]",
            "features.11.expand1x1.weight [256, 64, 1, 1]",
            "features.11.expand1x1.bias [256]",
            "features.11.expand3x3.weight [256, 64, 3, 3]",
            "features.11.expand3x3.bias [256]",
            "features.12.squeeze.weight [64, 512, 1, 1]",
            "features.12.squeeze.bias [64]",
            "features.12.expand1x1.weight [256, 64, 1, 1]",
            "features.12.expand1x1.bias [256]",
            "features.12.expand3x3.weight [256, 64, 3, 3]",
            "features.12.expand3x3.bias [256]",
            "classifier.1.weight [10, 512, 1, 1]",
            "classifier.1.bias [10]",
    };

    @Test
    void mobilenetV2HasTorchvisionsStateDictKeysAndShapesInItsOrder() {
        try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 10)) {
            assertEquals(List.of(MOBILENET_V2_KEYS), keysAndShapes(model));
        }
    }

    @Test
    void squeezenet1_0HasTorchvisionsStateDictKeysAndShapesInItsOrder() {
        try (SqueezeNet model = SqueezeNet.squeezenet1_0(3, 10)) {
            assertEquals(List.of(SQUEEZENET1_0_KEYS), keysAndShapes(model));
        }
    }

    @Test
    void squeezenet1_1HasTorchvisionsStateDictKeysAndShapesInItsOrder() {
        try (SqueezeNet model = SqueezeNet.squeezenet1_1(3, 10)) {
            assertEquals(List.of(SQUEEZENET1_1_KEYS), keysAndShapes(model));
        }
    }

    @Test
    void theModelsHaveTorchvisionsParameterCounts() {
        try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 1000)) {
            assertEquals(3_504_872, model.parameterCount(), "torchvision's mobilenet_v2: 3,504,872 parameters");
        }
        try (SqueezeNet model = SqueezeNet.squeezenet1_0(3, 1000)) {
            assertEquals(1_248_424, model.parameterCount(), "torchvision's squeezenet1_0: 1,248,424 parameters");
        }
        try (SqueezeNet model = SqueezeNet.squeezenet1_1(3, 1000)) {
            assertEquals(1_235_496, model.parameterCount(), "torchvision's squeezenet1_1: 1,235,496 parameters");
        }
    }

    /** The reference's counts at 1000 classes: every width rounded by _make_divisible, the last one never below 1280. */
    @Test
    void theWidthMultiplierRoundsWidthsAsTorchvisionDoes() {
        double[] widths = {0.35, 0.5, 0.75, 1.4};
        long[] counts = {1_677_128, 1_968_680, 2_636_424, 6_108_776};
        for (int i = 0; i < widths.length; i++) {
            try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 1000, widths[i])) {
                assertEquals(counts[i], model.parameterCount(), model.toString());
            }
        }
    }

    @Test
    void makeDivisibleRoundsToTheNearestMultipleWithoutLosingATenth() {
        assertEquals(16, MobileNetV2.makeDivisible(11.2, 8), "8 would lose over a tenth of 11.2");
        assertEquals(16, MobileNetV2.makeDivisible(12, 8), "a half rounds up");
        assertEquals(8, MobileNetV2.makeDivisible(3, 8), "never below the divisor");
        assertEquals(448, MobileNetV2.makeDivisible(448, 8));
    }

    @Test
    void mobilenetV2TrainingStepAndEvaluationMatchTorchvisions() {
        try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 10)) {
            model.to(DType.F64);
            loadPattern(model);
            model.getSubmodule("classifier").eval();
            Tensor x = pattern(100, 2, 3, 64, 64).requiresGrad(true);
            Tensor y = model.forward(x);
            y.mul(pattern(200, 2, 10)).sum().backward();
            assertClose("training-mode output", y,
                    20.859443901148683, 28.885015756179527, -68.40922131165286, 79.68344959349731, -58.441806305741764,
                    14.91733187409985, 36.17832569179244, -71.58304727283459, 78.26683937337502, -54.299743981215435,
                    20.359136640676464, 29.428873022096326, -68.7773907370022, 79.72751600238735, -58.144005800966504,
                    14.397712757483385, 36.7102963725275, -71.91292335047675, 78.26164235293093, -53.96156886745613);
            assertClose("input gradient", spread(x.grad()),
                    -11.742956803158734, 104.39914556559603, -11.718487731976579, 104.15568025191759,
                    -11.690705525181066, 103.88276729094027, -13.486219767191987, 5.53625353682323,
                    -13.438218215126374, 5.496357237092532, -13.386417312806106, 5.454906967487766);
            assertClose("gradient of features.0.0.weight", spread(grad(model, "features.0.0.weight")),
                    0.0, 57.517593047051264, 0.0, 200.0882327223067, 0.0, 0.0, 84.47440483976516, 0.0,
                    -314.06127764574353, 56.8877859153694, 527.1591418949479, -145.15024440667094);
            assertClose("gradient of features.1.conv.0.0.weight", spread(grad(model, "features.1.conv.0.0.weight")),
                    0.0, -19.119487204452, 0.0, 15.699683056426768, 0.0, 0.0, 7.071254218058531, 0.0,
                    13.495714394400872, 2.3078114627034347, -14.873616298592466, 24.457220425475214);
            assertClose("gradient of features.2.conv.1.0.weight", spread(grad(model, "features.2.conv.1.0.weight")),
                    0.402410189091332, 0.7678610080385686, 0.6022874567670113, 0.0, 0.0, 0.34510116340646835,
                    0.2565988517863376, 0.0, 0.0, -0.009891402661073356, -0.4934528866961547, 2.0491033036818695);
            assertClose("gradient of features.3.conv.3.weight", spread(grad(model, "features.3.conv.3.weight")),
                    24.390322661895787, 31.679938001068184, 0.2709689059340593, 2.2789222967735965,
                    -13.664323774612145, -45.8243689918361, -14.729783476661904, 25.869634207677304,
                    21.676961873760224, 27.918657301925112, 41.467905347291776, -18.02543880459802);
            assertClose("gradient of features.18.1.weight", spread(grad(model, "features.18.1.weight")),
                    0.018004040831187, -0.0704876809300294, -0.05019092516384121, 0.0, -0.06489374119333564,
                    0.014031414707949618, -0.004483233223045413, -0.05492676279519291, 0.0, -0.06949654585172407,
                    -0.02602577574506295, -0.0005211027857698578);
            assertClose("gradient of classifier.1.weight", spread(grad(model, "classifier.1.weight")),
                    0.2136544170530417, 0.1603130388359327, -0.18516813003177832, -0.2813106150168945,
                    -0.1571163543750212, 0.0, -0.19215248494882473, -0.006432941457969968, 0.0, 0.10679657067204257,
                    0.205186644758977, 0.16356767410493656);
            assertClose("features.0.1.running_mean after one step", spread(buffer(model, "features.0.1.running_mean")),
                    4.099498230413758e-07, 5.473766442366851e-07, 6.79236760028117e-07, 8.041891807574232e-07,
                    9.209631665725902e-07, 1.0283711505866465e-06, 1.1253208161804595e-06, 1.2108262056360133e-06,
                    1.2840177471167095e-06, 1.3441510980316918e-06, 1.3906147148438257e-06, 1.4229360723387432e-06);
            assertClose("features.17.conv.1.1.running_var after one step", spread(buffer(model, "features.17.conv.1.1.running_var")),
                    0.9023810435271695, 0.901981268734154, 0.9130531732915674, 0.9024363718952629, 0.9169100385816438,
                    0.9016055668880345, 0.9017093834550495, 0.9000001234498117, 0.9, 0.9, 0.9042053781745355,
                    0.9039644278647988);
            model.eval();
            assertClose("evaluation-mode output", model.forward(x),
                    5.932208504204702, 9.210079569331304, -22.0634052610106, 25.349517557353344, -18.02266364457583,
                    4.706602540438851, 12.064528067385126, -22.865392766240813, 24.584219116783995,
                    -17.292508799945793, 5.932208504189491, 9.210079569328306, -22.063405260990663, 25.3495175573245,
                    -18.022663644549667, 4.706602540425942, 12.064528067379563, -22.865392766219028,
                    24.584219116754777, -17.292508799920924);
        }
    }

    @Test
    void squeezenet1_0OutputAndGradientsMatchTorchvisions() {
        try (SqueezeNet model = SqueezeNet.squeezenet1_0(3, 10)) {
            model.to(DType.F64);
            loadPattern(model);
            model.eval();
            Tensor x = pattern(100, 2, 3, 64, 64).requiresGrad(true);
            Tensor y = model.forward(x);
            y.mul(pattern(200, 2, 10)).sum().backward();
            assertClose("output", y,
                    6411918565.174149, 5047320834.306336, 3600112813.16725, 2307409808.1052504, 1166248298.1680028,
                    829925821.03018, 723371814.4837247, 568772159.480771, 377027672.91200703, 169993013.5587241,
                    6122638564.088959, 4859974678.211355, 3470064656.7689214, 2129015282.4873607, 1118882643.1326132,
                    657211865.0829538, 585931362.9747977, 475733872.7773775, 333938604.0584843, 169963459.92070353);
            assertClose("input gradient", spread(x.grad()),
                    -5176053.925770113, -478523029.48551804, 3727227.304136576, 302874457.32782686,
                    -2032588.3409310933, -107251176.49734583, 8520801.07451847, 257544238.76889884, -6131259.786864009,
                    -239701160.92236927, 3337359.1183576523, 206049682.12887496);
            assertClose("gradient of features.0.weight", spread(grad(model, "features.0.weight")),
                    -279159056.539528, -1143617838.2534008, -1037602842.560394, 6611889.45995599, -227545135.67307624,
                    -1006400063.8064036, -270342142.87412053, 147162590.5847679, 336702250.78753674,
                    -126597721.7823927, -268784959.2327422, 256481653.21702617);
            assertClose("gradient of features.3.squeeze.weight", spread(grad(model, "features.3.squeeze.weight")),
                    368765008.5049076, 1927981554.0452924, 0.0, -980431059.9494832, 0.0, 0.0, -926677667.2074906, 0.0,
                    1715954508.2165303, 0.0, -1880523571.4612486, -2374472851.8985324);
            assertClose("gradient of features.3.expand3x3.bias", spread(grad(model, "features.3.expand3x3.bias")),
                    -128487134.20119008, -4654367.496203497, 213547252.02587762, 1046277676.724322, -978036232.3548554,
                    -580448889.1213834, 459600944.28881824, 1494903043.4245539, -1285501296.9910645,
                    -51368759.106769755, -46815113.14303975, 206719314.411668);
            assertClose("gradient of features.12.expand1x1.weight", spread(grad(model, "features.12.expand1x1.weight")),
                    200340401.11585143, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2425210.1292367126, 0.0, 0.0);
            assertClose("gradient of classifier.1.weight", spread(grad(model, "classifier.1.weight")),
                    20979706.308393054, 222916696.991531, -2682425007.249977, -80691662.8673574, -2779703.4389748024,
                    0.0, -643798518.8619751, 0.0, 137952874.7756095, 0.0, 3212266.1610937654, 5894147.047134895);
        }
    }

    @Test
    void squeezenet1_1OutputAndGradientsMatchTorchvisions() {
        try (SqueezeNet model = SqueezeNet.squeezenet1_1(3, 10)) {
            model.to(DType.F64);
            loadPattern(model);
            model.eval();
            Tensor x = pattern(100, 2, 3, 64, 64).requiresGrad(true);
            Tensor y = model.forward(x);
            y.mul(pattern(200, 2, 10)).sum().backward();
            assertClose("output", y,
                    2103644314.288039, 1781430424.44781, 1508263269.9276812, 1213310221.4494689, 837770294.654865,
                    470426478.5693652, 296286716.1062753, 200470080.2152005, 146362160.63191637, 108478839.09331673,
                    2104070659.1984384, 1781935290.831832, 1509537489.459013, 1214904298.518427, 839578352.2215958,
                    471956362.699496, 297358184.4959443, 201418871.38165247, 147109268.843557, 109066307.76654403);
            assertClose("input gradient", spread(x.grad()),
                    0.0, -1379547.3487279292, 0.0, -1348636.5913788325, 0.0, -1317344.5377372797, 0.0,
                    1202162.2840342564, 0.0, 1178601.6960800518, 0.0, 1154707.8853292563);
            assertClose("gradient of features.0.weight", spread(grad(model, "features.0.weight")),
                    -59034351.59181416, -4798674.2295186175, 0.0, -91775651.23752777, 0.0, 48784564.0084429,
                    1765306.5541297533, 0.0, 39262652.37425011, 0.0, -58115310.73122099, 0.0);
            assertClose("gradient of features.3.squeeze.weight", spread(grad(model, "features.3.squeeze.weight")),
                    -43700227.09946559, 0.0, 0.0, 0.0, 0.0, -3432950.3641761956, -65301403.449044555, 0.0, 0.0, 0.0,
                    -10834917.89279605, 0.0);
            assertClose("gradient of features.3.expand3x3.bias", spread(grad(model, "features.3.expand3x3.bias")),
                    124854989.32015917, -119243849.72958471, 17234967.353501905, 20601659.776953116,
                    -13939270.013391878, 53067887.601171784, -61858535.737775736, 16566160.31490964,
                    -43303754.348195836, 126483296.04689497, -113169487.93448392, 118120681.21182056);
            assertClose("gradient of features.12.expand1x1.weight", spread(grad(model, "features.12.expand1x1.weight")),
                    5040782.054608703, 0.0, -3514178.1465238268, 0.0, -4691432.509284248, -1643785.2559618945,
                    14117300.708418388, -13794413.289147647, 0.0, 23175652.75838483, 0.0, 0.0);
            assertClose("gradient of classifier.1.weight", spread(grad(model, "classifier.1.weight")),
                    1162894.1435947572, 206105394.78138545, -717318228.2636563, -5370970.026184309, -4499049.372892905,
                    -2516230.4705218934, -594409640.7196152, 50445684.29394019, 325904294.1279713, 257305.5003284979,
                    0.0, 0.0);
        }
    }

    /**
     * The smallest inputs, torchvision's (its script found them): 21x21 for 1.0 and 17x17 for 1.1, where the last
     * pooling's 3x3 window at stride 2 hangs over a 2x2 input in ceil mode; one pixel less leaves it a 1x1 input and no
     * window, which the pooling refuses as PyTorch's does.
     */
    @Test
    void squeezeNetTakesInputsDownTo21And17PixelsAsTorchvision() {
        try (SqueezeNet v10 = SqueezeNet.squeezenet1_0(3, 10); SqueezeNet v11 = SqueezeNet.squeezenet1_1(3, 10);
                Scope s = Scope.open()) {
            assertArrayEquals(new int[] {1, 10}, v10.forward(Tensor.zeros(DType.F32, 1, 3, 21, 21)).shape().dims());
            assertArrayEquals(new int[] {1, 10}, v11.forward(Tensor.zeros(DType.F32, 1, 3, 17, 17)).shape().dims());
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> v10.forward(Tensor.zeros(DType.F32, 1, 3, 20, 20))).getMessage()
                    .contains("the output size 0 x 0 is too small: the kernel is larger than the padded input 1 x 1"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> v11.forward(Tensor.zeros(DType.F32, 1, 3, 16, 16))).getMessage()
                    .contains("the output size 0 x 0 is too small: the kernel is larger than the padded input 1 x 1"));
        }
    }

    @Test
    void aStateDictWrittenAsSafetensorsLoadsIntoAFreshMobileNetV2AndGivesItsOutputs(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("mnv2.safetensors");
        Tensor x = pattern(7, 1, 3, 40, 40).to(DType.F32);
        double[] expected;
        try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 10)) {
            model.eval();
            expected = model.forward(x).toDoubleArray();
            SafeTensors.write(file, model.stateDict());
        }
        try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 10); SafeTensors.Loaded loaded = SafeTensors.read(file)) {
            model.loadStateDict(loaded.tensors(), true);
            model.eval();
            assertArrayEquals(expected, model.forward(x).toDoubleArray());
        }
    }

    @Test
    void anInputWithOtherChannelsIsRefusedNamingTheShapes() {
        try (MobileNetV2 model = MobileNetV2.mobilenetV2(3, 10, 0.5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(DType.F32, 1, 1, 64, 64)));
            assertEquals("MobileNetV2x0.5(3 channels -> 10 classes): input [1, 1, 64, 64] must be [batch, 3, height, width]",
                    e.getMessage());
        }
    }

    @Test
    void aWidthMultiplierThatIsNotPositiveIsRefused() {
        assertEquals("MobileNetV2: widthMult must be positive, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> MobileNetV2.mobilenetV2(3, 10, 0)).getMessage());
    }
}
