package dev.kiln.zoo;

import dev.kiln.engine.Engine;
import dev.kiln.onnx.OrtCheck;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's {@code transformer} workload (a 28x28 image's rows as tokens through two encoder layers), exported
 * with random weights and run in ONNX Runtime against Kiln's evaluation-mode forward (see {@link OrtCheck}).
 */
@Tag("onnxruntime")
class RowTransformerOnnxExportTest {
    @TempDir
    Path dir;

    @Test
    void theRowTransformerRunsInOnnxRuntimeAsInKiln() throws Exception {
        Engine.seed(23);
        OrtCheck.exportAndCompare(Zoo.rowTransformer(10), dir, 1, 28, 28);
    }
}
