package dev.kiln.onnx;

import dev.kiln.engine.Engine;
import dev.kiln.nn.BasicBlock;
import dev.kiln.nn.Conv2dNormActivation;
import dev.kiln.nn.Fire;
import dev.kiln.nn.InvertedResidual;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU6;
import dev.kiln.nn.Residual;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The composite modules with forward code of their own, exported and run in ONNX Runtime (see {@link OrtCheck}). */
@Tag("onnxruntime")
class OnnxExportBlocksTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(12);
    }

    private void check(Module model, int... sampleShape) throws Exception {
        OnnxExportLayersTest.perturbBatchNorms(model);
        OrtCheck.exportAndCompare(model, dir, sampleShape);
    }

    @Test
    void basicBlockWithTheIdentityShortcut() throws Exception {
        check(new BasicBlock(4), 4, 6, 6);
    }

    @Test
    void basicBlockWithTheDownsampleBranch() throws Exception {
        check(new BasicBlock(4, 8, 2), 4, 7, 7);
    }

    @Test
    void residualAddsItsInput() throws Exception {
        check(new Sequential(new Residual(new Sequential(new Linear(5, 5), new Tanh()))), 5);
    }

    @Test
    void fireConcatenatesItsExpansions() throws Exception {
        check(new Fire(6, 3, 4, 5), 6, 5, 5);
    }

    @Test
    void invertedResidualWithAndWithoutTheSkip() throws Exception {
        check(new InvertedResidual(4, 4, 1, 3), 4, 6, 6);
        check(new InvertedResidual(4, 6, 2, 1), 4, 6, 6);
    }

    @Test
    void convNormActivationChains() throws Exception {
        check(new Conv2dNormActivation(3, 6, 3, 2, 3, new ReLU6()), 3, 7, 7);
    }
}
