package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.AtomicFiles;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.OrtCheck;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OnnxWeights: a trained import written back as ONNX, with the weights it holds now. */
class OnnxWeightsTest {
    @TempDir
    Path dir;

    /** import_mlp.onnx with fc1.weight scaled by 2: the change a training step would make. */
    private static OnnxModule changed(ModelProto proto) {
        OnnxModule model = OnnxImport.load(proto);
        try (Autograd.Guard off = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor weight = model.getParameter("fc1.weight");
            weight.assign(weight.mul(2));
        }
        return model;
    }

    @Test
    void theWrittenModelHoldsTheModulesWeightsAndGivesItsOutputs() throws IOException {
        ModelProto proto = ModelProto.parse(OnnxImportPyTorchParityTest.path("mlp"));
        try (OnnxModule model = changed(proto); Scope s = Scope.open();
             OnnxModule reloaded = OnnxImport.load(OnnxWeights.withInitializers(proto, model))) {
            Tensor x = Tensor.fromArray(OrtCheck.input(new int[] {3, 1, 28, 28}), 3, 1, 28, 28);

            assertArrayEquals(model.getParameter("fc1.weight").toFloatArray(),
                    reloaded.getParameter("fc1.weight").toFloatArray());
            assertArrayEquals(model.forward(x).toFloatArray(), reloaded.forward(x).toFloatArray());
            try (OnnxModule original = OnnxImport.load(proto)) {
                assertFalse(Arrays.equals(original.forward(x).toFloatArray(), model.forward(x).toFloatArray()));
            }
        }
    }

    @Test
    @Tag("onnxruntime")
    void onnxRuntimeRunsTheWrittenModelAsTheModuleRuns() throws Exception {
        ModelProto proto = ModelProto.parse(OnnxImportPyTorchParityTest.path("mlp"));
        Path file = dir.resolve("tuned.onnx");
        try (OnnxModule model = changed(proto)) {
            AtomicFiles.write(file, OnnxWeights.withInitializers(proto, model)::write);

            OrtCheck.compare(model, file, new int[] {3, 1, 28, 28}, "input");
        }
    }
}
