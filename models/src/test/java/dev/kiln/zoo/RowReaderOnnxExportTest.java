package dev.kiln.zoo;

import dev.kiln.engine.Engine;
import dev.kiln.onnx.OrtCheck;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * W3, the zoo's row readers (lstm, gru, rnn: a 28x28 image's rows through one recurrent layer of 128 units, its last
 * hidden state through dropout and a dense layer), exported with random weights and run in ONNX Runtime against
 * Kiln's evaluation-mode forward at batch 3 and 1 (see {@link OrtCheck}).
 */
@Tag("onnxruntime")
class RowReaderOnnxExportTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(19);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void aRowReaderOfImagesRunsInOnnxRuntimeAsInKiln(String kind) throws Exception {
        OrtCheck.exportAndCompare(Zoo.rowReader(kind, 10, 0.2), dir, 1, 28, 28);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void aRowReaderOfFlatVectorsRunsInOnnxRuntimeAsInKiln(String kind) throws Exception {
        OrtCheck.exportAndCompare(Zoo.rowReader(kind, 10, 0), dir, 784);
    }
}
