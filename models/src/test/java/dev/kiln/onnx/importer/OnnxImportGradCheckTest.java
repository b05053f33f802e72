package dev.kiln.onnx.importer;

import dev.kiln.engine.GradCheck;
import dev.kiln.nn.PyTorchParity;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture imported and converted to F64 ({@code Module.to}): the gradients in its input and in each of its
 * parameters match central finite differences ({@link GradCheck}), through every converted op.
 */
class OnnxImportGradCheckTest {
    static List<String> fixtures() {
        return List.of("mlp", "cnn", "residual", "depthwise", "attention", "extras", "sequence", "more", "resize", "lstm",
                "gru", "rnn");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theInputAndParameterGradientsMatchFiniteDifferencesInF64(String name) throws IOException {
        try (OnnxModule model = OnnxImport.load(OnnxImportPyTorchParityTest.path(name))) {
            OnnxImportPyTorchParityTest.Fixture f = OnnxImportPyTorchParityTest.fixtures()
                    .filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            int[] dims = new int[f.sample().length + 1];
            dims[0] = 1;
            System.arraycopy(f.sample(), 0, dims, 1, f.sample().length);
            OnnxImportPyTorchParityTest.assertGradientsMatchFiniteDifferences(name, model,
                    PyTorchParity.values(7, dims));
        }
    }
}
